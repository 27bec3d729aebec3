"""Workload tables in the store, from whatever CAD calls it holds (real or simulated)."""

from __future__ import annotations

import duckdb
import pandas as pd

from pipelines import schema as s
from pipelines import store
from pipelines.settings import Settings
from pipelines.workload.workload_profiles import build_workload_profile

UNITS_TABLE = "units"


def refresh_workload(con: duckdb.DuckDBPyConnection, settings: Settings) -> int:
    """Write ``workload`` and ``workload_by_priority`` for every level.

    Uses the ``units`` roster when a simulation stored one (unit beats and
    unit-hours on duty); otherwise those figures are NaN. Returns the number of
    calls used (0: the tables are written empty).
    """
    calls = con.execute("SELECT * FROM incidents WHERE kind = 'call'").df()
    if calls.empty:
        store.replace_table(con, "workload", pd.DataFrame({"level": [], "area_id": []}))
        store.replace_table(
            con, "workload_by_priority", pd.DataFrame({"level": [], "area_id": []})
        )
        return 0
    units = _units(con)
    days = max(1.0, (calls[s.QUEUED_AT].max() - calls[s.QUEUED_AT].min()).days + 1.0)
    areas, priorities = [], []
    for level in settings.level_names:
        profile = build_workload_profile(
            calls,
            level,
            beat_level=settings.level_names[0],
            units=units,
            period_days=days,
        )
        areas.append(profile.areas.assign(level=level))
        priorities.append(profile.by_priority.assign(level=level))
    store.replace_table(con, "workload", pd.concat(areas, ignore_index=True))
    store.replace_table(
        con, "workload_by_priority", pd.concat(priorities, ignore_index=True)
    )
    return len(calls)


def _units(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    if not store.table_exists(con, UNITS_TABLE):
        return None
    return con.execute(f"SELECT * FROM {UNITS_TABLE}").df()
