"""The commanders' weekly packet: one page per sector (pure assembly of the data).

The packet follows the Sector summary page: the same categories, week and
level, and every figure is as of the packet's week (the top ranked problems
are ranked again as of the week's last day, not taken from the build, which
ranks as of the data's last day). Rendering to PDF is in
:mod:`pipelines.render.packet_pdf`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import duckdb
import geopandas as gpd
import pandas as pd

from pipelines import queries
from pipelines import schema as s
from pipelines.analysis.compstat import (
    comparison_notes,
    compstat_table,
    latest_complete_week_end,
)
from pipelines.analysis.coverage import DataSpan
from pipelines.analysis.gaps import load_gaps
from pipelines.analysis.rankings import rank_problems
from pipelines.analysis_settings import RankingSettings, RankingWeights
from pipelines.errors import ConfigError

TOP_PROBLEMS = 5
RANKING_NOTE = (
    "Ranked as of {day:%-d %b %Y} from volume, harm, trend, persistence and "
    "watch-meeting priorities; the hot-cell share is left out (the build finds "
    "hot cells as of the data's last day only)."
)


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
    categories: tuple[str, ...] = ()  # empty: all crimes
    ranking_note: str = ""

    @property
    def category_words(self) -> str:
        """``"robbery"``, ``"robbery and burglary"`` or ``"all crimes"``."""
        return " and ".join(self.categories) if self.categories else "all crimes"


def assemble_packet(
    con: duckdb.DuckDBPyConnection,
    week_end: pd.Timestamp | None = None,
    categories: tuple[str, ...] = (),
    level: str | None = None,
    ranking: RankingSettings | None = None,
) -> Packet:
    """Collect one page per area of ``level`` (default: the second level, sectors).

    Parameters
    ----------
    con : DuckDBPyConnection
        An open store.
    week_end : Timestamp, optional
        Any day of the week wanted; the packet covers the Monday-Sunday week
        ending on the Sunday on or before it (default: the latest complete week).
    categories : tuple of str
        Categories counted (empty: all crimes), as picked on the page.
    level : str, optional
        The page's "Summarize by" level; each page lists the areas of the finest
        level inside it.
    ranking : RankingSettings, optional
        The config's ranking settings; default: the store's recorded weights.

    Raises
    ------
    ConfigError
        An unknown category or level (the message lists the choices), or a
        week whose last day is outside the data.
    """
    meta = queries.read_meta(con)
    levels = list(meta["levels"])
    level = _check_choices(con, levels, categories, level)
    child_level = levels[0]
    _, last = queries.date_bounds(con)
    end = latest_complete_week_end(pd.Timestamp(week_end or last))
    span = queries.data_span(con)
    _check_week(end, span)
    parents = queries.read_areas(con, level)
    children = queries.read_areas(con, child_level)
    gaps = load_gaps(con)
    parent_table = compstat_table(
        queries.level_daily(con, level, categories), parents, end, gaps, span
    )
    child_table = compstat_table(
        queries.level_daily(con, child_level, categories), children, end, gaps, span
    )
    rankings = _rankings(con, child_level, children, end, categories, meta, ranking)
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
                problems=_problems(rankings, ids),
                workload=_workload(workload, row["area_id"]),
            )
        )
    return Packet(
        str(meta.get("department", "")),
        end,
        str(meta.get("as_of")),
        pages,
        tuple(comparison_notes(end, span)),
        tuple(categories),
        RANKING_NOTE.format(day=end),
    )


def _check_choices(
    con: duckdb.DuckDBPyConnection,
    levels: list[str],
    categories: tuple[str, ...],
    level: str | None,
) -> str:
    """The level to summarize by, after checking the level and the categories."""
    for category in categories:
        if category not in s.CATEGORIES:
            raise ConfigError(
                f"category was '{category}'; expected one of "
                f"{', '.join(queries.categories_present(con))}"
            )
    if level is None:
        return levels[1] if len(levels) > 1 else levels[0]
    if level not in levels:
        raise ConfigError(f"level was '{level}'; expected one of {', '.join(levels)}")
    return level


def _check_week(end: pd.Timestamp, span: DataSpan | None) -> None:
    """A ConfigError unless the week's last day lies inside the data."""
    if span is None or span.first <= end <= span.last:
        return
    first = latest_complete_week_end(span.first + pd.Timedelta(days=6))
    raise ConfigError(
        f"week was {end:%Y-%m-%d} (its last day), outside the data "
        f"({span.words()}); pick a week ending between {first:%Y-%m-%d} and "
        f"{latest_complete_week_end(span.last):%Y-%m-%d}"
    )


def _rankings(
    con: duckdb.DuckDBPyConnection,
    level: str,
    areas: pd.DataFrame,
    as_of: pd.Timestamp,
    categories: tuple[str, ...],
    meta: dict,
    ranking: RankingSettings | None,
) -> pd.DataFrame:
    """The level's (area, category) rankings as of ``as_of``, for the categories."""
    daily, community = queries.ranking_inputs(con, level)
    if categories:
        daily = daily[daily[s.CATEGORY].isin(categories)]
    if daily.empty:
        return pd.DataFrame(columns=["area_id", "reason"])
    table = pd.DataFrame(areas.drop(columns="geometry")).assign(level=level)
    ranked = rank_problems(
        daily,
        table,
        level,
        as_of,
        None,
        community,
        ranking or _recorded_settings(meta),
    )
    return ranked[ranked["last28"] > 0]


def _recorded_settings(meta: dict) -> RankingSettings:
    """Ranking settings with the weights the build recorded in the store."""
    recorded = (meta.get("analysis") or {}).get("ranking_weights") or {}
    names = {f.name for f in fields(RankingWeights)}
    weights = replace(
        RankingWeights(), **{k: float(v) for k, v in recorded.items() if k in names}
    )
    return RankingSettings(weights=weights)


def _problems(rankings: pd.DataFrame, area_ids: list[str]) -> list[str]:
    wanted = {str(a) for a in area_ids}
    mine = rankings[rankings["area_id"].astype(str).isin(wanted)]
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
