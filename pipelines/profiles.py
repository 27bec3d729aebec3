"""Area profiles from daily counts (pure functions on small aggregate frames).

A profile row holds, per level, area and category (``all`` included): the
last 28 days against the 28 before, year to date against the same days of the
previous year (each with the exact Poisson test), and the last 365 days as a
count, a rate per 1,000 residents and a density per km2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines import schema as s
from pipelines.trends import compare_counts

DAY = "day"
N = "n"
LEVEL = "level"
AREA_ID = "area_id"


@dataclass(frozen=True)
class Windows:
    """The comparison windows ending on ``as_of`` (inclusive day ranges)."""

    as_of: pd.Timestamp

    @property
    def last28(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        return self.as_of - pd.Timedelta(days=27), self.as_of

    @property
    def prior28(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        return self.as_of - pd.Timedelta(days=55), self.as_of - pd.Timedelta(days=28)

    @property
    def ytd(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        return pd.Timestamp(self.as_of.year, 1, 1), self.as_of

    @property
    def prior_ytd(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        start = pd.Timestamp(self.as_of.year - 1, 1, 1)
        return start, _same_day_last_year(self.as_of)

    @property
    def last365(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        return self.as_of - pd.Timedelta(days=364), self.as_of


def build_profiles(
    daily: pd.DataFrame, areas: pd.DataFrame, as_of: pd.Timestamp
) -> pd.DataFrame:
    """Profile metrics for every area and category (plus ``all``).

    Parameters
    ----------
    daily : DataFrame
        ``level, area_id, category, day, n`` (one row per non-zero day).
    areas : DataFrame
        ``level, area_id, name, population, area_km2`` for every area, so areas
        with no incidents still get a row of zeros.
    as_of : Timestamp
        Last day of data; windows end here.

    Returns
    -------
    DataFrame
        One row per (level, area_id, category) with counts, p-values, verdicts,
        ``rate_per_1000`` (last 365 days; NaN where nobody lives) and
        ``per_km2``.
    """
    w = Windows(pd.Timestamp(as_of).normalize())
    with_all = pd.concat(
        [daily, daily.assign(**{s.CATEGORY: s.ALL_CATEGORIES})], ignore_index=True
    )
    keys = [LEVEL, AREA_ID, s.CATEGORY]
    grid = _all_keys(areas, with_all[s.CATEGORY].unique())
    windows = {
        "last28": w.last28, "prior28": w.prior28, "ytd": w.ytd,
        "prior_ytd": w.prior_ytd, "last365": w.last365,
    }
    for name, (start, end) in windows.items():
        inside = with_all[(with_all[DAY] >= start) & (with_all[DAY] <= end)]
        sums = inside.groupby(keys)[N].sum().rename(name)
        grid = grid.merge(sums, on=keys, how="left")
        grid[name] = grid[name].fillna(0).astype("int64")
    ytd_days = (w.ytd[1] - w.ytd[0]).days + 1
    prior_ytd_days = (w.prior_ytd[1] - w.prior_ytd[0]).days + 1
    _add_test(grid, "last28", "prior28", 1.0, "28d")
    _add_test(grid, "ytd", "prior_ytd", ytd_days / prior_ytd_days, "ytd")
    population = grid["population"].where(grid["population"] > 0)
    grid["rate_per_1000"] = grid["last365"] / population * 1000.0
    grid["per_km2"] = grid["last365"] / grid["area_km2"].where(grid["area_km2"] > 0)
    grid["as_of"] = w.as_of
    return grid


def _all_keys(areas: pd.DataFrame, categories: np.ndarray) -> pd.DataFrame:
    cats = pd.DataFrame({s.CATEGORY: sorted(set(categories) | {s.ALL_CATEGORIES})})
    base = areas[[LEVEL, AREA_ID, "name", "population", "area_km2"]]
    return base.merge(cats, how="cross")


def _add_test(grid: pd.DataFrame, now: str, before: str, ratio: float, tag: str) -> None:
    tests = [
        compare_counts(int(a), int(b), ratio)
        for a, b in zip(grid[now].to_numpy(), grid[before].to_numpy(), strict=True)
    ]
    grid[f"p_{tag}"] = [t.p_value for t in tests]
    grid[f"verdict_{tag}"] = [t.verdict for t in tests]


def _same_day_last_year(day: pd.Timestamp) -> pd.Timestamp:
    if day.month == 2 and day.day == 29:
        return pd.Timestamp(day.year - 1, 2, 28)
    return pd.Timestamp(day.year - 1, day.month, day.day)
