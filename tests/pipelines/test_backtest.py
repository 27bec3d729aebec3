"""Walk-forward back-test (pipelines/analysis/refresh/backtest.py) on a fixture computable by hand.

A 1 km x 1 km jurisdiction of 100 cells (100 m). Data end 2019-12-31; with
2 scored months and 3 months of history the months are Aug..Dec 2019 (k = 0..4)
and Nov, Dec are scored. Every month has 10 incidents in cell A (row 5, col 5)
and one in each cell of row k (k = month index), so N = 20 per month and the
rows never touch A's 3 x 3 window (rows 4-6) until k = 4 (December).

Scoring November (k = 3) at 1% of the area (one cell):
- counts_12m (3 months of history): A has 30, every other cell at most 1, so
  A is flagged. n = 10 of N = 20, PAI = (10 / 20) / 0.01 = 50. RRI =
  (10 / 30) / (20 / 60) = 1. PEI* = 10 / 10 (the best single cell) = 1.
- naive: last month A has 10: the same, RRI = (10 / 10) / (20 / 20) = 1.
Gi* at 9% of the area: the 9 cells of A's window all have window sum 30 and
the same z, above any other cell, so exactly that window is flagged:
n = 10, PAI = (10 / 20) / 0.09 = 5.56.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.grid import make_grid
from pipelines.analysis.backtest import run_backtest, summarize_backtest
from pipelines.analysis_settings import BacktestSettings

GRID = make_grid(shapely.box(0, 0, 1000, 1000), 100.0)
AS_OF = pd.Timestamp("2019-12-31")


def fixture_incidents() -> pd.DataFrame:
    rows = []
    for k, month in enumerate(pd.date_range("2019-08-01", periods=5, freq="MS")):
        for i in range(10):
            rows.append((550.0, 550.0, month + pd.Timedelta(days=i), "burglary"))
            rows.append(
                (50.0 + 100 * i, 50.0 + 100 * k, month + pd.Timedelta(days=3), "theft")
            )
    return pd.DataFrame(rows, columns=["x", "y", "occurred_at", "category"])


SETTINGS = BacktestSettings(
    periods=2,
    history_months=3,
    coverages=(0.01, 0.09),
    categories=("all", "burglary"),
    kde_bandwidths_m=(100.0,),
    methods=("naive_last_period", "counts_12m", "gi_star_12m", "kde_12m"),
)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return run_backtest(fixture_incidents(), GRID, AS_OF, SETTINGS)


def pick(table, method, coverage, category="all", month="2019-11-01"):
    rows = table[
        (table["method"] == method)
        & (table["coverage"] == coverage)
        & (table["category"] == category)
        & (table["period_start"] == pd.Timestamp(month))
    ]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.mark.parametrize("method", ["counts_12m", "naive_last_period", "kde_12m_100m"])
def test_single_cell_forecasts_score_as_computed_by_hand(table, method):
    row = pick(table, method, 0.01)
    assert (row["hits"], row["incidents"], row["cells"]) == (10, 20, 1)
    assert row["area_share"] == pytest.approx(0.01)
    assert row["pai"] == pytest.approx(50.0)
    assert row["rri"] == pytest.approx(1.0)
    assert row["pei_star"] == pytest.approx(1.0)


def test_gi_star_flags_the_window_around_the_hot_cell(table):
    row = pick(table, "gi_star_12m", 0.09)
    assert (row["cells"], row["hits"]) == (9, 10)
    assert row["pai"] == pytest.approx((10 / 20) / 0.09)


def test_per_category_rows_use_only_that_category(table):
    row = pick(table, "counts_12m", 0.01, category="burglary")
    # Only A's 10 burglaries exist: all captured.
    assert (row["hits"], row["incidents"]) == (10, 10)
    assert row["pai"] == pytest.approx(100.0)


def test_table_layout(table):
    assert {
        "method",
        "category",
        "period_start",
        "area_share",
        "hits",
        "pai",
        "rri",
        "pei_star",
    } <= set(table.columns)
    assert sorted(table["period_start"].unique()) == list(
        pd.to_datetime(["2019-11-01", "2019-12-01"])
    )
    assert set(table["method"]) == {
        "naive_last_period",
        "counts_12m",
        "gi_star_12m",
        "kde_12m_100m",
    }
    assert len(table) == 4 * 2 * 2 * 2  # methods x categories x months x coverages
    assert (table["seed"] == 12345).all() and (table["cell_size_m"] == 100).all()


def test_summary_compares_each_method_with_naive(table):
    summary = summarize_backtest(table)
    naive = summary[summary["method"] == "naive_last_period"]
    assert (naive["pai_vs_naive"] == 1.0).all()
    assert (naive["beats_naive"] == 0.0).all()
    top = summary[(summary["coverage"] == 0.01) & (summary["category"] == "all")]
    assert top["method"].tolist() == [
        "naive_last_period",
        "counts_12m",
        "gi_star_12m",
        "kde_12m_100m",
    ]
    assert top["periods"].tolist() == [2, 2, 2, 2]


def test_unknown_method_and_category_are_errors():
    with pytest.raises(ValueError, match=r"methods \['magic'\] are unknown"):
        run_backtest(
            fixture_incidents(), GRID, AS_OF, BacktestSettings(methods=("magic",))
        )
    with pytest.raises(ValueError, match=r"categories \['burglaries'\] are unknown"):
        run_backtest(
            fixture_incidents(),
            GRID,
            AS_OF,
            BacktestSettings(categories=("burglaries",)),
        )
    with pytest.raises(ValueError, match=r"missing columns \['x'\]"):
        run_backtest(fixture_incidents().drop(columns="x"), GRID, AS_OF)


def test_results_do_not_depend_on_row_order(table):
    shuffled = fixture_incidents().sample(frac=1.0, random_state=4)
    again = run_backtest(shuffled, GRID, AS_OF, SETTINGS)
    pd.testing.assert_frame_equal(again, table)
    assert np.isfinite(table["pai"]).all()


def test_gap_month_is_not_scored_and_the_note_says_why():
    from pipelines.analysis.backtest import skipped_months

    gaps = pd.DataFrame(
        {
            "granularity": ["month", "week"],
            "period_start": [pd.Timestamp("2019-11-01"), pd.Timestamp("2019-12-02")],
            "period_end": [pd.Timestamp("2019-12-01"), pd.Timestamp("2019-12-09")],
            "observed": [3, 0],
            "expected": [2000.0, 460.0],
            "p_value": [0.0, 0.0],
        }
    )
    full = run_backtest(fixture_incidents(), GRID, AS_OF, SETTINGS)
    skipped = run_backtest(fixture_incidents(), GRID, AS_OF, SETTINGS, gaps)

    def months(t):
        return sorted({f"{p:%Y-%m}" for p in t["period_start"]})

    assert months(full) == ["2019-11", "2019-12"]
    assert months(skipped) == ["2019-12"]  # a gap week alone skips nothing
    note = skipped_months(gaps, AS_OF, SETTINGS)
    assert note["note"].tolist() == [
        "2019-11 not scored: a data gap (3 incidents against about 2,000 expected)"
    ]
    assert skipped_months(None, AS_OF, SETTINGS).empty
