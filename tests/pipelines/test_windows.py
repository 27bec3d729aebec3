"""The time windows, on dates checkable with a calendar."""

from datetime import date

import pandas as pd
import pytest

from pipelines.analysis import windows as w


def test_trailing_and_preceding_28_days() -> None:
    last = w.trailing(date(2019, 3, 31), 28)
    assert last.as_tuple() == (date(2019, 3, 4), date(2019, 3, 31))
    assert last.days == 28
    assert w.preceding(last).as_tuple() == (date(2019, 2, 4), date(2019, 3, 3))


def test_seven_days_a_year_earlier_keeps_weekdays() -> None:
    week = w.trailing(date(2019, 3, 31), 7)  # a Sunday
    earlier = w.weeks_year_earlier(week)
    assert earlier.as_tuple() == (date(2018, 3, 26), date(2018, 4, 1))
    assert earlier.end.weekday() == week.end.weekday() == 6


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2020, 2, 29), date(2019, 2, 28)),  # the 29 February rule
        (date(2020, 3, 1), date(2019, 3, 1)),
        (date(2019, 12, 31), date(2018, 12, 31)),
        (date(2021, 2, 28), date(2020, 2, 28)),
    ],
)
def test_same_day_last_year(day: date, expected: date) -> None:
    assert w.same_day_last_year(day) == expected


def test_year_to_date_on_29_february() -> None:
    assert w.year_to_date(date(2020, 2, 29)).as_tuple() == (
        date(2020, 1, 1),
        date(2020, 2, 29),
    )
    assert w.prior_year_to_date(date(2020, 2, 29)).as_tuple() == (
        date(2019, 1, 1),
        date(2019, 2, 28),
    )
    assert w.ytd_exposure_ratio(date(2020, 2, 29)) == 60 / 59
    assert w.ytd_exposure_ratio(date(2019, 3, 1)) == 1.0


def test_timestamps_stay_timestamps() -> None:
    ytd = w.prior_year_to_date(pd.Timestamp("2020-02-29"))
    assert ytd.as_tuple() == (pd.Timestamp("2019-01-01"), pd.Timestamp("2019-02-28"))
    assert isinstance(ytd.end, pd.Timestamp)


def test_profile_windows() -> None:
    p = w.ProfileWindows(pd.Timestamp("2020-02-29"))
    assert p.last28 == (pd.Timestamp("2020-02-02"), pd.Timestamp("2020-02-29"))
    assert p.prior28 == (pd.Timestamp("2020-01-05"), pd.Timestamp("2020-02-01"))
    assert p.ytd == (pd.Timestamp("2020-01-01"), pd.Timestamp("2020-02-29"))
    assert p.prior_ytd == (pd.Timestamp("2019-01-01"), pd.Timestamp("2019-02-28"))
    assert p.last365 == (pd.Timestamp("2019-03-02"), pd.Timestamp("2020-02-29"))


def test_periods_ending_a_sunday() -> None:
    seven, twenty_eight, ytd = w.periods_ending(pd.Timestamp("2019-03-31"))
    assert (seven.start, seven.prior_start, seven.prior_end) == (
        pd.Timestamp("2019-03-25"),
        pd.Timestamp("2019-03-18"),
        pd.Timestamp("2019-03-24"),
    )
    assert (seven.last_year_start, seven.last_year_end) == (
        pd.Timestamp("2018-03-26"),
        pd.Timestamp("2018-04-01"),
    )
    assert twenty_eight.start == pd.Timestamp("2019-03-04")
    assert (ytd.start, ytd.prior_start, ytd.prior_end, ytd.last_year_end) == (
        pd.Timestamp("2019-01-01"),
        pd.Timestamp("2018-01-01"),
        pd.Timestamp("2018-03-31"),
        pd.Timestamp("2018-03-31"),
    )


def test_latest_complete_week_end() -> None:
    assert w.latest_complete_week_end(pd.Timestamp("2019-03-31")) == pd.Timestamp(
        "2019-03-31"
    )
    assert w.latest_complete_week_end(pd.Timestamp("2019-03-30")) == pd.Timestamp(
        "2019-03-24"
    )
