"""The commanders' weekly packet: one page per sector (pure assembly of the data).

Rendering to PDF is in :mod:`pipelines.render.packet_pdf`.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import geopandas as gpd
import pandas as pd

from pipelines import queries
from pipelines.analysis.compstat import (
    comparison_notes,
    compstat_table,
    latest_complete_week_end,
)
from pipelines.analysis.gaps import load_gaps

TOP_PROBLEMS = 5


@dataclass(frozen=True)
class PacketPage:
    """Everything printed for one sector."""

    level: str
    area_id: str
    name: str
    children_level: str
    children: gpd.GeoDataFrame  # child areas with their counts (lon/lat)
    table: pd.DataFrame  # compstat rows: the sector first, then its children
    problems: list[str]  # ranked problems in words
    workload: dict[str, float]


@dataclass(frozen=True)
class Packet:
    """The packet's pages and what every page footer says."""

    department: str
    week_end: pd.Timestamp
    as_of: str
    pages: list[PacketPage]
    notes: tuple[str, ...] = ()  # comparisons refused: not fully inside the data


def assemble_packet(
    con: duckdb.DuckDBPyConnection, week_end: pd.Timestamp | None = None
) -> Packet:
    """Collect one page per area of the second level (sectors), or of the only level.

    Parameters
    ----------
    con : DuckDBPyConnection
        An open store.
    week_end : Timestamp, optional
        Any day of the week wanted; the packet covers the Monday-Sunday week
        ending on the Sunday on or before it (default: the latest complete week).
    """
    meta = queries.read_meta(con)
    levels = list(meta["levels"])
    level = levels[1] if len(levels) > 1 else levels[0]
    child_level = levels[0]
    _, last = queries.date_bounds(con)
    end = latest_complete_week_end(pd.Timestamp(week_end or last))
    parents = queries.read_areas(con, level)
    children = queries.read_areas(con, child_level)
    gaps = load_gaps(con)
    span = queries.data_span(con)
    parent_table = compstat_table(
        queries.level_daily(con, level), parents, end, gaps, span
    )
    child_table = compstat_table(
        queries.level_daily(con, child_level), children, end, gaps, span
    )
    rankings = _rankings(con, level)
    workload = queries.workload(con, level)
    pages = []
    for _, row in parent_table.iterrows():
        ids = (
            queries.child_areas(con, child_level, level, row["area_id"])
            if level != child_level
            else [row["area_id"]]
        )
        kids = child_table[child_table["area_id"].isin(ids)]
        shapes = children[children["area_id"].isin(ids)].merge(
            kids[["area_id", "28d"]], on="area_id"
        )
        pages.append(
            PacketPage(
                level=level,
                area_id=str(row["area_id"]),
                name=str(row["name"]),
                children_level=child_level,
                children=shapes,
                table=pd.concat([row.to_frame().T, kids], ignore_index=True),
                problems=_problems(rankings, row["area_id"]),
                workload=_workload(workload, row["area_id"]),
            )
        )
    return Packet(
        str(meta.get("department", "")),
        end,
        str(meta.get("as_of")),
        pages,
        tuple(comparison_notes(end, span)),
    )


def _rankings(con: duckdb.DuckDBPyConnection, level: str) -> pd.DataFrame:
    try:
        return queries.rankings(con, level)
    except duckdb.CatalogException:
        return pd.DataFrame(columns=["area_id", "reason"])


def _problems(rankings: pd.DataFrame, area_id: str) -> list[str]:
    mine = rankings[rankings["area_id"].astype(str) == str(area_id)]
    return list(mine["reason"].head(TOP_PROBLEMS))


def _workload(workload: pd.DataFrame, area_id: str) -> dict[str, float]:
    if workload.empty:
        return {}
    row = workload[workload["area_id"].astype(str) == str(area_id)]
    if row.empty:
        return {}
    keep = [
        "calls",
        "emergency_response_median_min",
        "response_p90_min",
        "held_share",
        "held_over_limit_share",
        "own_beat_share",
        "report_share",
        "utilization",
    ]
    return {k: float(row.iloc[0][k]) for k in keep if k in row}
