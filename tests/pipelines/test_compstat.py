"""CompStat summaries on hand-made daily counts whose answers are known."""

from __future__ import annotations

import pandas as pd
import pytest

from pipelines.analysis.compstat import (
    FALL,
    RISE,
    STEADY,
    compstat_table,
    flag,
    latest_complete_week_end,
    periods_ending,
)


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        # 10 against 0: p = 2 * 0.5**10 = 0.00195 < 0.05 -> significant rise.
        (10, 0, RISE),
        (0, 10, FALL),
        # 5 against 0: p = 2 * 0.5**5 = 0.0625 > 0.05 -> not significant.
        (5, 0, STEADY),
        # 15 against 5: P(X >= 15 | n = 20, p = 1/2) = 21700/1048576 = 0.0207,
        # two-sided 0.0414 < 0.05 -> significant.
        (15, 5, RISE),
        # 14 against 6: one tail 60460/1048576 = 0.0577, two-sided 0.115 -> not.
        (14, 6, STEADY),
        (0, 0, STEADY),
    ],
)
def test_flags_follow_the_exact_poisson_test(current, previous, expected):
    assert flag(current, previous) == expected


def test_latest_complete_week_ends_on_the_last_sunday():
    assert latest_complete_week_end(pd.Timestamp("2019-12-31")) == pd.Timestamp(
        "2019-12-29"
    )
    assert latest_complete_week_end(pd.Timestamp("2019-12-29")) == pd.Timestamp(
        "2019-12-29"
    )


def test_periods_compare_like_with_like():
    seven, twenty_eight, ytd = periods_ending(pd.Timestamp("2019-03-31"))
    assert (seven.start, seven.prior_start, seven.prior_end) == (
        pd.Timestamp("2019-03-25"),
        pd.Timestamp("2019-03-18"),
        pd.Timestamp("2019-03-24"),
    )
    assert seven.last_year_start == pd.Timestamp("2018-03-26")  # 364 days: a Monday
    assert (twenty_eight.start, twenty_eight.prior_end) == (
        pd.Timestamp("2019-03-04"),
        pd.Timestamp("2019-03-03"),
    )
    assert (ytd.start, ytd.last_year_start, ytd.last_year_end) == (
        pd.Timestamp("2019-01-01"),
        pd.Timestamp("2018-01-01"),
        pd.Timestamp("2018-03-31"),
    )


def test_table_counts_flags_and_sparkline_by_hand():
    week_end = pd.Timestamp("2019-03-31")
    daily = pd.DataFrame(
        {
            "area_id": ["A"] * 4 + ["B"],
            "day": pd.to_datetime(
                ["2019-03-30", "2019-03-25", "2019-03-20", "2018-03-28", "2019-01-02"]
            ),
            "n": [6, 4, 1, 2, 3],
        }
    )
    areas = pd.DataFrame({"area_id": ["A", "B", "C"], "name": ["a", "b", "c"]})
    table = compstat_table(daily, areas, week_end).set_index("area_id")
    # A: last 7 days (Mar 25-31) 6 + 4 = 10; prior 7 days (Mar 18-24) 1; last year
    # (2018-03-26..04-01) 2.  10 vs 1: p = 2 * 11/2048 = 0.0107 -> rise.
    assert (
        table.loc["A", "7d"],
        table.loc["A", "7d_prior"],
        table.loc["A", "7d_last_year"],
    ) == (10, 1, 2)
    assert table.loc["A", "7d_flag_prior"] == RISE
    assert table.loc["A", "28d"] == 11 and table.loc["A", "ytd"] == 11
    assert table.loc["B", "ytd"] == 3 and table.loc["B", "7d"] == 0
    assert table.loc["C", "ytd"] == 0 and table.loc["C", "ytd_flag_last_year"] == STEADY
    weekly = table.loc["A", "weekly"]
    assert (
        len(weekly) == 52 and weekly[-1] == 10 and weekly[-2] == 1 and sum(weekly) == 11
    )
