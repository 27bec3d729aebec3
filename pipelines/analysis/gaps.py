"""Holes in an export: months and weeks whose count falls far below the expected.

A department's export can lose months (a records-system migration, a failed
extract): a month holds a few incidents instead of thousands. Drawn as data
it looks like crime fell; scored in a back-test it rewards whatever predicted
nothing. Rule, per period (month or ISO week, Monday first):

- expected = the median count of the neighbouring periods (12 months or 26
  weeks either side, the period itself excluded), scaled by the share of the
  period the data covers (a leading or trailing partial period is compared
  with its covered days only);
- a gap when observed < ``max_ratio`` (20%) of expected AND the Poisson
  lower tail ``P(X <= observed | expected)`` < ``alpha`` (0.001).

A hole of up to a third of the window leaves the median at the normal level,
so a four-month hole is found whole; a seasonal dip (St. Louis's lowest
month is about 30% below its highest) is far above 20% of the median. Fewer
than ``min_periods`` (6) periods: no test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import duckdb
import numpy as np
import pandas as pd
from scipy.stats import poisson

from pipelines import store

Granularity = Literal["month", "week"]
GAP_COLUMNS: Final = [
    "granularity",
    "period_start",
    "period_end",
    "observed",
    "expected",
    "p_value",
]
_HALF_WINDOW: Final = {"month": 12, "week": 26}


@dataclass(frozen=True)
class GapSettings:
    """Thresholds of the gap rule (module docstring)."""

    max_ratio: float = 0.2
    alpha: float = 0.001
    min_periods: int = 6


def detect_gaps(
    daily: pd.Series,
    granularity: Granularity = "month",
    first_day: pd.Timestamp | None = None,
    last_day: pd.Timestamp | None = None,
    settings: GapSettings | None = None,
) -> pd.DataFrame:
    """Periods whose count falls far below the expected level.

    Parameters
    ----------
    daily : Series
        Counts indexed by day (days without incidents may be missing).
    granularity : {"month", "week"}
    first_day, last_day : Timestamp, optional
        The days the data covers (default: the first and last day in ``daily``).
    settings : GapSettings, optional

    Returns
    -------
    DataFrame
        :data:`GAP_COLUMNS`; ``period_end`` is exclusive.

    Example
    -------
    >>> days = pd.date_range("2019-01-01", "2019-12-31")
    >>> n = pd.Series(60, index=days).where(days.month != 6, 0)
    >>> detect_gaps(n)["period_start"].dt.strftime("%Y-%m").tolist()
    ['2019-06']
    """
    settings = settings or GapSettings()
    if daily.empty:
        return pd.DataFrame(columns=GAP_COLUMNS)
    days = pd.DatetimeIndex(daily.index).normalize()
    first = pd.Timestamp(first_day or days.min()).normalize()
    last = pd.Timestamp(last_day or days.max()).normalize()
    starts = _period_starts(first, last, granularity)
    ends = _period_ends(starts, granularity)
    if len(starts) < settings.min_periods:
        return pd.DataFrame(columns=GAP_COLUMNS)
    period = np.searchsorted(starts.to_numpy(), days.to_numpy(), side="right") - 1
    observed = np.bincount(
        period, weights=daily.to_numpy("float64"), minlength=len(starts)
    )
    covered = _covered_share(starts, ends, first, last)
    expected = _expected(observed, covered, _HALF_WINDOW[granularity])
    p_value = poisson.cdf(observed, np.maximum(expected, 1e-12))
    gap = _inside_the_series(
        (observed < settings.max_ratio * expected) & (p_value < settings.alpha),
        observed,
        _YEAR[granularity],
    )
    return pd.DataFrame(
        {
            "granularity": granularity,
            "period_start": starts[gap],
            "period_end": ends[gap],
            "observed": observed[gap].astype("int64"),
            "expected": np.round(expected[gap], 1),
            "p_value": p_value[gap],
        }
    )[GAP_COLUMNS].reset_index(drop=True)


_YEAR = {"month": 12, "week": 52}


def _inside_the_series(low: np.ndarray, observed: np.ndarray, top: int) -> np.ndarray:
    """Low periods from the first one that reaches half the series' usual level
    (the median of its ``top`` busiest periods: a year's worth) on. Periods
    before it are the export's lead-in, not a hole: incidents that occurred
    before the first exported month and were reported later (the bundled
    2018-19 St. Louis sample holds 273 for December 2017, and a few a month
    back to 1973). A low run at the end stays a gap: a last month missing from
    an export must be reported."""
    if not len(observed):
        return low
    level = np.median(np.sort(observed)[-top:])
    body = np.flatnonzero(observed >= 0.5 * level)
    inside = np.zeros_like(low)
    if len(body):
        inside[body[0] :] = True
    return low & inside


def _period_starts(
    first: pd.Timestamp, last: pd.Timestamp, granularity: Granularity
) -> pd.DatetimeIndex:
    if granularity == "month":
        return pd.date_range(first.to_period("M").start_time, last, freq="MS")
    monday = first - pd.Timedelta(days=first.weekday())
    return pd.date_range(monday, last, freq="7D")


def _period_ends(
    starts: pd.DatetimeIndex, granularity: Granularity
) -> pd.DatetimeIndex:
    if granularity == "month":
        return starts + pd.offsets.MonthBegin(1)
    return starts + pd.Timedelta(days=7)


def _covered_share(
    starts: pd.DatetimeIndex,
    ends: pd.DatetimeIndex,
    first: pd.Timestamp,
    last: pd.Timestamp,
) -> np.ndarray:
    """Share of each period's days inside [first, last]."""
    length = (ends - starts).days.to_numpy("float64")
    lo = np.maximum(starts.to_numpy(), first.to_datetime64())
    hi = np.minimum(ends.to_numpy(), (last + pd.Timedelta(days=1)).to_datetime64())
    inside = (hi - lo) / np.timedelta64(1, "D")
    return np.clip(inside / length, 0.0, 1.0)


def _expected(observed: np.ndarray, covered: np.ndarray, half: int) -> np.ndarray:
    """Median full-period rate of the neighbours, times each period's coverage."""
    rate = np.where(covered > 0, observed / np.maximum(covered, 1e-12), np.nan)
    # Partial periods say little about the level: only full ones are neighbours.
    rate = np.where(covered >= 0.5, rate, np.nan)
    out = np.empty(len(observed))
    for i in range(len(observed)):
        lo, hi = max(0, i - half), min(len(observed), i + half + 1)
        neighbours = np.delete(rate[lo:hi], i - lo)
        neighbours = neighbours[np.isfinite(neighbours)]
        out[i] = np.median(neighbours) * covered[i] if len(neighbours) else 0.0
    return out


def gaps_from_daily(
    daily: pd.DataFrame, settings: GapSettings | None = None
) -> pd.DataFrame:
    """Monthly and weekly gaps of a ``day, n`` frame (the whole jurisdiction)."""
    series = daily.groupby(pd.to_datetime(daily["day"]))["n"].sum()
    return pd.concat(
        [detect_gaps(series, g, settings=settings) for g in ("month", "week")],
        ignore_index=True,
    )


def refresh_gaps(con: duckdb.DuckDBPyConnection, level: str) -> pd.DataFrame:
    """Write ``data_gaps`` from ``daily_counts`` (one level: every report once)."""
    daily = con.execute(
        "SELECT day, sum(n)::BIGINT AS n FROM daily_counts WHERE level = ? "
        "GROUP BY day",
        [level],
    ).df()
    gaps = gaps_from_daily(daily) if len(daily) else pd.DataFrame(columns=GAP_COLUMNS)
    store.replace_table(con, "data_gaps", gaps)
    return gaps


def load_gaps(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The store's ``data_gaps`` (empty, with its columns, in a store without it)."""
    if not store.table_exists(con, "data_gaps"):
        return pd.DataFrame(columns=GAP_COLUMNS)
    return con.execute(
        "SELECT * FROM data_gaps ORDER BY granularity, period_start"
    ).df()


def in_gap(stamps: pd.Series | pd.DatetimeIndex, gaps: pd.DataFrame) -> np.ndarray:
    """True where a timestamp falls inside any gap period (month or week)."""
    values = pd.DatetimeIndex(stamps).to_numpy()
    out = np.zeros(len(values), dtype=bool)
    for start, end in zip(gaps["period_start"], gaps["period_end"], strict=True):
        out |= (values >= np.datetime64(pd.Timestamp(start))) & (
            values < np.datetime64(pd.Timestamp(end))
        )
    return out


def describe_gaps(gaps: pd.DataFrame) -> list[str]:
    """One line per gap month (weeks summarised), for ``check`` and the build."""
    months = gaps[gaps["granularity"] == "month"]
    weeks = gaps[gaps["granularity"] == "week"]
    lines = [
        f"  {pd.Timestamp(r.period_start):%Y-%m}: {int(r.observed):,} incidents, "
        f"expected about {r.expected:,.0f} (p = {r.p_value:.1e})"
        for r in months.itertuples()
    ]
    if len(weeks):
        lines.append(
            f"  {len(weeks)} week(s) below the expected level, "
            f"{pd.Timestamp(weeks['period_start'].min()):%Y-%m-%d} to "
            f"{pd.Timestamp(weeks['period_end'].max()) - pd.Timedelta(days=1):%Y-%m-%d}"
        )
    if not lines:
        return ["Data gaps: no month or week falls far below the expected level."]
    return [
        "Data gaps (count below 20% of the neighbours' median, Poisson p < 0.001; "
        "drawn as breaks in trend charts and left out of back-test scoring):",
        *lines,
    ]


def overlaps_gap(
    starts: pd.Series | pd.DatetimeIndex, days: int, gaps: pd.DataFrame | None
) -> np.ndarray:
    """True where the period ``[start, start + days)`` overlaps any gap.

    Chart builders blank those values (NaN, drawn as a break in the line, not
    a fall to zero).
    """
    values = pd.DatetimeIndex(starts).to_numpy()
    out = np.zeros(len(values), dtype=bool)
    if gaps is None or gaps.empty:
        return out
    span = np.timedelta64(days, "D")
    for start, end in zip(gaps["period_start"], gaps["period_end"], strict=True):
        lo, hi = np.datetime64(pd.Timestamp(start)), np.datetime64(pd.Timestamp(end))
        out |= (values < hi) & (values + span > lo)
    return out
