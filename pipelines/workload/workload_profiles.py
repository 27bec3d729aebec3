"""Workload and response profiles per beat, sector or precinct, from any CAD source.

Input: canonical call rows (the store's ``incidents`` where ``kind = 'call'``,
real or simulated). A figure a source cannot supply is NaN, never zero, and the
``coverage`` note says why: the real Seattle extracts have queue and arrival
times but no dispatch or clear times and no unit, so their hold shares,
committed minutes, beat integrity and utilization are NaN.

Definitions
-----------
* response time: ``arrived - queued`` in minutes; on-view (officer-initiated)
  calls and report-entry calls are left out;
* wait for dispatch: ``dispatched - queued``; a call is *held* when it waited
  more than ``held_after_min`` (1 minute), and *held over the limit* when it
  waited more than ``hold_minutes`` (30); shares are of dispatched calls with
  a dispatch time (on-view and report calls left out);
* committed unit minutes: ``cleared - dispatched`` (travel plus on scene), or
  ``cleared - arrived`` where there is no dispatch time, for the first unit;
* beat integrity: the share of dispatched calls answered by a unit of the
  call's own beat (``area_<beat_level>``), where the unit's beat is known;
* utilization: committed unit hours of the area's calls over the unit hours
  the area has on duty, against the 60% guideline (the rest of a shift goes to
  patrol, problem solving, breaks and reports).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from pipelines import schema as s
from pipelines.errors import BeatprofileError
from pipelines.ingest.source_profile import CALL_SOURCES
from pipelines.workload.workload import ON_VIEW

if TYPE_CHECKING:
    from pipelines.workload.simulation import SimulationResult

REPORT = "report"
UNIT_BEAT = "unit_beat"
GUIDELINE = 0.60
SOURCE_COLUMNS = {src: f"calls_{src.replace('-', '_')}" for src in CALL_SOURCES}
AREA_COLUMNS = (
    "level",
    "area_id",
    "calls",
    *SOURCE_COLUMNS.values(),
    "emergency_calls",
    "unit_calls",
    "committed_unit_min",
    "response_median_min",
    "response_p90_min",
    "emergency_response_median_min",
    "emergency_response_p90_min",
    "calls_with_dispatch_time",
    "held_share",
    "held_over_limit_share",
    "own_beat_share",
    "report_share",
    "available_unit_hours",
    "utilization",
    "over_guideline",
    "coverage",
)
PRIORITY_COLUMNS = (
    "level",
    "area_id",
    "priority",
    "calls",
    "on_view_calls",
    "report_calls",
    "with_arrival",
    "response_median_min",
    "response_p90_min",
    "held_share",
    "held_over_limit_share",
    "own_beat_share",
    "committed_unit_min",
)


@dataclass(frozen=True)
class WorkloadProfile:
    """Workload figures of one level: per area, per area and priority, coverage."""

    level: str
    areas: pd.DataFrame
    by_priority: pd.DataFrame
    coverage: pd.DataFrame
    hold_minutes: float
    guideline: float


def build_workload_profile(
    calls: pd.DataFrame,
    level: str,
    *,
    beat_level: str | None = None,
    units: pd.DataFrame | None = None,
    available_unit_hours: Mapping[str, float] | pd.Series | None = None,
    period_days: float | None = None,
    hold_minutes: float = 30.0,
    held_after_min: float = 1.0,
    guideline: float = GUIDELINE,
    emergency_priorities: tuple[str, ...] = ("1",),
) -> WorkloadProfile:
    """Calls, response, holds, beat integrity and utilization per area of ``level``.

    Parameters
    ----------
    calls : DataFrame
        Canonical call rows with ``area_<level>``; ``unit_beat`` is used where
        present, else the unit's beat comes from ``units``.
    level : str
        Level to group by (beat, sector, precinct, neighborhood, district ...).
    beat_level : str, optional
        Level of the beats, for beat integrity; default ``level``.
    units : DataFrame, optional
        Unit roster (``unit``, ``unit_beat``, ``hours_per_day``, ``area_<level>``),
        e.g. ``SimulationResult.units``: gives unit beats and, with
        ``period_days``, the unit hours available per area.
    available_unit_hours : mapping or Series, optional
        Unit hours on duty per area id over the period (wins over ``units``).
    period_days : float, optional
        Days covered; default the calendar days between the first and the last
        queue time.
    hold_minutes, held_after_min : float
        Hold limit (30) and the wait that counts as held (1 minute).
    guideline : float
        Utilization guideline (0.60).
    emergency_priorities : tuple of str
        Priorities reported as emergency.

    Returns
    -------
    WorkloadProfile

    Raises
    ------
    BeatprofileError
        If ``area_<level>`` or a call column is missing.

    Example
    -------
    >>> build_workload_profile(calls, "district").areas[["area_id", "held_share"]]
    """
    beat_level = beat_level or level
    _check_calls(calls, level, beat_level)
    frame = _per_call(
        calls,
        level,
        beat_level,
        units,
        hold_minutes,
        held_after_min,
        emergency_priorities,
    )
    hours = _available_hours(calls, level, units, available_unit_hours, period_days)
    areas = _area_table(frame, level, hours, guideline)
    return WorkloadProfile(
        level=level,
        areas=areas,
        by_priority=_priority_table(frame, level),
        coverage=_coverage(frame, hours),
        hold_minutes=hold_minutes,
        guideline=guideline,
    )


def workload_from_simulation(result: SimulationResult, level: str) -> WorkloadProfile:
    """:func:`build_workload_profile` of simulated calls, with the run's roster,
    window, hold limit and emergency priorities.

    Example
    -------
    >>> workload_from_simulation(result, "district").areas["utilization"]
    """
    config = result.config
    return build_workload_profile(
        result.calls,
        level,
        beat_level=config.levels.beat_level,
        units=result.units,
        period_days=result.days,
        hold_minutes=config.dispatch.hold_minutes,
        emergency_priorities=tuple(
            str(p) for p in range(1, config.dispatch.emergency_priority + 1)
        ),
    )


def _check_calls(calls: pd.DataFrame, level: str, beat_level: str) -> None:
    needed = dict.fromkeys(
        [
            s.area_column(level),
            s.area_column(beat_level),
            s.PRIORITY,
            s.CALL_SOURCE,
            s.QUEUED_AT,
            s.ARRIVED_AT,
        ]
    )
    missing = [c for c in needed if c not in calls]
    if missing:
        levels = [c.removeprefix("area_") for c in calls if str(c).startswith("area_")]
        raise BeatprofileError(
            f"the calls have no column(s) {missing}; expected canonical call rows "
            f"with area_<level> columns (levels found: {levels})"
        )


def _minutes(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (pd.to_datetime(later) - pd.to_datetime(earlier)).dt.total_seconds() / 60.0


def _optional(calls: pd.DataFrame, column: str) -> pd.Series:
    if column in calls:
        return calls[column]
    return pd.Series(pd.NaT, index=calls.index, dtype="datetime64[us]")


def _per_call(
    calls: pd.DataFrame,
    level: str,
    beat_level: str,
    units: pd.DataFrame | None,
    hold_minutes: float,
    held_after_min: float,
    emergency: tuple[str, ...],
) -> pd.DataFrame:
    """One row per call with the derived minutes and flags."""
    source = (
        calls[s.CALL_SOURCE]
        .astype(object)
        .where(calls[s.CALL_SOURCE].isin(CALL_SOURCES), "other")
    )
    on_view, report = source == ON_VIEW, source == REPORT
    dispatched_call = ~on_view & ~report
    queued, arrived = calls[s.QUEUED_AT], calls[s.ARRIVED_AT]
    dispatched, cleared = (
        _optional(calls, s.DISPATCHED_AT),
        _optional(calls, s.CLEARED_AT),
    )
    wait = _minutes(dispatched, queued).where(dispatched_call)
    committed = _minutes(cleared, dispatched).fillna(_minutes(cleared, arrived))
    committed = committed.where(~report, 0.0 if cleared.notna().any() else np.nan)
    unit_beat = _unit_beats(calls, units)
    own_known = dispatched_call & unit_beat.notna()
    beat = calls[s.area_column(beat_level)].astype(object)
    priority = _priority_text(calls[s.PRIORITY])
    return pd.DataFrame(
        {
            "area_id": calls[s.area_column(level)]
            .astype(object)
            .fillna("unknown")
            .astype(str),
            "priority": priority,
            "source": source,
            "on_view": on_view,
            "report": report,
            "emergency": priority.isin(emergency),
            "unit_call": ~report & (arrived.notna() | _has_unit(calls)),
            "response": _minutes(arrived, queued).where(dispatched_call),
            "has_wait": wait.notna(),
            "held": (wait > held_after_min).astype(float).where(wait.notna()),
            "held_over": (wait > hold_minutes).astype(float).where(wait.notna()),
            "committed": committed,
            "own_known": own_known,
            "own": (unit_beat.astype(str) == beat.astype(str))
            .astype(float)
            .where(own_known),
        }
    )


def _priority_text(values: pd.Series) -> pd.Series:
    """Priorities as text ("1", not "1.0" from a numeric column); none = "unknown"."""
    if pd.api.types.is_numeric_dtype(values):
        values = pd.to_numeric(values).round().astype("Int64")
    text = values.astype("string").str.strip()
    return text.where(text.notna() & (text != ""), "unknown").astype(object)


def _has_unit(calls: pd.DataFrame) -> pd.Series:
    if s.UNIT not in calls:
        return pd.Series(False, index=calls.index)
    unit = calls[s.UNIT].astype(object)
    return unit.notna() & (unit.astype(str).str.strip() != "")


def _unit_beats(calls: pd.DataFrame, units: pd.DataFrame | None) -> pd.Series:
    """The answering unit's beat: ``unit_beat`` column, else the roster."""
    if UNIT_BEAT in calls:
        beats = calls[UNIT_BEAT].astype(object)
    elif units is not None and s.UNIT in calls:
        roster = dict(
            zip(units["unit"].astype(str), units[UNIT_BEAT].astype(str), strict=True)
        )
        beats = calls[s.UNIT].astype("string").map(roster).astype(object)
    else:
        return pd.Series(None, index=calls.index, dtype=object)
    return beats.where(beats.notna() & (beats.astype(str).str.strip() != ""), None)


def _available_hours(
    calls: pd.DataFrame,
    level: str,
    units: pd.DataFrame | None,
    explicit: Mapping[str, float] | pd.Series | None,
    period_days: float | None,
) -> pd.Series | None:
    if explicit is not None:
        series = pd.Series(explicit, dtype="float64")
        return series.set_axis(series.index.astype(str))
    column = s.area_column(level)
    if units is None or column not in units or "hours_per_day" not in units:
        return None
    if period_days is None:
        queued = pd.to_datetime(calls[s.QUEUED_AT]).dropna()
        if queued.empty:
            return None
        period_days = (queued.max().normalize() - queued.min().normalize()).days + 1
    per_day = units.groupby(units[column].astype(str))["hours_per_day"].sum()
    return per_day * float(period_days)


def _aggregate(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Counts, shares (NaN where nothing is known), sums and response quantiles."""
    grouped = frame.groupby(keys, sort=False)
    response = grouped["response"]
    return pd.DataFrame(
        {
            "calls": grouped.size(),
            "on_view_calls": grouped["on_view"].sum(),
            "report_calls": grouped["report"].sum(),
            "emergency_calls": grouped["emergency"].sum(),
            "unit_calls": grouped["unit_call"].sum(),
            "with_arrival": response.count(),
            "calls_with_dispatch_time": grouped["has_wait"].sum(),
            "committed_unit_min": grouped["committed"].sum(min_count=1),
            "response_median_min": response.median(),
            "response_p90_min": response.quantile(0.9),
            "held_share": grouped["held"].mean(),
            "held_over_limit_share": grouped["held_over"].mean(),
            "own_beat_share": grouped["own"].mean(),
            "report_share": grouped["report"].mean(),
        }
    )


def _area_table(
    frame: pd.DataFrame, level: str, hours: pd.Series | None, guideline: float
) -> pd.DataFrame:
    table = _aggregate(frame, ["area_id"])
    emergency = frame[frame["emergency"]].groupby("area_id")["response"]
    table["emergency_response_median_min"] = emergency.median()
    table["emergency_response_p90_min"] = emergency.quantile(0.9)
    sources = frame.groupby(["area_id", "source"]).size().unstack(fill_value=0)
    for src, column in SOURCE_COLUMNS.items():
        table[column] = sources[src] if src in sources else 0
    table["available_unit_hours"] = (
        hours.reindex(table.index).astype(float) if hours is not None else np.nan
    )
    table["utilization"] = (
        table["committed_unit_min"]
        / 60.0
        / table["available_unit_hours"].where(table["available_unit_hours"] > 0)
    )
    table["over_guideline"] = (
        (table["utilization"] > guideline)
        .astype("boolean")
        .where(table["utilization"].notna(), pd.NA)
    )
    notes = _coverage_notes(frame)
    table["coverage"] = [
        _with_hours_note(notes[area], table.loc[area, "utilization"])
        for area in table.index
    ]
    table = table.reset_index().assign(level=level)
    return _sorted(table[list(AREA_COLUMNS)], ["area_id"])


def _priority_table(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    table = _aggregate(frame, ["area_id", "priority"]).reset_index().assign(level=level)
    return _sorted(table[list(PRIORITY_COLUMNS)], ["area_id", "priority"])


def _sorted(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Numeric ids in numeric order ("2" before "10"), then text."""
    order = [pd.to_numeric(table[k], errors="coerce") for k in keys]
    helper = {f"_n{i}": o for i, o in enumerate(order)}
    by = [c for i, k in enumerate(keys) for c in (f"_n{i}", k)]
    return (
        table.assign(**helper)
        .sort_values(by, na_position="last")
        .drop(columns=list(helper))
        .reset_index(drop=True)
    )


_MEASURES = (
    ("response time", "response", "arrival times"),
    ("held shares", "held", "dispatch times"),
    ("committed unit minutes", "committed", "clear times"),
    ("beat integrity", "own", "the answering unit's beat"),
)


def _coverage_notes(frame: pd.DataFrame) -> dict[str, str]:
    """Per area: the measures that are NaN because no call carries their data."""
    known = frame.groupby("area_id")[[c for _, c, _ in _MEASURES]].count()
    notes = {}
    for area, counts in known.iterrows():
        gaps = [
            f"no {needs} ({measure})"
            for measure, column, needs in _MEASURES
            if counts[column] == 0
        ]
        notes[area] = "; ".join(gaps)
    return notes


def _with_hours_note(note: str, utilization: float) -> str:
    if pd.isna(utilization):
        note = "; ".join(
            filter(None, [note, "no unit hours or clear times (utilization)"])
        )
    return note or "complete"


def _coverage(frame: pd.DataFrame, hours: pd.Series | None) -> pd.DataFrame:
    """Per measure: how many of the calls it applies to carry the data it needs."""
    dispatched = ~frame["on_view"] & ~frame["report"]
    applies = {
        "response": dispatched,
        "held": dispatched,
        "committed": frame["unit_call"],
        "own": dispatched,
    }
    rows = []
    for measure, column, needs in _MEASURES:
        base = applies[column]
        have = int(frame.loc[base, column].notna().sum())
        total = int(base.sum())
        rows.append(
            {
                "measure": measure,
                "needs": needs,
                "calls": total,
                "calls_with_data": have,
                "share": have / total if total else np.nan,
                "note": "available"
                if have
                else f"not available: the source has no {needs}",
            }
        )
    rows.append(
        {
            "measure": "utilization",
            "needs": "clear times and unit hours on duty",
            "calls": int(frame["unit_call"].sum()),
            "calls_with_data": int(
                frame.loc[frame["unit_call"], "committed"].notna().sum()
            )
            if hours is not None
            else 0,
            "share": np.nan,
            "note": "available"
            if hours is not None and frame["committed"].notna().any()
            else "not available: give unit hours on duty (units roster or "
            "available_unit_hours) and a source with clear times",
        }
    )
    return pd.DataFrame(rows)
