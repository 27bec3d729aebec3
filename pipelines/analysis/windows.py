"""Time windows in one place: the last 7 and 28 days, year to date, the period
before, the same period last year, and the 29 February rule.

Every window is an inclusive range of whole days. The functions work on
``datetime.date`` (the dashboard's date pickers) and on normalised
``pandas.Timestamp`` (the build) alike, and return the type they were given.
Used by the area profiles, the sector summary (CompStat), the watch meeting and
the area profile page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Generic, TypeVar

import pandas as pd

WEEK_DAYS = 7
PERIOD_DAYS = 28
YEAR_DAYS = 365
WEEKS_YEAR_DAYS = 364
"""A year earlier, weekday for weekday: 52 weeks (used for 7- and 28-day windows)."""

Day = TypeVar("Day", date, pd.Timestamp)


@dataclass(frozen=True)
class DayRange(Generic[Day]):
    """An inclusive range of whole days, ``start`` to ``end``.

    Example
    -------
    >>> DayRange(date(2019, 3, 4), date(2019, 3, 31)).days
    28
    """

    start: Day
    end: Day

    @property
    def days(self) -> int:
        """Number of days in the range, both ends counted."""
        return (self.end - self.start).days + 1

    def as_tuple(self) -> tuple[Day, Day]:
        """``(start, end)``."""
        return self.start, self.end


def trailing(end: Day, days: int) -> DayRange[Day]:
    """The ``days`` days ending on ``end`` (inclusive).

    Example
    -------
    >>> trailing(date(2019, 3, 31), 28).start
    datetime.date(2019, 3, 4)
    """
    return DayRange(end - timedelta(days=days - 1), end)


def preceding(window: DayRange[Day]) -> DayRange[Day]:
    """The range of the same length that ends the day before ``window`` starts.

    Example
    -------
    >>> preceding(trailing(date(2019, 3, 31), 28)).as_tuple()
    (datetime.date(2019, 2, 4), datetime.date(2019, 3, 3))
    """
    end = window.start - timedelta(days=1)
    return DayRange(end - timedelta(days=window.days - 1), end)


def shifted(window: DayRange[Day], days: int) -> DayRange[Day]:
    """``window`` moved ``days`` days earlier."""
    step = timedelta(days=days)
    return DayRange(window.start - step, window.end - step)


def weeks_year_earlier(window: DayRange[Day]) -> DayRange[Day]:
    """The same weekdays a year earlier: ``window`` moved back 52 weeks (364 days).

    Example
    -------
    >>> weeks_year_earlier(trailing(date(2020, 2, 29), 7)).as_tuple()
    (datetime.date(2019, 2, 24), datetime.date(2019, 3, 2))
    """
    return shifted(window, WEEKS_YEAR_DAYS)


def same_day_last_year(day: Day) -> Day:
    """The same calendar day a year earlier; 29 February becomes 28 February.

    Example
    -------
    >>> same_day_last_year(date(2020, 2, 29)), same_day_last_year(date(2019, 3, 1))
    (datetime.date(2019, 2, 28), datetime.date(2018, 3, 1))
    """
    if day.month == 2 and day.day == 29:
        return day.replace(year=day.year - 1, day=28)
    return day.replace(year=day.year - 1)


def year_to_date(end: Day) -> DayRange[Day]:
    """1 January of ``end``'s year to ``end``.

    Example
    -------
    >>> year_to_date(date(2020, 2, 29)).days
    60
    """
    return DayRange(end.replace(month=1, day=1), end)


def prior_year_to_date(end: Day) -> DayRange[Day]:
    """1 January of the previous year to :func:`same_day_last_year` of ``end``.

    Example
    -------
    >>> prior_year_to_date(date(2020, 2, 29)).as_tuple()
    (datetime.date(2019, 1, 1), datetime.date(2019, 2, 28))
    """
    last = same_day_last_year(end)
    return DayRange(last.replace(month=1, day=1), last)


def ytd_exposure_ratio(end: Day) -> float:
    """Days of this year to date over days of the same part of last year.

    Example
    -------
    >>> ytd_exposure_ratio(date(2020, 2, 29)) == 60 / 59
    True
    """
    return year_to_date(end).days / prior_year_to_date(end).days


@dataclass(frozen=True)
class ProfileWindows:
    """The area profile's windows ending on ``as_of``, as ``(start, end)`` pairs.

    Example
    -------
    >>> ProfileWindows(pd.Timestamp("2019-03-31")).prior28[0]
    Timestamp('2019-02-04 00:00:00')
    """

    as_of: pd.Timestamp

    @property
    def last28(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        return trailing(self.as_of, PERIOD_DAYS).as_tuple()

    @property
    def prior28(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        return preceding(trailing(self.as_of, PERIOD_DAYS)).as_tuple()

    @property
    def ytd(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        return year_to_date(self.as_of).as_tuple()

    @property
    def prior_ytd(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        return prior_year_to_date(self.as_of).as_tuple()

    @property
    def last365(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        return trailing(self.as_of, YEAR_DAYS).as_tuple()


@dataclass(frozen=True)
class Period:
    """An inclusive day range and the two ranges it is compared with."""

    name: str
    start: pd.Timestamp
    end: pd.Timestamp
    prior_start: pd.Timestamp
    prior_end: pd.Timestamp
    last_year_start: pd.Timestamp
    last_year_end: pd.Timestamp


def latest_complete_week_end(last_day: pd.Timestamp) -> pd.Timestamp:
    """The last Sunday on or before ``last_day`` (weeks run Monday to Sunday).

    Example
    -------
    >>> latest_complete_week_end(pd.Timestamp("2019-03-30"))
    Timestamp('2019-03-24 00:00:00')
    """
    last_day = pd.Timestamp(last_day).normalize()
    return last_day - pd.Timedelta(days=(last_day.weekday() + 1) % 7)


def periods_ending(week_end: pd.Timestamp) -> list[Period]:
    """7-day, 28-day and year-to-date periods ending on ``week_end``.

    Last year's periods are shifted 364 days (52 weeks, same weekdays) for the
    7- and 28-day periods, and are Jan 1 to the same date for year to date
    (whose prior period is that same range).

    Example
    -------
    >>> [p.name for p in periods_ending(pd.Timestamp("2019-03-31"))]
    ['7d', '28d', 'ytd']
    """
    end = pd.Timestamp(week_end).normalize()
    out = []
    for name, days in (("7d", WEEK_DAYS), ("28d", PERIOD_DAYS)):
        now = trailing(end, days)
        out.append(
            Period(
                name,
                *now.as_tuple(),
                *preceding(now).as_tuple(),
                *weeks_year_earlier(now).as_tuple(),
            )
        )
    last_year = prior_year_to_date(end)
    out.append(
        Period(
            "ytd",
            *year_to_date(end).as_tuple(),
            *last_year.as_tuple(),
            *last_year.as_tuple(),
        )
    )
    return out
