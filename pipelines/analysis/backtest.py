"""Walk-forward back-test of the hotspot methods on the department's own data.

For each of the last ``periods`` complete months, every method is fitted on
the months before it only, ranks the grid cells, flags the top 1%, 5% and 10%
of the jurisdiction's area (cells weighted by their area inside it, so empty
parks and rivers count as area too) and is scored against that month's
incidents with PAI, RRI and PEI* (:mod:`pipelines.analysis.forecast_scores`), for all
crimes and per category.

Methods are the back-tested entries of the registry
(:mod:`pipelines.analysis.methods`), each fitted on the ``history_months``
months before the scored one: last month's counts (the naive baseline),
counts over the history, the history's Gi* z-score (queen neighbourhood,
:mod:`geo.hotspots`) and its kernel density (:mod:`geo.density`, one method
per fixed bandwidth in ``kde_bandwidths_m``, named e.g. ``kde_12m_150m``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from geo.grid import Grid, cell_of, count_cells
from geo.hotspots import grid_weights
from pipelines import schema as s
from pipelines.analysis.forecast_scores import flag_cells, score_flagged, tie_order
from pipelines.analysis.methods import (
    BASELINE,
    Forecast,
    HistoryWindow,
    backtested_keys,
    method_for,
    method_order,
)
from pipelines.analysis.periods import last_complete_month, month_codes
from pipelines.analysis_settings import BacktestSettings


def resolve_methods(settings: BacktestSettings) -> BacktestSettings:
    """``settings`` with ``methods`` None replaced by the registry's back-tested
    keys (:func:`pipelines.analysis.methods.backtested_keys`) as they are now.

    Example
    -------
    >>> resolve_methods(BacktestSettings()).methods[0]
    'naive_last_period'
    """
    if settings.methods is not None:
        return settings
    return replace(settings, methods=backtested_keys())


def run_backtest(
    incidents: pd.DataFrame,
    grid: Grid,
    as_of: pd.Timestamp,
    settings: BacktestSettings = BacktestSettings(),
    gaps: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Score every method, category, month and area share (module docstring).

    Parameters
    ----------
    incidents : DataFrame
        ``x, y, occurred_at, category`` (located incidents).
    grid : Grid
        Cells over the jurisdiction (:func:`pipelines.analysis.hotspots.build_grid`).
    as_of : Timestamp
        Last day of data; the last scored month is the last complete one.
    settings : BacktestSettings
        ``methods`` None: every back-tested method registered now.
    gaps : DataFrame, optional
        ``pipelines.analysis.gaps`` table; a month flagged as a data gap is not scored
        (see :func:`skipped_months` for the note that says so).

    Returns
    -------
    DataFrame
        One row per (method, category, period_start, coverage): ``method,
        category, period_start, coverage, area_share, cells, hits, incidents,
        hit_rate, pai, rri, pei_star, fit_hits, fit_incidents, best_hits,
        history_months, cell_size_m, seed``.

    Raises
    ------
    ValueError
        An unknown method or category, or a missing column.

    Example
    -------
    >>> table = run_backtest(incidents, grid, as_of,
    ...                      BacktestSettings(categories=("all", "burglary")))
    >>> summarize_backtest(table).query("coverage == 0.05")
    """
    settings = resolve_methods(settings)
    _check(incidents, settings)
    months = settings.periods + settings.history_months
    first = last_complete_month(as_of) - pd.DateOffset(months=months - 1)
    month = month_codes(incidents[s.OCCURRED_AT], first)
    cells = cell_of(grid, incidents[s.X].to_numpy(), incidents[s.Y].to_numpy())
    month = np.where((month >= 0) & (month < months), month, -1)
    weights = grid_weights(grid)
    ties = tie_order(grid.n_cells, settings.seed)
    area = grid.inside_area_km2
    skip = _gap_positions(gaps, first, months)
    rows = []
    for category in settings.categories:
        keep = (
            np.ones(len(incidents), dtype=bool)
            if category == s.ALL_CATEGORIES
            else (incidents[s.CATEGORY] == category).to_numpy()
        )
        cube = count_cells(grid, np.where(keep, cells, -1), month, months)
        for t in range(settings.history_months, months):
            if t in skip:
                continue
            scores = _forecasts(cube, t, grid, weights, settings)
            for method, (score, fitted) in scores.items():
                for coverage in settings.coverages:
                    result = score_flagged(
                        flag_cells(score, area, coverage, ties), area, cube[t], fitted
                    )
                    rows.append(
                        {
                            "method": method,
                            s.CATEGORY: category,
                            "period_start": first + pd.DateOffset(months=t),
                            "coverage": coverage,
                            "area_share": result.area_share,
                            "cells": result.cells,
                            "hits": result.hits,
                            "incidents": result.incidents,
                            "hit_rate": result.hit_rate,
                            "pai": result.pai,
                            "rri": result.rri,
                            "pei_star": result.pei_star,
                            "fit_hits": result.fit_hits,
                            "fit_incidents": result.fit_incidents,
                            "best_hits": result.best_hits,
                        }
                    )
    return pd.DataFrame(rows).assign(
        history_months=settings.history_months,
        cell_size_m=grid.cell_size,
        seed=settings.seed,
    )


def skipped_months(
    gaps: pd.DataFrame | None, as_of: pd.Timestamp, settings: BacktestSettings
) -> pd.DataFrame:
    """The scored months a back-test skips as data gaps, with why.

    Columns ``period_start, observed, expected, note``; empty when none is skipped.
    """
    columns = ["period_start", "observed", "expected", "note"]
    months = settings.periods + settings.history_months
    first = last_complete_month(as_of) - pd.DateOffset(months=months - 1)
    skip = _gap_positions(gaps, first, months)
    if not skip:
        return pd.DataFrame(columns=columns)
    monthly = gaps[gaps["granularity"] == "month"].set_index("period_start")
    out = monthly.loc[[first + pd.DateOffset(months=t) for t in sorted(skip)]]
    out = out.reset_index()[["period_start", "observed", "expected"]]
    out["note"] = [
        f"{pd.Timestamp(r.period_start):%Y-%m} not scored: a data gap "
        f"({int(r.observed):,} incidents against about {r.expected:,.0f} expected)"
        for r in out.itertuples()
    ]
    return out[columns]


def _gap_positions(
    gaps: pd.DataFrame | None, first: pd.Timestamp, months: int
) -> set[int]:
    """Positions (0 = ``first``) of the months flagged as data gaps."""
    if gaps is None or gaps.empty:
        return set()
    starts = pd.to_datetime(gaps.loc[gaps["granularity"] == "month", "period_start"])
    position = (starts.dt.year - first.year) * 12 + starts.dt.month - first.month
    return {int(p) for p in position if 0 <= p < months}


def _check(incidents: pd.DataFrame, settings: BacktestSettings) -> None:
    missing = [c for c in (s.X, s.Y, s.OCCURRED_AT, s.CATEGORY) if c not in incidents]
    if missing:
        raise ValueError(f"incidents is missing columns {missing}")
    known = backtested_keys()
    unknown = [m for m in settings.methods if m not in known]
    if unknown:
        raise ValueError(
            f"methods {unknown} are unknown; expected some of {list(known)}"
        )
    bad = [c for c in settings.categories if c not in (s.ALL_CATEGORIES, *s.CATEGORIES)]
    if bad:
        raise ValueError(
            f'categories {bad} are unknown; expected "all" or some of '
            f"{list(s.CATEGORIES)}"
        )


def _forecasts(
    cube: np.ndarray, t: int, grid: Grid, weights, settings: BacktestSettings
) -> dict[str, Forecast]:
    """Each method's cell scores for month ``t`` and the counts it was fitted on."""
    window = HistoryWindow(
        months=cube[t - settings.history_months : t],
        grid=grid,
        weights=weights,
        kde_bandwidths_m=settings.kde_bandwidths_m,
        seed=settings.seed,
    )
    out: dict[str, Forecast] = {}
    for key in settings.methods:
        out.update(method_for(key).score(window))
    return out


def summarize_backtest(table: pd.DataFrame) -> pd.DataFrame:
    """Mean and spread over the scored months per method, category and coverage.

    Returns
    -------
    DataFrame
        ``method, category, coverage, periods, pai_mean, pai_sd, pai_min,
        pai_max, rri_mean, rri_sd, pei_star_mean, pei_star_sd, hit_rate_mean,
        pai_vs_naive`` (mean PAI over the naive method's mean PAI) and
        ``beats_naive`` (share of months with a higher PAI than the naive
        method in the same month).
    """
    keys = ["method", s.CATEGORY, "coverage"]
    naive = table[table["method"] == BASELINE].set_index(
        [s.CATEGORY, "coverage", "period_start"]
    )["pai"]
    same_month = table.set_index([s.CATEGORY, "coverage", "period_start"]).index
    table = table.assign(
        _beats=(table["pai"].to_numpy() > np.asarray(same_month.map(naive), float))
    )
    summary = (
        table.groupby(keys)
        .agg(
            periods=("pai", "size"),
            pai_mean=("pai", "mean"),
            pai_sd=("pai", "std"),
            pai_min=("pai", "min"),
            pai_max=("pai", "max"),
            rri_mean=("rri", "mean"),
            rri_sd=("rri", "std"),
            pei_star_mean=("pei_star", "mean"),
            pei_star_sd=("pei_star", "std"),
            hit_rate_mean=("hit_rate", "mean"),
            beats_naive=("_beats", "mean"),
        )
        .reset_index()
    )
    base = summary[summary["method"] == BASELINE].set_index([s.CATEGORY, "coverage"])
    ratio = summary.set_index([s.CATEGORY, "coverage"]).index.map(base["pai_mean"])
    summary["pai_vs_naive"] = summary["pai_mean"] / np.asarray(ratio, dtype="float64")
    return (
        summary.assign(_order=summary["method"].map(method_order))
        .sort_values([s.CATEGORY, "coverage", "_order"])
        .drop(columns="_order")
        .reset_index(drop=True)
    )
