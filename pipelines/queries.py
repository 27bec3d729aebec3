"""Read queries on the store, for the dashboard and reports.

Each function takes an open (read-only) connection and plain, hashable filter
values, and returns a small frame: aggregation happens in DuckDB, so the
dashboard never pulls incident rows it does not show.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import duckdb
import geopandas as gpd
import pandas as pd
import shapely

from geo.crs import LONLAT
from pipelines import schema as s
from pipelines.analysis.coverage import DataSpan, span_from_daily
from pipelines.store import CRIMES, table_exists


@dataclass(frozen=True)
class Filters:
    """What the user picked: level, inclusive day range, categories (empty = all)."""

    level: str
    start: date
    end: date
    categories: tuple[str, ...] = ()

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def read_meta(con: duckdb.DuckDBPyConnection) -> dict:
    """Store metadata with JSON values decoded."""
    meta = {}
    for key, value in con.execute("SELECT key, value FROM meta").fetchall():
        try:
            meta[key] = json.loads(value)
        except (json.JSONDecodeError, TypeError):
            meta[key] = value
    return meta


def date_bounds(con: duckdb.DuckDBPyConnection) -> tuple[date, date]:
    """First and last day with incidents."""
    first, last = con.execute("SELECT min(day), max(day) FROM daily_counts").fetchone()
    return first, last


def data_span(con: duckdb.DuckDBPyConnection) -> DataSpan | None:
    """The days the crimes data covers (:mod:`pipelines.analysis.coverage`).

    Counted at the level holding the most incidents, where each report is
    counted once.
    """
    daily = con.execute(
        "SELECT day, sum(n)::BIGINT AS n FROM daily_counts WHERE level = ("
        "  SELECT level FROM daily_counts GROUP BY level"
        "  ORDER BY sum(n) DESC, level LIMIT 1) "
        "GROUP BY day"
    ).df()
    return span_from_daily(daily)


def categories_present(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Categories with at least one incident, in taxonomy order."""
    found = {
        r[0]
        for r in con.execute("SELECT DISTINCT category FROM daily_counts").fetchall()
    }
    return [c for c in s.CATEGORIES if c in found]


def read_areas(con: duckdb.DuckDBPyConnection, level: str) -> gpd.GeoDataFrame:
    """Areas of one level in lon/lat with name, residents, km2 and approximate flag."""
    frame = con.execute(
        "SELECT area_id, name, population, area_km2, approximate, geometry_wkb "
        "FROM areas WHERE level = ?",
        [level],
    ).df()
    geometry = shapely.from_wkb([bytes(b) for b in frame.pop("geometry_wkb")])
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=LONLAT)


def area_counts(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Incidents per area for the filters: ``area_id, n``."""
    return con.execute(
        f"SELECT area_id, sum(n)::BIGINT AS n FROM daily_counts "
        f"WHERE level = ? AND day BETWEEN ? AND ? {_category_clause(f)} "
        "GROUP BY area_id",
        _params(f),
    ).df()


def category_counts(
    con: duckdb.DuckDBPyConnection, f: Filters, area_id: str, start: date, end: date
) -> pd.DataFrame:
    """Incidents per category for one area between two days: ``category, n``."""
    return con.execute(
        "SELECT category, sum(n)::BIGINT AS n FROM daily_counts "
        "WHERE level = ? AND area_id = ? AND day BETWEEN ? AND ? GROUP BY category",
        [f.level, area_id, start, end],
    ).df()


def weekly_counts(
    con: duckdb.DuckDBPyConnection, f: Filters, area_id: str, start: date, end: date
) -> pd.DataFrame:
    """Weekly incidents (weeks starting Monday) for one area: ``week, n``."""
    return con.execute(
        "SELECT date_trunc('week', day)::DATE AS week, sum(n)::BIGINT AS n "
        "FROM daily_counts WHERE level = ? AND area_id = ? AND day BETWEEN ? AND ? "
        f"{_category_clause(f)} GROUP BY week ORDER BY week",
        [f.level, area_id, start, end, *_category_params(f)],
    ).df()


def hour_weekday_counts(
    con: duckdb.DuckDBPyConnection, f: Filters, area_id: str
) -> pd.DataFrame:
    """Incidents by hour of day (0-23) and ISO weekday (1 = Monday): ``weekday, hour, n``."""
    column = s.area_column(f.level)
    return con.execute(
        f"SELECT isodow(occurred_at) AS weekday, hour(occurred_at) AS hour, "
        f"count(*)::BIGINT AS n FROM {CRIMES} WHERE {column} = ? "
        f"AND occurred_at >= ? AND occurred_at < ? + INTERVAL 1 DAY "
        f"{_category_clause(f)} GROUP BY ALL",
        [area_id, f.start, f.end, *_category_params(f)],
    ).df()


def profile_rows(
    con: duckdb.DuckDBPyConnection, level: str, area_id: str
) -> pd.DataFrame:
    """Stored profile rows (as of the last day of data) for one area."""
    return con.execute(
        "SELECT * FROM profiles WHERE level = ? AND area_id = ? ORDER BY category",
        [level, area_id],
    ).df()


def label_agreement(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Agreement of assigned areas with the department's labels, per level."""
    return con.execute("SELECT * FROM label_agreement").df()


def quarantine_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Quarantined rows per source and reason."""
    return con.execute(
        "SELECT source, reason, count(*)::BIGINT AS rows FROM quarantine "
        "GROUP BY ALL ORDER BY source, rows DESC"
    ).df()


def _category_clause(f: Filters) -> str:
    return "AND category IN (SELECT unnest(?::VARCHAR[]))" if f.categories else ""


def _category_params(f: Filters) -> list:
    return [list(f.categories)] if f.categories else []


def _params(f: Filters) -> list:
    return [f.level, f.start, f.end, *_category_params(f)]


def file_quality(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per export file: read = kept + quarantined, reasons, located share, dates."""
    return con.execute("SELECT * FROM file_quality ORDER BY source, file").df()


def unmapped_codes(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Offense codes no category rule matched: ``source, offense_code, offense_desc, rows``."""
    return con.execute(
        "SELECT source, offense_code, offense_desc, count(*)::BIGINT AS rows "
        "FROM quarantine WHERE reason = 'unmapped_code' GROUP BY ALL ORDER BY rows DESC"
    ).df()


def quarantined_points(
    con: duckdb.DuckDBPyConnection, reason: str, limit: int
) -> tuple[pd.DataFrame, int]:
    """Located quarantined rows of one reason (at most ``limit``) and how many exist."""
    where = "FROM quarantine WHERE reason = ? AND isfinite(lon) AND isfinite(lat)"
    total = con.execute(f"SELECT count(*) {where}", [reason]).fetchone()[0]
    rows = con.execute(
        "SELECT source, file, line, incident_id, offense_desc, message, lon, lat "
        f"{where} ORDER BY source, file, line LIMIT ?",
        [reason, limit],
    ).df()
    return rows, int(total)


def hotspot_layer(con: duckdb.DuckDBPyConnection, category: str) -> gpd.GeoDataFrame:
    """Every grid cell with its hotspot figures for one category (lon/lat squares)."""
    frame = con.execute(
        "SELECT c.*, g.inside_share, g.area_km2, g.geometry_wkb FROM hotspot_cells c "
        "JOIN hotspot_grid g USING (cell_id) WHERE c.category = ?",
        [category],
    ).df()
    geometry = shapely.from_wkb([bytes(b) for b in frame.pop("geometry_wkb")])
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=LONLAT)


def hotspot_categories(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Categories with hotspot figures (``all`` first, then taxonomy order)."""
    found = {
        r[0]
        for r in con.execute("SELECT DISTINCT category FROM hotspot_cells").fetchall()
    }
    return [c for c in (s.ALL_CATEGORIES, *s.CATEGORIES) if c in found]


def rankings(con: duckdb.DuckDBPyConnection, level: str) -> pd.DataFrame:
    """Problem-priority rankings of one level, best first."""
    return con.execute(
        "SELECT * FROM rankings WHERE level = ? ORDER BY rank", [level]
    ).df()


def ranking_inputs(
    con: duckdb.DuckDBPyConnection, level: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What :func:`pipelines.analysis.rankings.rank_problems` needs to rank one
    level as of any day: its ``daily_counts`` rows and the watch-meeting
    priorities (empty when the store has none)."""
    daily = con.execute(
        "SELECT level, area_id, category, day, n FROM daily_counts WHERE level = ?",
        [level],
    ).df()
    if table_exists(con, "community_priorities"):
        community = con.execute("SELECT * FROM community_priorities").df()
    else:
        community = pd.DataFrame(columns=["level", "area_id", "category", "priority"])
    return daily, community


def backtest(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The walk-forward back-test table (one row per method, category, period, share)."""
    return con.execute("SELECT * FROM backtest").df()


def cell_incidents(
    con: duckdb.DuckDBPyConnection, cell_id: int, category: str, limit: int = 500
) -> pd.DataFrame:
    """Incidents of the hotspot window inside one grid cell (analyst view only)."""
    cell = con.execute(
        "SELECT g.x, g.y, c.cell_size_m, c.window_start, c.window_end FROM hotspot_grid g "
        "JOIN hotspot_cells c USING (cell_id) WHERE cell_id = ? LIMIT 1",
        [cell_id],
    ).fetchone()
    if cell is None:
        return pd.DataFrame()
    x, y, size, start, end = cell
    half = size / 2
    category_clause = "" if category == s.ALL_CATEGORIES else "AND category = ?"
    params = [x - half, x + half, y - half, y + half, start, end]
    params += [] if category == s.ALL_CATEGORIES else [category]
    return con.execute(
        "SELECT occurred_at, category, offense_desc, block_address, incident_id, source "
        f"FROM {CRIMES} WHERE located AND x >= ? AND x < ? "
        "AND y >= ? AND y < ? AND occurred_at >= ? AND occurred_at < ? + INTERVAL 1 DAY "
        f"{category_clause} ORDER BY occurred_at DESC LIMIT {int(limit)}",
        params,
    ).df()


def area_incidents(
    con: duckdb.DuckDBPyConnection, f: Filters, area_id: str, limit: int = 500
) -> pd.DataFrame:
    """Incidents of one area for the filters (analyst view only), newest first."""
    column = s.area_column(f.level)
    return con.execute(
        "SELECT occurred_at, category, offense_desc, block_address, incident_id, source "
        f"FROM {CRIMES} WHERE {column} = ? AND occurred_at >= ? "
        f"AND occurred_at < ? + INTERVAL 1 DAY {_category_clause(f)} "
        f"ORDER BY occurred_at DESC LIMIT {int(limit)}",
        [area_id, f.start, f.end, *_category_params(f)],
    ).df()


def level_daily(
    con: duckdb.DuckDBPyConnection, level: str, categories: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Daily counts per area of one level for the chosen categories: ``area_id, day, n``."""
    clause = "AND category IN (SELECT unnest(?::VARCHAR[]))" if categories else ""
    params = [level, list(categories)] if categories else [level]
    return con.execute(
        f"SELECT area_id, day, sum(n)::BIGINT AS n FROM daily_counts WHERE level = ? "
        f"{clause} GROUP BY ALL",
        params,
    ).df()


def child_areas(
    con: duckdb.DuckDBPyConnection, child_level: str, parent_level: str, parent_id: str
) -> list[str]:
    """Areas of ``child_level`` whose incidents mostly lie in ``parent_id``."""
    child, parent = s.area_column(child_level), s.area_column(parent_level)
    rows = con.execute(
        f"SELECT {child} AS child, arg_max({parent}, n) AS parent FROM ("
        f"SELECT {child}, {parent}, count(*) AS n FROM {CRIMES} GROUP BY ALL) "
        f"GROUP BY child HAVING parent = ? ORDER BY child",
        [parent_id],
    ).fetchall()
    return [r[0] for r in rows]


def workload(con: duckdb.DuckDBPyConnection, level: str) -> pd.DataFrame:
    """Workload figures per area of a level (empty when the store has no calls)."""
    if not table_exists(con, "workload"):
        return pd.DataFrame()
    frame = con.execute("SELECT * FROM workload").df()
    return frame[frame["level"] == level] if "level" in frame else frame.iloc[0:0]


def backtest_skipped(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Back-test months left unscored and why (empty in a store built before it)."""
    if not table_exists(con, "backtest_skipped"):
        return pd.DataFrame(columns=["period_start", "note"])
    return con.execute("SELECT * FROM backtest_skipped ORDER BY period_start").df()
