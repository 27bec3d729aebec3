"""Problem-priority rankings (pipelines/analysis/refresh/rankings.py), checked by hand.

Level ``beat``: area 1 "North" (2 km2, 1,000 residents) and area 2 (1 km2, no
residents, name equal to its id). Data end 2019-06-30; 28-day periods:
0 = Jun 03-30, 1 = May 06-Jun 02, 2 = Apr 08-May 05, 3 = Mar 11-Apr 07,
4 = Feb 11-Mar 10. Persistence over the last 2 periods against a 3-period
baseline (periods 2-4).

- area 1 burglary: 12 / 3 / 2 / 2 / 2. Baseline mean 2, both recent periods
  above: persistence 1. Exact test 12 vs 3: p = 2 * P(X >= 12 | n = 15, 1/2)
  = 2 * (455 + 105 + 15 + 1) / 32768 = 0.03516, a significant rise: trend =
  -log10(0.03516) / 3 = 0.4846. Rate 12 / 2 km2 = 6 per km2 (the higher of
  the two positive rates: volume 1); harm 6 * 40 = 240 (harm 1). 2 hot cells
  hold 6 of its 12: hotspot 0.5.
  Score = 1 + 1 + 0.4846 + 0.5 * 0.5 + 1 + 0 = 3.7346.
- area 2 theft: 1 / 1 / 3 / 3 / 3: rate 1 per km2 (volume 0.5), harm 5
  (harm 0.5), no change, 0 periods above, watch-meeting priority 0.8.
  Score = 0.5 + 0.5 + 0 + 0 + 0 + 0.8 = 1.8.
- area 1 robbery: one in period 3 only: score 0.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.analysis.rankings import hotspot_concentration, rank_problems
from pipelines.analysis_settings import RankingSettings, RankingWeights

AS_OF = pd.Timestamp("2019-06-30")
AREAS = pd.DataFrame(
    {
        "level": "beat",
        "area_id": ["1", "2"],
        "name": ["North", "2"],
        "population": [1000.0, 0.0],
        "area_km2": [2.0, 1.0],
    }
)
PERIOD_DAY = {
    0: "2019-06-10",
    1: "2019-05-20",
    2: "2019-04-20",
    3: "2019-03-20",
    4: "2019-02-20",
}


def daily_rows() -> pd.DataFrame:
    rows = []
    for area, category, counts in (
        ("1", "burglary", [12, 3, 2, 2, 2]),
        ("2", "theft", [1, 1, 3, 3, 3]),
        ("1", "robbery", [0, 0, 0, 1, 0]),
    ):
        for period, n in enumerate(counts):
            if n:
                day = pd.Timestamp(PERIOD_DAY[period])
                rows.append(("beat", area, category, day, n))
    rows.append(("district", "A", "burglary", pd.Timestamp("2019-06-10"), 99))
    return pd.DataFrame(rows, columns=["level", "area_id", "category", "day", "n"])


CONCENTRATION = pd.DataFrame(
    {
        "area_id": ["1"],
        "category": ["burglary"],
        "recent_n": [12],
        "hot_cells": [2],
        "hot_share": [0.5],
    }
)
COMMUNITY = pd.DataFrame({"area_id": ["2"], "category": ["theft"], "priority": [0.8]})
SETTINGS = RankingSettings(persistence_periods=2, baseline_periods=3)


def ranked(**kwargs) -> pd.DataFrame:
    args = {
        "concentration": CONCENTRATION,
        "community": COMMUNITY,
        "settings": SETTINGS,
    }
    return rank_problems(daily_rows(), AREAS, "beat", AS_OF, **{**args, **kwargs})


def test_components_and_scores_by_hand():
    table = ranked().set_index(["area_id", "category"])
    burglary = table.loc[("1", "burglary")]
    p = 2 * (455 + 105 + 15 + 1) / 2**15
    assert burglary["p_trend"] == pytest.approx(p)
    components = ["volume", "harm", "hotspot", "persistence", "community"]
    assert burglary[components].tolist() == [1.0, 1.0, 0.5, 1.0, 0.0]
    assert burglary["trend"] == pytest.approx(-math.log10(p) / 3)
    assert burglary["score"] == pytest.approx(3 + 0.25 - math.log10(p) / 3)
    theft = table.loc[("2", "theft")]
    assert theft[["volume", "harm", "trend", "persistence", "community"]].tolist() == [
        0.5,
        0.5,
        0.0,
        0.0,
        0.8,
    ]
    assert theft["score"] == pytest.approx(1.8)
    assert table.loc[("1", "robbery"), "score"] == 0


def test_rows_are_ranked_and_explained():
    table = ranked()
    assert table["rank"].tolist() == [1, 2, 3]
    assert table["category"].tolist() == ["burglary", "theft", "robbery"]
    assert table["reason"].tolist() == [
        "Burglary in 1 (North): 12 in the last 28 days against 3 before (significant "
        "rise), 2 significant hot cells hold 50% of them, above its baseline in 2 of "
        "the last 2 28-day periods.",
        "Theft in 2: 1 in the last 28 days against 1 before (no significant change), "
        "none in a significant hot cell, above its baseline in 0 of the last 2 28-day "
        "periods, watch-meeting priority 0.8.",
        "Robbery in 1 (North): 0 in the last 28 days against 0 before (no significant "
        "change), above its baseline in 0 of the last 2 28-day periods.",
    ]


def test_weights_change_the_order():
    no_volume = RankingSettings(
        weights=RankingWeights(
            volume=0, harm=0, trend=0, hotspot=0, persistence=0, community=5
        ),
        persistence_periods=2,
        baseline_periods=3,
    )
    assert ranked(settings=no_volume)["category"].iloc[0] == "theft"


def test_rates_per_1000_residents_skip_areas_without_residents():
    per_1000 = RankingSettings(
        volume_basis="per_1000", persistence_periods=2, baseline_periods=3
    )
    table = ranked(settings=per_1000).set_index(["area_id", "category"])
    assert table.loc[("1", "burglary"), "rate"] == pytest.approx(12.0)
    assert math.isnan(table.loc[("2", "theft"), "rate"])
    assert table.loc[("2", "theft"), "volume"] == 0.0


def test_without_hotspot_or_community_input_those_components_are_zero():
    table = rank_problems(daily_rows(), AREAS, "beat", AS_OF, settings=SETTINGS)
    assert (table["hotspot"] == 0).all() and (table["community"] == 0).all()


def test_ties_are_broken_by_area_then_taxonomy():
    daily = pd.DataFrame(
        {
            "level": "beat",
            "area_id": ["2", "1", "1"],
            "category": ["theft", "theft", "burglary"],
            "day": pd.Timestamp("2019-06-10"),
            "n": [3, 3, 3],
        }
    )
    areas = AREAS.assign(area_km2=[1.0, 1.0])
    weights = RankingWeights(harm=0)  # harm weights differ between categories
    table = rank_problems(
        daily, areas, "beat", AS_OF, settings=RankingSettings(weights=weights)
    )
    assert list(zip(table["area_id"], table["category"], strict=True)) == [
        ("1", "burglary"),
        ("1", "theft"),
        ("2", "theft"),
    ]


def test_hotspot_concentration_by_hand():
    recent = pd.DataFrame(
        {
            "area_id": ["1", "1", "1", "1", "2"],
            "category": ["burglary"] * 4 + ["theft"],
            "cell_id": [10, 10, 11, 12, 10],
        }
    )
    hot = pd.DataFrame(
        {
            "category": ["burglary", "burglary", "theft"],
            "cell_id": [10, 12, 11],
            "gi_bin": [3, 1, 2],
        }
    )
    out = hotspot_concentration(recent, hot).set_index(["area_id", "category"])
    # Burglary hot at >= 95%: cell 10 only (cell 12 is 90%): 2 of 4 incidents.
    assert out.loc[("1", "burglary")].tolist() == [4, 1, 0.5]
    # The theft in cell 10 is not in a theft hot cell.
    assert out.loc[("2", "theft")].tolist() == [1, 0, 0.0]


def test_missing_columns_and_bad_basis_are_errors():
    with pytest.raises(ValueError, match=r"daily is missing columns \['n'\]"):
        rank_problems(daily_rows().drop(columns="n"), AREAS, "beat", AS_OF)
    with pytest.raises(ValueError, match='volume_basis was "per_capita"'):
        rank_problems(
            daily_rows(),
            AREAS,
            "beat",
            AS_OF,
            settings=RankingSettings(volume_basis="per_capita"),
        )


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["1", "2"]),
            st.sampled_from(["burglary", "theft", "robbery", "homicide"]),
            st.integers(0, 200),
            st.integers(1, 4),
        ),
        min_size=1,
        max_size=40,
    ),
    st.randoms(use_true_random=False),
)
def test_rankings_do_not_change_when_rows_are_shuffled(rows, rng):
    daily = pd.DataFrame(
        {
            "level": "beat",
            "area_id": [r[0] for r in rows],
            "category": [r[1] for r in rows],
            "day": [AS_OF - pd.Timedelta(days=r[2]) for r in rows],
            "n": [r[3] for r in rows],
        }
    )
    order = list(range(len(daily)))
    rng.shuffle(order)
    first = rank_problems(daily, AREAS, "beat", AS_OF, CONCENTRATION, COMMUNITY)
    again = rank_problems(
        daily.iloc[order], AREAS, "beat", AS_OF, CONCENTRATION, COMMUNITY
    )
    pd.testing.assert_frame_equal(first, again)


def test_recent_cells_keep_the_last_28_days_with_area_and_cell():
    import shapely

    from geo.grid import make_grid
    from pipelines.analysis.rankings import recent_cells

    grid = make_grid(shapely.box(0, 0, 200, 100), 100.0)
    incidents = pd.DataFrame(
        {
            "x": [50.0, 150.0, 50.0, 500.0],
            "y": [50.0, 50.0, 50.0, 50.0],
            "occurred_at": pd.to_datetime(
                [
                    "2019-06-30 23:00",
                    "2019-06-03 00:00",
                    "2019-06-02 12:00",
                    "2019-06-20 08:00",
                ]
            ),
            "category": ["theft", "burglary", "theft", "theft"],
            "area_beat": ["1", "2", "1", "1"],
        }
    )
    out = recent_cells(incidents, grid, "beat", AS_OF)
    # Jun 02 is in the previous period; the point at x = 500 is off the grid.
    assert out.to_dict("list") == {
        "area_id": ["1", "2", "1"],
        "category": ["theft", "burglary", "theft"],
        "cell_id": [0, 1, -1],
    }
    with pytest.raises(ValueError, match=r"missing columns \['area_district'\]"):
        recent_cells(incidents, grid, "district", AS_OF)


def test_without_hot_cells_the_reasons_say_nothing_about_them():
    # The packet ranks as of its own week, for which the build found no hot
    # cells: "none in a significant hot cell" would be a claim, not a fact.
    reasons = ranked(concentration=None)["reason"]
    assert not reasons.str.contains("hot cell").any()
    assert reasons.str.contains("above its baseline").all()
