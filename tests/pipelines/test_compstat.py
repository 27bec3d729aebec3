"""CompStat summaries on hand-made daily counts whose answers are known."""

from __future__ import annotations

import pandas as pd
import pytest

from pipelines.analysis.compstat import (
    FALL,
    NO_TEST,
    RISE,
    STEADY,
    comparison_notes,
    compstat_table,
    flag,
    latest_complete_week_end,
    periods_ending,
)
from pipelines.analysis.coverage import DataSpan


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
    span = DataSpan(pd.Timestamp("2018-01-01"), pd.Timestamp("2019-03-31"))
    table = compstat_table(daily, areas, week_end, span=span).set_index("area_id")
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


def _steady_daily(first: str, last: str, per_day: int = 30) -> pd.DataFrame:
    days = pd.date_range(first, last)
    return pd.DataFrame({"area_id": "A", "day": days, "n": per_day})


AREAS = pd.DataFrame({"area_id": ["A"], "name": ["a"]})
SPAN_2018_19 = DataSpan(pd.Timestamp("2018-01-01"), pd.Timestamp("2019-12-31"))


def test_a_comparison_before_the_data_is_refused_not_tested():
    # Data from 1 Jan 2018; the week ending 7 Jan 2018 has 210 incidents, and
    # the week before it, the 28 days before and last year all lie before the
    # data. The old table tested 210 against 0 and flagged a significant rise.
    daily = _steady_daily("2018-01-01", "2019-12-31")
    row = compstat_table(
        daily, AREAS, pd.Timestamp("2018-01-07"), span=SPAN_2018_19
    ).iloc[0]
    assert row["7d"] == 210
    for column in ("7d", "28d", "ytd"):
        assert row[f"{column}_flag_last_year"] == NO_TEST
        assert pd.isna(row[f"{column}_last_year"])  # not a zero
    assert row["7d_flag_prior"] == NO_TEST and pd.isna(row["7d_prior"])
    assert row["28d_flag_prior"] == NO_TEST  # the 28 days themselves start in 2017
    assert pd.isna(row["28d"])
    notes = comparison_notes(pd.Timestamp("2018-01-07"), SPAN_2018_19)
    assert any(
        n.startswith("No comparison: the 7 days before (25 Dec 2017") for n in notes
    )
    assert all("1 Jan 2018 to 31 Dec 2019" in n for n in notes)


def test_a_covered_comparison_is_still_tested_and_has_no_note():
    daily = _steady_daily("2018-01-01", "2019-12-31")
    row = compstat_table(
        daily, AREAS, pd.Timestamp("2019-12-29"), span=SPAN_2018_19
    ).iloc[0]
    assert row["7d_prior"] == 210 and row["7d_flag_prior"] == STEADY
    assert row["ytd_flag_last_year"] == STEADY
    assert comparison_notes(pd.Timestamp("2019-12-29"), SPAN_2018_19) == []


def test_sparkline_weeks_outside_the_data_are_left_out_not_drawn_as_zero():
    # 52 weeks ending Sunday 3 Jun 2018 start on Monday 5 Jun 2017; the data
    # starts on 1 Jan 2018 (a Monday): the 30 weeks before it hold no data, and
    # were drawn as 0 (a crash) before the sparkline knew the data's span.
    daily = _steady_daily("2018-01-01", "2019-12-31", per_day=1)
    weekly = compstat_table(
        daily, AREAS, pd.Timestamp("2018-06-03"), span=SPAN_2018_19
    ).iloc[0]["weekly"]
    assert len(weekly) == 52
    assert weekly[:30] == [None] * 30
    assert weekly[30:] == [7] * 22


def test_a_sparkline_week_partly_inside_the_data_is_left_out():
    span = DataSpan(pd.Timestamp("2018-01-03"), pd.Timestamp("2019-12-31"))
    daily = _steady_daily("2018-01-03", "2019-12-31", per_day=1)
    weekly = compstat_table(daily, AREAS, pd.Timestamp("2018-06-03"), span=span)
    weekly = weekly.iloc[0]["weekly"]
    assert weekly[30] is None  # 1-7 Jan 2018 holds only 5 days of data
    assert weekly[31] == 7


def test_compstat_display_has_prior_change_percent_and_worst_first():
    from pipelines.analysis.compstat import compstat_styles, sector_summary

    # A: 28 days of 3 a day (84) after 28 days of 1 a day (28): a significant
    # rise. B: steady at 1 a day. C: 1 a day falling to none: a significant fall.
    days = pd.date_range("2019-01-01", "2019-12-29")
    recent = days > pd.Timestamp("2019-12-01")
    daily = pd.concat(
        [
            pd.DataFrame({"area_id": "A", "day": days, "n": 1 + 2 * recent}),
            pd.DataFrame({"area_id": "B", "day": days, "n": 1}),
            pd.DataFrame({"area_id": "C", "day": days, "n": 1 - recent.astype(int)}),
        ]
    )
    areas = pd.DataFrame({"area_id": ["C", "B", "A"], "name": ["c", "b", "a"]})
    span = DataSpan(pd.Timestamp("2019-01-01"), pd.Timestamp("2019-12-31"))
    table = compstat_table(daily, areas, pd.Timestamp("2019-12-29"), span=span)
    shown = sector_summary(table, pd.DataFrame())
    assert shown["Area"].tolist() == ["A", "B", "C"]  # worst first
    a = shown.iloc[0]
    assert (a["28 days"], a["28 days: prior"], a["28 days: change"]) == (84, 28, 56)
    assert a["28 days: % change"] == 200.0 and a["28 days: sig."] == "▲ sig."
    assert a["28 days: p"] == "p < 0.001"
    assert shown.iloc[2]["28 days: sig."] == "▼ sig."
    assert shown.iloc[1]["28 days: sig."] == "" and shown.iloc[1]["28 days: p"] == (
        "p = 1.00"
    )
    styles = compstat_styles(shown)
    assert "#b71c1c" in styles.loc[0, "28 days"]  # red: a significant rise
    assert "#1b5e20" in styles.loc[2, "28 days"]  # green: a significant fall
    assert styles.loc[1, "28 days"] == ""
