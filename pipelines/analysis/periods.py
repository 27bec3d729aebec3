"""Time slices shared by hotspots, rankings and the back-test.

Two kinds: calendar months (emerging hot spots, back-test) and fixed blocks of
``days`` ending on the last day of data (rankings: 28-day periods, so the
latest period is never a partial month).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def last_complete_month(as_of: pd.Timestamp) -> pd.Timestamp:
    """Start of the last calendar month fully covered by data ending on ``as_of``.

    Example
    -------
    >>> last_complete_month(pd.Timestamp("2019-12-31")), last_complete_month(
    ...     pd.Timestamp("2019-12-30"))
    (Timestamp('2019-12-01 00:00:00'), Timestamp('2019-11-01 00:00:00'))
    """
    day = pd.Timestamp(as_of).normalize()
    month = day.to_period("M")
    if day != month.end_time.normalize():
        month -= 1
    return month.start_time


def month_starts(last: pd.Timestamp, count: int) -> pd.DatetimeIndex:
    """``count`` consecutive month starts ending with the month of ``last``."""
    end = pd.Timestamp(last).to_period("M")
    return pd.period_range(end - (count - 1), end, freq="M").to_timestamp()


def month_codes(times: pd.Series, first: pd.Timestamp) -> np.ndarray:
    """Months since the month of ``first`` (0 = that month; before it or NaT: < 0)."""
    t = pd.to_datetime(pd.Series(times)).reset_index(drop=True)
    first = pd.Timestamp(first)
    codes = (t.dt.year - first.year) * 12 + (t.dt.month - first.month)
    return codes.fillna(-1).astype("int64").to_numpy()


def block_codes(times: pd.Series, as_of: pd.Timestamp, days: int) -> np.ndarray:
    """Index of the ``days``-long block ending on ``as_of`` (0 = latest, -1 after).

    Block k covers the days ``(as_of - days * (k + 1), as_of - days * k]``, so
    block 0 of 28 days is the same window as the profiles' ``last28``.

    Example
    -------
    >>> block_codes(pd.Series(pd.to_datetime(["2019-03-31", "2019-03-04",
    ...     "2019-03-03"])), pd.Timestamp("2019-03-31"), 28).tolist()
    [0, 0, 1]
    """
    t = pd.to_datetime(pd.Series(times)).reset_index(drop=True).dt.normalize()
    lag = (pd.Timestamp(as_of).normalize() - t).dt.days
    codes = np.floor_divide(lag.fillna(-1).to_numpy(dtype="int64"), days)
    codes[lag.isna().to_numpy() | (lag.to_numpy() < 0)] = -1
    return codes
