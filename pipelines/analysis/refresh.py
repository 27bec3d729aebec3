"""Wiring of the analyst's statistics into the build: hotspot cells, rankings and
the walk-forward back-test, written as store tables.

Only crime reports (the store's ``crimes`` view) with a location feed the hotspots;
calls for service are workload, not crime.
"""

from __future__ import annotations

import logging
from dataclasses import fields, replace

import duckdb
import geopandas as gpd
import pandas as pd
import shapely

from geo.grid import make_grid
from pipelines import schema as s
from pipelines import store
from pipelines.analysis.backtest import (
    resolve_methods,
    run_backtest,
    skipped_months,
)
from pipelines.analysis.gaps import load_gaps
from pipelines.analysis.hotspots import build_hotspot_cells, grid_cells_table
from pipelines.analysis.rankings import (
    hotspot_concentration,
    rank_problems,
    recent_cells,
)
from pipelines.analysis_settings import BacktestSettings
from pipelines.settings import Settings

log = logging.getLogger(__name__)

COMMUNITY_DDL = (
    "CREATE TABLE IF NOT EXISTS community_priorities (level VARCHAR, area_id VARCHAR, "
    "category VARCHAR, priority DOUBLE)"
)


def refresh_analysis(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    finest: gpd.GeoDataFrame,
    area_table: pd.DataFrame,
    as_of: str | None,
) -> dict:
    """Write ``hotspot_grid``, ``hotspot_cells``, ``rankings`` and ``backtest``.

    The parameters are ``settings.analysis`` (typed when the settings were
    loaded). Returns the parameters used (recorded in the store's metadata).
    """
    con.execute(COMMUNITY_DDL)
    hot = settings.analysis.hotspots
    rank = settings.analysis.rankings
    if as_of is None:
        return {}
    back = _fit_backtest_to_data(con, settings.analysis.backtest, settings)
    as_of_ts = pd.Timestamp(as_of)
    area_cols = ", ".join(s.area_column(lv) for lv in settings.level_names)
    incidents = con.execute(
        f"SELECT x, y, occurred_at, category, {area_cols} FROM {store.CRIMES} "
        "WHERE located"
    ).df()
    jurisdiction = shapely.union_all(finest.geometry.values)
    grid = make_grid(jurisdiction, hot.cell_size_m, settings.analysis_crs)
    store.replace_table(con, "hotspot_grid", grid_cells_table(grid, jurisdiction))
    cells = build_hotspot_cells(incidents, grid, as_of_ts, hot)
    store.replace_table(con, "hotspot_cells", cells)
    daily = con.execute("SELECT * FROM daily_counts").df()
    community = con.execute("SELECT * FROM community_priorities").df()
    rankings = []
    for level in settings.level_names:
        concentration = hotspot_concentration(
            recent_cells(incidents, grid, level, as_of_ts), cells, rank.hot_bin
        )
        rankings.append(
            rank_problems(
                daily, area_table, level, as_of_ts, concentration, community, rank
            )
        )
    store.replace_table(con, "rankings", pd.concat(rankings, ignore_index=True))
    gaps = load_gaps(con)
    backtest = (
        run_backtest(incidents, grid, as_of_ts, back, gaps)
        if back is not None
        else pd.DataFrame(columns=["method", "category", "period_start", "coverage"])
    )
    store.replace_table(con, "backtest", backtest)
    store.replace_table(
        con,
        "backtest_skipped",
        skipped_months(gaps if back else None, as_of_ts, back or BacktestSettings()),
    )
    return {
        "hotspots": {f.name: getattr(hot, f.name) for f in fields(hot)},
        "ranking_weights": {
            f.name: getattr(rank.weights, f.name) for f in fields(rank.weights)
        },
        "backtest": None
        if back is None
        else {f.name: getattr(back, f.name) for f in fields(back)},
    }


def _fit_backtest_to_data(
    con: duckdb.DuckDBPyConnection, back: BacktestSettings | None, settings: Settings
) -> BacktestSettings | None:
    """Score only months that have a full history window before them, unless the
    config fixes ``[backtest] periods``; no back-test with too little data."""
    if back is None:
        return None
    back = resolve_methods(back)  # the registry's methods, recorded in the meta
    if settings.analysis.backtest_periods_fixed:
        return back
    # Data "starts" at the first month with a quarter of a typical month's count:
    # a few late-reported old incidents do not make a history.
    monthly = con.execute(
        "SELECT date_trunc('month', day) AS month, sum(n) AS n FROM daily_counts "
        "WHERE level = ? GROUP BY ALL ORDER BY month",
        [settings.level_names[0]],
    ).df()
    full = monthly[monthly["n"] >= 0.25 * monthly["n"].tail(12).median()]
    first, last = full["month"].min(), full["month"].max()
    months = (last.year - first.year) * 12 + last.month - first.month
    periods = min(back.periods, months - back.history_months)
    if periods < 1:
        log.info(
            "back-test skipped: %d months of data, %d needed",
            months,
            back.history_months + 1,
        )
        return None
    return replace(back, periods=periods)
