"""What the data covers: the days a comparison or a trend may use.

An export's first months hold only the late-reported stragglers of earlier
years (the bundled 2018-19 St. Louis sample has a few incidents a month back to
1973), so the data "starts" at the first month that reaches half the series'
usual level (the rule of :mod:`pipelines.analysis.gaps`), and ends on the last
day with an incident. A window not inside that span is never tested as if it
held zero crimes: :func:`uncovered_note` says so in words, and trend bins that
are only partly inside it are marked partial by :func:`partial_bins`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from pipelines.analysis.windows import DayRange

HALF_LEVEL = 0.5
"""A month belongs to the data once it reaches this share of the usual level."""
YEAR_MONTHS = 12


@dataclass(frozen=True)
class DataSpan:
    """The inclusive days the data covers, ``first`` to ``last``."""

    first: pd.Timestamp
    last: pd.Timestamp

    def covers(self, window: DayRange) -> bool:
        """Whether every day of ``window`` lies inside the span."""
        start, end = (pd.Timestamp(d).normalize() for d in window.as_tuple())
        return self.first <= start and end <= self.last

    def words(self) -> str:
        """The span in words, e.g. ``1 Jan 2018 to 31 Dec 2019``."""
        return f"{self.first:%-d %b %Y} to {self.last:%-d %b %Y}"


def span_from_daily(daily: pd.DataFrame) -> DataSpan | None:
    """The span of a ``day, n`` frame (one row per day or per day and area).

    Returns ``None`` for an empty frame.

    Example
    -------
    >>> days = pd.date_range("2018-01-01", "2019-12-31")
    >>> frame = pd.DataFrame({"day": days, "n": 30})
    >>> stray = pd.DataFrame({"day": [pd.Timestamp("2001-05-02")], "n": [1]})
    >>> span_from_daily(pd.concat([stray, frame])).words()
    '1 Jan 2018 to 31 Dec 2019'
    """
    if daily.empty:
        return None
    days = pd.to_datetime(daily["day"]).dt.normalize()
    monthly = daily["n"].groupby(days.dt.to_period("M")).sum().sort_index()
    level = np.median(np.sort(monthly.to_numpy())[-YEAR_MONTHS:])
    body = monthly[monthly.to_numpy() >= HALF_LEVEL * level]
    first_month = body.index[0] if len(body) else monthly.index[0]
    first = max(
        first_month.start_time, days[days.dt.to_period("M") >= first_month].min()
    )
    return DataSpan(pd.Timestamp(first).normalize(), days.max())


def uncovered_note(span: DataSpan | None, window: DayRange, label: str) -> str | None:
    """Words saying why ``window`` cannot be compared, or ``None`` when it can.

    ``label`` names the window (e.g. ``"The period before"``).

    Example
    -------
    >>> span = DataSpan(pd.Timestamp("2018-01-01"), pd.Timestamp("2019-12-31"))
    >>> before = DayRange(date(2016, 1, 1), date(2017, 12, 31))
    >>> uncovered_note(span, before, "The period before")[:60]
    'No comparison: the period before (1 Jan 2016 to 31 Dec 2017)'
    >>> march = DayRange(date(2018, 3, 1), date(2018, 3, 31))
    >>> uncovered_note(span, march, "Last year") is None
    True
    """
    if span is not None and span.covers(window):
        return None
    start, end = (pd.Timestamp(d) for d in window.as_tuple())
    where = (
        "lies outside"
        if span is None or end < span.first or start > span.last
        else "is not fully inside"
    )
    data = (
        f"the data ({span.words()})" if span is not None else "the data (none loaded)"
    )
    return (
        f"No comparison: {label[:1].lower()}{label[1:]} ({start:%-d %b %Y} to "
        f"{end:%-d %b %Y}) {where} {data}."
    )


def partial_bins(
    starts: pd.Series | pd.DatetimeIndex, days: int | str, span: DataSpan | None
) -> np.ndarray:
    """Whether each trend bin is only partly inside ``span``.

    ``starts`` are the bins' first days; ``days`` is the bin length in days, or
    ``"month"`` for calendar months. A bin partly outside the data (the last
    week holding two days) must be drawn as partial or left out, never as a fall.

    Example
    -------
    >>> span = DataSpan(pd.Timestamp("2019-01-01"), pd.Timestamp("2019-12-31"))
    >>> partial_bins(pd.to_datetime(["2019-12-23", "2019-12-30"]), 7, span).tolist()
    [False, True]
    """
    starts = pd.DatetimeIndex(pd.to_datetime(starts)).normalize()
    if span is None:
        return np.ones(len(starts), dtype=bool)
    if days == "month":
        ends = starts + pd.offsets.MonthEnd(0)
    else:
        ends = starts + pd.Timedelta(days=int(days) - 1)
    return np.asarray((starts < span.first) | (ends > span.last))


def as_date(day: pd.Timestamp) -> date:
    """A span day as ``datetime.date`` (the dashboard's date pickers)."""
    return pd.Timestamp(day).date()
