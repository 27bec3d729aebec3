"""Beat plans (problem solving): chosen problems, notes, responses, assessment.

Tables ``beat_plans`` (``plan_id, level, area_id, title, categories,
analysis_notes, status, created_at``) and ``plan_responses`` (``response_id,
plan_id, description, start_date, end_date, created_at``) hold what the team
typed; :mod:`pipelines.community.priorities` explains how writes reach the store.

:func:`assess_plan` counts the plan's categories in three places over equal
windows before and after the first response's start: the target area, a
buffer ring around it (``buffer_m`` metres, minus the area) and a control
area (the other areas of the same parent area, or given ids, minus the ring).
The target's counts get the exact Poisson test; the three together give the
Weighted Displacement Quotient (:mod:`pipelines.community.wdq`). Plans are for the
problem-solving team and are *not* public outputs.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import duckdb
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import LONLAT
from pipelines import schema as s
from pipelines import store
from pipelines.analysis.trends import CountComparison, compare_counts
from pipelines.community.wdq import WDQResult, weighted_displacement_quotient
from pipelines.errors import PlanError
from pipelines.store import table_exists

PLANS_DDL = (
    "CREATE TABLE IF NOT EXISTS beat_plans (plan_id VARCHAR PRIMARY KEY, "
    "level VARCHAR, "
    "area_id VARCHAR, title VARCHAR, categories VARCHAR[], analysis_notes VARCHAR, "
    "status VARCHAR, created_at TIMESTAMP)"
)
RESPONSES_DDL = (
    "CREATE TABLE IF NOT EXISTS plan_responses (response_id VARCHAR PRIMARY KEY, "
    "plan_id VARCHAR, description VARCHAR, start_date DATE, end_date DATE, "
    "created_at TIMESTAMP)"
)
BUFFER_M = 400.0
MAX_WINDOW_DAYS = 365
MIN_WINDOW_DAYS = 14
ROLES = ("target", "buffer", "control")


@dataclass(frozen=True)
class Response:
    """One action taken, from ``start_date`` (to ``end_date`` if it ended)."""

    response_id: str
    plan_id: str
    description: str
    start_date: date
    end_date: date | None = None


@dataclass(frozen=True)
class BeatPlan:
    """A plan for one area: the chosen problems and the analysis behind them."""

    plan_id: str
    level: str
    area_id: str
    title: str
    categories: tuple[str, ...]
    analysis_notes: str = ""
    status: str = "active"
    responses: tuple[Response, ...] = ()


@dataclass(frozen=True)
class PlanAssessment:
    """Before/after counts, the Poisson test, the WDQ and the areas used."""

    plan_id: str
    start: date
    window_days: int
    counts: dict[str, tuple[int, int]]
    comparison: CountComparison
    wdq: WDQResult
    geometries: gpd.GeoDataFrame

    @property
    def before(self) -> tuple[date, date]:
        return self.start - timedelta(days=self.window_days), self.start - timedelta(
            days=1
        )

    @property
    def after(self) -> tuple[date, date]:
        return self.start, self.start + timedelta(days=self.window_days - 1)

    @property
    def sentence(self) -> str:
        """The target's counts and the test, in words."""
        (b0, b1), (a0, a1) = self.before, self.after
        return (
            f"Target area, {a0:%d %b %Y} to {a1:%d %b %Y} against {b0:%d %b %Y} to "
            f"{b1:%d %b %Y} ({self.window_days} days each): "
            + self.comparison.describe("after the start", "before")
        )


def ensure_plan_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``beat_plans`` and ``plan_responses`` if missing."""
    con.execute(PLANS_DDL)
    con.execute(RESPONSES_DDL)


def add_plan(
    con: duckdb.DuckDBPyConnection,
    level: str,
    area_id: str,
    title: str,
    categories: Sequence[str],
    analysis_notes: str = "",
) -> BeatPlan:
    """Store a new plan and return it.

    Raises
    ------
    PlanError
        If the title is empty or a category is not in the taxonomy.

    Examples
    --------
    >>> add_plan(con, "neighborhood", "15", "Car break-ins",
    ...          ["theft from vehicle"]).plan_id  # doctest: +SKIP
    '3f2a...'
    """
    unknown = [c for c in categories if c not in s.CATEGORIES]
    if unknown or not categories:
        raise PlanError(
            f"plan categories were {list(categories)} but are expected to be "
            f"one or more of {list(s.CATEGORIES)}"
        )
    if not title.strip():
        raise PlanError("a plan needs a title, e.g. 'Thefts from cars on Grand'")
    ensure_plan_tables(con)
    plan = BeatPlan(
        uuid.uuid4().hex[:12],
        level,
        str(area_id),
        title.strip(),
        tuple(categories),
        analysis_notes,
    )
    con.execute(
        "INSERT INTO beat_plans VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            plan.plan_id,
            level,
            plan.area_id,
            plan.title,
            list(plan.categories),
            analysis_notes,
            plan.status,
            datetime.now(),
        ],
    )
    return plan


def add_response(
    con: duckdb.DuckDBPyConnection,
    plan_id: str,
    description: str,
    start_date: date,
    end_date: date | None = None,
) -> Response:
    """Store a response of a plan and return it.

    Raises
    ------
    PlanError
        If the description is empty, the plan does not exist or the end is
        before the start.
    """
    if not description.strip():
        raise PlanError(
            "a response needs a description of what was done, "
            "e.g. 'Directed patrols, Fri-Sat nights'"
        )
    ensure_plan_tables(con)
    if not _scalar(con, "SELECT count(*) FROM beat_plans WHERE plan_id = ?", [plan_id]):
        raise PlanError(f"no beat plan with id {plan_id!r}")
    if end_date is not None and end_date < start_date:
        raise PlanError(f"response end {end_date} is before its start {start_date}")
    response = Response(
        uuid.uuid4().hex[:12], plan_id, description.strip(), start_date, end_date
    )
    con.execute(
        "INSERT INTO plan_responses VALUES (?, ?, ?, ?, ?, ?)",
        [
            response.response_id,
            plan_id,
            response.description,
            start_date,
            end_date,
            datetime.now(),
        ],
    )
    return response


def read_plans(
    con: duckdb.DuckDBPyConnection, level: str | None = None, area_id: str | None = None
) -> list[BeatPlan]:
    """Plans (newest first) with their responses, optionally of one area."""
    if not table_exists(con, "beat_plans"):
        return []
    plans = con.execute(
        "SELECT * FROM beat_plans WHERE (? IS NULL OR level = ?) AND "
        "(? IS NULL OR area_id = ?) ORDER BY created_at DESC",
        [level, level, area_id, area_id],
    ).df()
    responses = (
        con.execute("SELECT * FROM plan_responses ORDER BY start_date").df()
        if table_exists(con, "plan_responses")
        else pd.DataFrame(columns=["plan_id"])
    )
    out = []
    for row in plans.itertuples(index=False):
        mine = responses[responses["plan_id"] == row.plan_id]
        out.append(
            BeatPlan(
                row.plan_id,
                row.level,
                row.area_id,
                row.title,
                tuple(row.categories),
                row.analysis_notes or "",
                row.status,
                tuple(
                    Response(
                        r.response_id,
                        r.plan_id,
                        r.description,
                        _day(r.start_date),
                        None if pd.isna(r.end_date) else _day(r.end_date),
                    )
                    for r in mine.itertuples(index=False)
                ),
            )
        )
    return out


def assessment_areas(
    areas: gpd.GeoDataFrame,
    area_id: str,
    crs: str,
    buffer_m: float = BUFFER_M,
    parents: gpd.GeoDataFrame | None = None,
    control_ids: Sequence[str] | None = None,
) -> gpd.GeoDataFrame:
    """Target, buffer ring and control geometries, in ``crs`` (metres).

    Parameters
    ----------
    areas : GeoDataFrame
        All areas of the plan's level (``area_id``, ``name``, geometry).
    area_id : str
        The target area.
    crs : str
        A projected CRS in metres (the store's analysis CRS).
    buffer_m : float
        Width of the ring around the target.
    parents : GeoDataFrame, optional
        Areas of the coarser level; the control is the other areas whose
        representative point lies in the target's parent. Without it (and
        without ``control_ids``) every other area is the control.
    control_ids : sequence of str, optional
        Explicit control areas (overrides ``parents``).

    Returns
    -------
    GeoDataFrame
        Three rows, ``role`` in ``("target", "buffer", "control")``; the
        control never overlaps the target or the ring.

    Raises
    ------
    PlanError
        If the area is unknown, ``buffer_m`` is not positive, or the control
        is empty.
    """
    if buffer_m <= 0:
        raise PlanError(f"buffer_m was {buffer_m} but is expected to be > 0 metres")
    projected = areas.to_crs(crs)
    ids = projected["area_id"].astype(str)
    if area_id not in set(ids):
        raise PlanError(f"area {area_id!r} is not one of the level's areas")
    target = projected.geometry[ids == area_id].iloc[0]
    reach = target.buffer(buffer_m)
    others = projected[ids != area_id]
    if control_ids is not None:
        others = others[
            others["area_id"].astype(str).isin([str(c) for c in control_ids])
        ]
    elif parents is not None:
        parent = parents.to_crs(crs)
        home = parent[parent.geometry.contains(target.representative_point())]
        if len(home):
            inside = others.geometry.representative_point().within(
                home.geometry.iloc[0]
            )
            others = others[inside.to_numpy()]
    control = shapely.difference(shapely.union_all(others.geometry.values), reach)
    if control.is_empty:
        raise PlanError(
            f"no control area left for {area_id!r} once the {buffer_m:.0f} m "
            "ring is removed; pass control_ids"
        )
    return gpd.GeoDataFrame(
        {"role": list(ROLES)},
        geometry=[target, reach.difference(target), control],
        crs=crs,
    )


def assess_plan(
    con: duckdb.DuckDBPyConnection,
    plan: BeatPlan,
    geometries: gpd.GeoDataFrame,
    as_of: date,
    window_days: int | None = None,
) -> PlanAssessment:
    """Counts before/after the first response, the Poisson test and the WDQ.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
    plan : BeatPlan
        With at least one response.
    geometries : GeoDataFrame
        :func:`assessment_areas` output (in the analysis CRS of ``incidents.x/y``).
    as_of : date
        Last day of data.
    window_days : int, optional
        Length of each window; default as long as the data allow (at most 365).

    Returns
    -------
    PlanAssessment
        ``geometries`` in lon/lat, ready to map.

    Raises
    ------
    PlanError
        If the plan has no response, or less than ``MIN_WINDOW_DAYS`` of data
        after the start.
    """
    if not plan.responses:
        raise PlanError(
            f"plan {plan.title!r} has no response yet: add one with a start date"
        )
    start = min(r.start_date for r in plan.responses)
    first = _scalar(con, "SELECT min(occurred_at)::DATE FROM incidents")
    room = min((as_of - start).days + 1, (start - first).days, MAX_WINDOW_DAYS)
    days = room if window_days is None else min(window_days, room)
    if days < MIN_WINDOW_DAYS:
        raise PlanError(
            f"too early to assess: {max(days, 0)} day(s) of data on each side "
            f"of {start:%d %b %Y}; at least {MIN_WINDOW_DAYS} needed"
        )
    points = _incidents_near(
        con,
        plan.categories,
        geometries.total_bounds,
        start - timedelta(days=days),
        start + timedelta(days=days - 1),
    )
    after = points["occurred_at"].dt.date >= start
    x, y = points["x"].to_numpy(), points["y"].to_numpy()
    counts = {}
    for role, geom in zip(geometries["role"], geometries.geometry, strict=True):
        inside = shapely.contains_xy(geom, x, y)
        counts[role] = (
            int(np.sum(inside & ~after.to_numpy())),
            int(np.sum(inside & after.to_numpy())),
        )
    (rb, ra), (bb, ba), (cb, ca) = counts["target"], counts["buffer"], counts["control"]
    return PlanAssessment(
        plan.plan_id,
        start,
        days,
        counts,
        compare_counts(ra, rb),
        weighted_displacement_quotient(rb, ra, bb, ba, cb, ca),
        geometries.to_crs(LONLAT),
    )


def _incidents_near(
    con: duckdb.DuckDBPyConnection,
    categories: Sequence[str],
    bounds: np.ndarray,
    start: date,
    end: date,
) -> pd.DataFrame:
    """Located reports of the categories inside ``bounds`` between two days."""
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    frame = con.execute(
        f"SELECT x, y, occurred_at FROM {store.CRIMES} WHERE located "
        "AND category IN (SELECT unnest(?::VARCHAR[])) AND x BETWEEN ? AND ? "
        "AND y BETWEEN ? AND ? AND occurred_at >= ? "
        "AND occurred_at < ? + INTERVAL 1 DAY",
        [list(categories), minx, maxx, miny, maxy, start, end],
    ).df()
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"])
    return frame


def _day(value: object) -> date:
    return pd.Timestamp(value).date()


def _scalar(
    con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None
) -> Any:
    """First column of the first row of a query (None when there is no row)."""
    row = con.execute(sql, params or []).fetchone()
    return None if row is None else row[0]
