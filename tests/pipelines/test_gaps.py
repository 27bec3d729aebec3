"""The gap rule on hand-made series whose answers are checked by hand."""

import numpy as np
import pandas as pd

from pipelines.analysis.gaps import describe_gaps, detect_gaps, gaps_from_daily, in_gap


def _daily(per_month: dict[str, int], start="2017-01-01", end="2020-12-31"):
    """~``per_day`` counts per day; months listed in ``per_month`` get that total."""
    days = pd.date_range(start, end)
    counts = pd.Series(66, index=days, dtype="int64")  # about 2,000 a month
    for month, total in per_month.items():
        inside = days.to_period("M") == pd.Period(month)
        counts[inside] = 0
        counts.iloc[np.flatnonzero(inside)[:total]] = (
            1  # ``total`` incidents that month
        )
    return counts


def test_four_month_hole_flags_exactly_those_months():
    hole = {"2019-05": 3, "2019-06": 5, "2019-07": 2, "2019-08": 4}
    gaps = detect_gaps(_daily(hole))
    assert gaps["period_start"].dt.strftime("%Y-%m").tolist() == list(hole)
    assert gaps["observed"].tolist() == [3, 5, 2, 4]
    # expected: the median of the 24 neighbouring months (66 a day: 1,848 in a
    # February, 1,980 in 30-day and 2,046 in 31-day months), whole months only
    assert gaps["expected"].between(1_980, 2_046).all()
    assert (gaps["p_value"] < 1e-100).all()


def test_weeks_inside_the_hole_are_flagged_too():
    hole = {"2019-05": 0, "2019-06": 0, "2019-07": 0, "2019-08": 0}
    weeks = detect_gaps(_daily(hole), "week")
    # Mondays 2019-05-06 .. 2019-08-19 lie wholly in the hole; the week of
    # 26 Aug has 6 of 7 days in it (66 of 462 expected: 14%, flagged); the week
    # of 29 Apr only 2 of 7 (330 of 462: 71%, not flagged)
    starts = weeks["period_start"]
    assert starts.min() == pd.Timestamp("2019-05-06")
    assert starts.max() == pd.Timestamp("2019-08-26")
    assert len(weeks) == 17


def test_seasonal_series_flags_nothing():
    days = pd.date_range("2015-01-01", "2019-12-31")
    # winter lows 40% below summer highs, with Poisson noise
    rate = 60 * (1 + 0.3 * np.sin(2 * np.pi * (days.day_of_year - 100) / 365.25))
    counts = pd.Series(np.random.default_rng(3).poisson(rate), index=days)
    assert detect_gaps(counts).empty
    assert detect_gaps(counts, "week").empty


def test_partial_first_and_last_months_are_not_gaps():
    # data from 25 Jan to 4 Dec: the first and last months hold a few days only
    days = pd.date_range("2019-01-25", "2019-12-04")
    counts = pd.Series(66, index=days)
    assert detect_gaps(counts).empty
    assert detect_gaps(counts, "week").empty


def test_a_true_hole_in_a_partial_last_month_is_still_a_gap():
    days = pd.date_range("2019-01-01", "2019-12-20")
    counts = pd.Series(66, index=days).where(days < "2019-12-01", 0)
    gaps = detect_gaps(counts)
    assert gaps["period_start"].dt.strftime("%Y-%m").tolist() == ["2019-12"]
    assert gaps["expected"].iloc[0] == 66 * 20  # 20 covered days of December


def test_small_counts_need_a_significant_fall():
    # 10 a month, one month with 1: below 20% but P(X<=1 | 10) = 5e-4 ... flagged;
    # a month with 2: P(X<=2 | 10) = 2.8e-3, not significant
    months = pd.date_range("2018-01-01", "2019-12-01", freq="MS")
    counts = pd.Series(10, index=months)
    counts[pd.Timestamp("2018-06-01")] = 1
    counts[pd.Timestamp("2019-06-01")] = 2
    gaps = detect_gaps(
        counts,
        first_day=pd.Timestamp("2018-01-01"),
        last_day=pd.Timestamp("2019-12-31"),
    )
    assert gaps["period_start"].tolist() == [pd.Timestamp("2018-06-01")]


def test_short_series_is_not_tested():
    days = pd.date_range("2019-01-01", "2019-04-30")
    assert detect_gaps(pd.Series(0, index=days).where(days.month != 2, 5)).empty


def test_in_gap_marks_timestamps_and_description_names_months():
    gaps = gaps_from_daily(
        _daily({"2019-05": 0}).rename("n").rename_axis("day").reset_index()
    )
    mask = in_gap(
        pd.to_datetime(
            ["2019-04-30", "2019-05-01", "2019-05-31T23:00"], format="ISO8601"
        ),
        gaps,
    )
    assert mask.tolist() == [False, True, True]
    lines = describe_gaps(gaps)
    assert lines[1].startswith("  2019-05: 0 incidents, expected about 2,0")
    assert describe_gaps(gaps.iloc[0:0]) == [
        "Data gaps: no month or week falls far below the expected level."
    ]


def test_weekly_trend_frame_is_null_not_zero_over_a_gap():
    from pipelines.analysis.profiles import align_prior_year
    from pipelines.render.charts import weekly_trend_chart

    gaps = pd.DataFrame(
        {
            "granularity": ["month"],
            "period_start": [pd.Timestamp("2019-05-01")],
            "period_end": [pd.Timestamp("2019-06-01")],
        }
    )
    weeks = pd.date_range("2019-04-01", "2019-06-24", freq="W-MON")
    weekly = pd.DataFrame({"week": weeks, "n": 5})
    frame = align_prior_year(weekly, weekly.iloc[0:0], "2019-04-01", "2019-06-30", gaps)
    this = frame[frame["series"] == "selected period"].set_index("week")["n"]
    # weeks of 29 Apr .. 27 May overlap May; the prior year has no gap (zeros)
    assert this.isna().tolist() == [False] * 4 + [True] * 5 + [False] * 4
    prior = frame[frame["series"] == "a year earlier"]["n"]
    assert (prior == 0).all()
    spec = weekly_trend_chart(frame).to_dict()
    assert spec["mark"]["invalid"] == "break-paths-show-domains"
    values = spec["datasets"][spec["data"]["name"]]
    gap_rows = [
        v for v in values if v["series"] == "selected period" and v["n"] is None
    ]
    assert len(gap_rows) == 5


def test_sparkline_week_over_a_gap_is_none_not_zero():
    from pipelines.analysis.compstat import SPARK_WEEKS, compstat_table

    days = pd.date_range("2018-06-01", "2019-06-30")
    daily = pd.DataFrame({"area_id": "A", "day": days, "n": 3})
    daily = daily[(daily["day"] < "2019-05-01") | (daily["day"] >= "2019-06-01")]
    gaps = pd.DataFrame(
        {
            "granularity": ["month"],
            "period_start": [pd.Timestamp("2019-05-01")],
            "period_end": [pd.Timestamp("2019-06-01")],
        }
    )
    areas = pd.DataFrame({"area_id": ["A", "B"], "name": ["a", "b"]})
    end = pd.Timestamp("2019-06-30")  # a Sunday; the last week starts 24 June
    table = compstat_table(daily, areas, end, gaps)
    weekly = table.loc[0, "weekly"]
    assert len(weekly) == SPARK_WEEKS
    # weeks starting 29 Apr .. 27 May overlap May: positions 43..47
    assert [i for i, v in enumerate(weekly) if v is None] == [43, 44, 45, 46, 47]
    assert weekly[42] == 21 and weekly[48] == 21
    # an area with no incidents gets zeros, but still a break over the gap
    assert table.loc[1, "weekly"][43] is None and table.loc[1, "weekly"][0] == 0
    assert compstat_table(daily, areas, end).loc[0, "weekly"][44] == 0


def test_watch_meeting_months_in_a_gap_say_so_instead_of_a_small_count():
    from pipelines.community import public
    from pipelines.community.watch_report import GAP_TEXT, _mark_gaps
    from pipelines.render.public_maps import public_monthly_chart

    months = pd.date_range("2018-01-01", periods=12, freq="MS")
    counts = [900, 880, 910, 2, 5, 1, 0, 890, 905, 870, 1, 2]
    gaps = pd.DataFrame(
        {
            "granularity": ["month"] * 4,
            "period_start": pd.date_range("2018-04-01", periods=4, freq="MS"),
            "period_end": pd.date_range("2018-05-01", periods=4, freq="MS"),
        }
    )
    frame = pd.DataFrame({"month": months, "n": counts})
    frame["label"] = frame["month"].dt.strftime("%b %Y")
    marked = _mark_gaps(public.public_counts(frame, 3), gaps)
    assert marked["gap"].tolist() == [False] * 3 + [True] * 4 + [False] * 5
    assert marked.loc[3:6, "n_text"].eq(GAP_TEXT).all()
    assert (
        marked.loc[3:6, "n"].isna().all() and not marked.loc[3:6, "n_suppressed"].any()
    )
    # months 11 and 12 are small counts, not a gap: they stay withheld
    assert marked.loc[10:11, "n_suppressed"].all()
    assert marked.loc[10:11, "n_text"].str.startswith("fewer").all()
    values = public_monthly_chart(marked, 3).to_dict()["datasets"]
    rows = next(iter(values.values()))
    assert [r["n"] for r in rows][3:7] == [None] * 4


def test_low_months_before_the_exports_first_month_are_not_gaps():
    # An export of 2018-2019 also holds a few incidents a week that occurred in
    # the years before (reported late) and 9 in December 2017: that lead-in is
    # not a hole. A hole in the middle is.
    days = pd.date_range("2015-01-01", "2019-12-31")
    n = pd.Series(60, index=days)
    n[days < "2018-01-01"] = 0
    n[(days < "2017-12-01") & (days.day_of_week == 0)] = 1
    n[days == "2017-12-15"] = 9
    n[(days >= "2019-03-01") & (days < "2019-05-01")] = 0
    flagged = detect_gaps(n)["period_start"].dt.strftime("%Y-%m").tolist()
    assert flagged == ["2019-03", "2019-04"]
