"""Area profiles from daily counts (pure functions on small aggregate frames).

A profile row holds, per level, area and category (``all`` included): the
last 28 days against the 28 before, year to date against the same days of the
previous year (each with the exact Poisson test), and the last 365 days as a
count, a rate per 1,000 residents and a density per km2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines import schema as s
from pipelines.analysis.gaps import overlaps_gap
from pipelines.analysis.trends import compare_counts
from pipelines.analysis.windows import (
    WEEKS_YEAR_DAYS,
    ProfileWindows,
    ytd_exposure_ratio,
)

DAY = "day"
N = "n"
LEVEL = "level"
AREA_ID = "area_id"


Windows = ProfileWindows
"""Kept under its old name; the windows live in ``pipelines.analysis.windows``."""


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
    w = ProfileWindows(pd.Timestamp(as_of).normalize())
    with_all = pd.concat(
        [daily, daily.assign(**{s.CATEGORY: s.ALL_CATEGORIES})], ignore_index=True
    )
    keys = [LEVEL, AREA_ID, s.CATEGORY]
    grid = _all_keys(areas, with_all[s.CATEGORY].unique())
    windows = {
        "last28": w.last28,
        "prior28": w.prior28,
        "ytd": w.ytd,
        "prior_ytd": w.prior_ytd,
        "last365": w.last365,
    }
    for name, (start, end) in windows.items():
        inside = with_all[(with_all[DAY] >= start) & (with_all[DAY] <= end)]
        sums = inside.groupby(keys)[N].sum().rename(name)
        grid = grid.merge(sums, on=keys, how="left")
        grid[name] = grid[name].fillna(0).astype("int64")
    _add_test(grid, "last28", "prior28", 1.0, "28d")
    _add_test(grid, "ytd", "prior_ytd", ytd_exposure_ratio(w.as_of), "ytd")
    population = grid["population"].where(grid["population"] > 0)
    grid["rate_per_1000"] = grid["last365"] / population * 1000.0
    grid["per_km2"] = grid["last365"] / grid["area_km2"].where(grid["area_km2"] > 0)
    grid["as_of"] = w.as_of
    return grid


def _all_keys(areas: pd.DataFrame, categories: np.ndarray) -> pd.DataFrame:
    cats = pd.DataFrame({s.CATEGORY: sorted(set(categories) | {s.ALL_CATEGORIES})})
    base = areas[[LEVEL, AREA_ID, "name", "population", "area_km2"]]
    return base.merge(cats, how="cross")


def _add_test(
    grid: pd.DataFrame, now: str, before: str, ratio: float, tag: str
) -> None:
    tests = [
        compare_counts(int(a), int(b), ratio)
        for a, b in zip(grid[now].to_numpy(), grid[before].to_numpy(), strict=True)
    ]
    grid[f"p_{tag}"] = [t.p_value for t in tests]
    grid[f"verdict_{tag}"] = [t.verdict for t in tests]


def summarize_areas(
    areas: pd.DataFrame, counts: pd.DataFrame, days: int
) -> pd.DataFrame:
    """Per-area table for a period: count, rate per 1,000 residents, per km2.

    Parameters
    ----------
    areas : DataFrame
        ``area_id, name, population, area_km2`` for every area of a level.
    counts : DataFrame
        ``area_id, n`` (areas missing from it had none).
    days : int
        Length of the period, reported with the table (rates are for the period,
        not annualized).

    Returns
    -------
    DataFrame
        ``area_id, name, n, rate_per_1000, per_km2, population, area_km2``,
        sorted by ``n`` descending then ``area_id``.
    """
    table = areas[["area_id", "name", "population", "area_km2"]].merge(
        counts, on="area_id", how="left"
    )
    table["n"] = table["n"].fillna(0).astype("int64")
    residents = table["population"].where(table["population"] > 0)
    table["rate_per_1000"] = table["n"] / residents * 1000.0
    table["per_km2"] = table["n"] / table["area_km2"].where(table["area_km2"] > 0)
    table.attrs["days"] = days
    return table.sort_values(["n", "area_id"], ascending=[False, True]).reset_index(
        drop=True
    )


def compare_categories(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Category counts in a period against the period before, with the exact test.

    Parameters
    ----------
    current, previous : DataFrame
        ``category, n`` for two periods of equal length.

    Returns
    -------
    DataFrame
        ``category, n, previous, change, p_value, verdict`` in taxonomy order,
        with a final ``all`` row.
    """
    merged = current.merge(
        previous.rename(columns={N: "previous"}), on=s.CATEGORY, how="outer"
    ).fillna(0)
    order = {c: i for i, c in enumerate(s.CATEGORIES)}
    merged = merged.sort_values(s.CATEGORY, key=lambda c: c.map(order))
    total = pd.DataFrame(
        [
            {
                s.CATEGORY: s.ALL_CATEGORIES,
                N: merged[N].sum(),
                "previous": merged["previous"].sum(),
            }
        ]
    )
    merged = pd.concat([merged, total], ignore_index=True)
    merged[N] = merged[N].astype("int64")
    merged["previous"] = merged["previous"].astype("int64")
    merged["change"] = merged[N] - merged["previous"]
    tests = [
        compare_counts(a, b) for a, b in zip(merged[N], merged["previous"], strict=True)
    ]
    merged["p_value"] = [t.p_value for t in tests]
    merged["verdict"] = [t.verdict for t in tests]
    return merged.reset_index(drop=True)


def align_prior_year(
    this_year: pd.DataFrame,
    prior_year: pd.DataFrame,
    start,
    end,
    gaps: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Weekly series with the same weeks a year earlier, for one trend chart.

    Both inputs are ``week, n`` (weeks start on Monday; weeks with no incidents
    may be missing and count as 0). The prior series is shifted forward 52 weeks
    (364 days, so weekdays line up). Returns long format ``week, n, series``
    covering every week from ``start`` to ``end``; ``n`` is NaN in a week that
    overlaps a data gap (``pipelines.analysis.gaps``), so the chart breaks the line.
    """
    first = pd.Timestamp(start) - pd.Timedelta(days=pd.Timestamp(start).weekday())
    weeks = pd.date_range(first, pd.Timestamp(end), freq="7D")

    def filled(frame: pd.DataFrame, shift_days: int) -> pd.Series:
        index = pd.to_datetime(frame["week"]) + pd.Timedelta(days=shift_days)
        series = pd.Series(frame[N].to_numpy(), index=index)
        return series.reindex(weeks, fill_value=0)

    out = []
    for name, frame, shift in (
        ("selected period", this_year, 0),
        ("a year earlier", prior_year, WEEKS_YEAR_DAYS),
    ):
        values = filled(frame, shift).astype("float64")
        values[overlaps_gap(weeks - pd.Timedelta(days=shift), 7, gaps)] = np.nan
        out.append(pd.DataFrame({"week": weeks, N: values.to_numpy(), "series": name}))
    return pd.concat(out, ignore_index=True)


def profile_sentences(
    profile: pd.DataFrame, categories: tuple[str, ...] = ()
) -> list[str]:
    """The stored 28-day and year-to-date comparisons of one area, in words.

    ``profile`` is the area's rows of the ``profiles`` table; ``categories``
    limits the sentences to those categories (all crimes when empty).
    """
    if profile.empty:
        return ["No profile for this area (no incidents in the store)."]
    as_of = pd.Timestamp(profile["as_of"].iloc[0])
    wanted = list(categories) or [s.ALL_CATEGORIES]
    rows = profile.set_index(s.CATEGORY)
    sentences = []
    for category in wanted:
        label = "All crimes" if category == s.ALL_CATEGORIES else category.capitalize()
        if category not in rows.index:
            sentences.append(f"{label}: none recorded.")
            continue
        row = rows.loc[category]
        month_day = f"{as_of:%d %b}"
        last28 = compare_counts(int(row["last28"]), int(row["prior28"])).describe(
            "in the 28 days to " + f"{as_of:%d %b %Y}", "in the 28 days before"
        )
        ytd_ratio = ytd_exposure_ratio(as_of)
        ytd = compare_counts(
            int(row["ytd"]), int(row["prior_ytd"]), ytd_ratio
        ).describe(f"this year to {month_day}", f"in the same part of {as_of.year - 1}")
        sentences.append(f"{label}: {last28}")
        sentences.append(f"{label}: {ytd}")
    return sentences
