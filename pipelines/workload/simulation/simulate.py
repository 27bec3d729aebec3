"""``simulate_cad``: incidents + call-only demand -> dispatched CAD calls."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines import schema as s
from pipelines.errors import BeatprofileError, ConfigError
from pipelines.workload.simulation.beats import BeatTable, build_beat_table
from pipelines.workload.simulation.config import SimulationConfig
from pipelines.workload.simulation.demand import INCIDENT, build_demand
from pipelines.workload.simulation.dispatcher import (
    DISPATCH,
    REPORT,
    DispatchInput,
    DispatchOutcome,
    run_dispatch,
)
from pipelines.workload.simulation.units import (
    HOURS_PER_DAY,
    UNIT,
    UNIT_BEAT,
    build_roster,
)

log = logging.getLogger(__name__)

SYNTHETIC = "SYNTHETIC"
ID_PREFIX = "SIM-"
HELD = "held"
HOLD_MIN = "hold_min"
OWN_BEAT = "answered_by_own_beat"
TRAVEL_MIN = "travel_min"
SERVICE_MIN = "service_min"
DISPOSITIONS = {
    "report": f"{SYNTHETIC} - REPORT TAKEN BY PHONE/ONLINE REPORT ENTRY (NO UNIT)",
    INCIDENT: f"{SYNTHETIC} - REPORT WRITTEN",
    "call-only": f"{SYNTHETIC} - ASSISTANCE RENDERED",
}
_REQUIRED = (s.OCCURRED_AT, s.CATEGORY, s.LON, s.LAT)


@dataclass(frozen=True)
class SimulationResult:
    """Simulated calls, the unit roster and what produced them.

    ``calls`` has one row per demand item: the canonical call columns, the
    ``area_<level>`` ids of the beat, sector and precinct levels, ``beat``,
    ``sector``, ``precinct``, ``unit_beat``, ``held``, ``hold_min``,
    ``answered_by_own_beat``, ``travel_min``, ``service_min``, ``call_type``,
    ``origin`` (incident / call-only) and ``source_incident_id``.
    """

    calls: pd.DataFrame
    units: pd.DataFrame
    config: SimulationConfig
    seed: int
    start: pd.Timestamp
    end: pd.Timestamp
    excluded_incidents: int
    source_name: str

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400.0

    def available_unit_hours(self, level: str) -> pd.Series:
        """Unit-hours on duty per area of ``level`` over the simulated window."""
        column = s.area_column(level)
        per_day = self.units.groupby(column)[HOURS_PER_DAY].sum()
        return (per_day * self.days).rename("available_unit_hours")


def simulate_cad(
    incidents: pd.DataFrame,
    areas: pd.DataFrame | None,
    config: SimulationConfig,
    seed: int,
) -> SimulationResult:
    """Simulate a beat-integrity department's CAD calls for real incidents.

    Parameters
    ----------
    incidents : DataFrame
        Rows of the store's ``incidents`` table (``kind = 'call'`` rows are left
        out, so earlier simulated calls are never fed back): ``occurred_at``,
        ``category``, ``lon``, ``lat``, ``area_<level>`` for the configured
        levels, and ``incident_id`` / ``reported_at`` where available.
    areas : DataFrame or None
        The store's ``areas`` table (``level``, ``area_id``, ``geometry_wkb`` in
        lon/lat): beat polygons place the units. None: units start at the mean
        incident point of their beat.
    config : SimulationConfig
        From :func:`load_simulation_config`.
    seed : int
        Seed of every random draw; the same inputs and seed give the same calls.

    Returns
    -------
    SimulationResult

    Raises
    ------
    BeatprofileError
        If a needed column is missing or there is nothing to simulate.
    ConfigError
        If the configured levels are not in the incidents.

    Example
    -------
    >>> result = simulate_cad(incidents, areas, load_simulation_config(), seed=1)
    >>> result.calls["call_source"].value_counts()
    """
    _check_columns(incidents, config)
    if s.KIND in incidents:
        incidents = incidents[incidents[s.KIND].fillna("report") != "call"]
    began = time.perf_counter()
    beats = build_beat_table(incidents, areas, config.levels)
    demand = build_demand(incidents, beats, config, seed)
    roster = build_roster(beats, config)
    _check_roster(roster, beats.beat_ids, config)
    items = demand.items
    imputed = items[s.LON].isna() | items[s.LAT].isna()
    lon = np.where(imputed, beats.home_lon[items["beat_index"]], items[s.LON])
    lat = np.where(imputed, beats.home_lat[items["beat_index"]], items[s.LAT])
    x, y = beats.to_local(lon, lat)
    outcome = run_dispatch(
        DispatchInput(
            queued=items["queued_min"].to_numpy(float),
            beat=items["beat_index"].to_numpy(),
            priority=items["priority"].to_numpy(),
            mode=items["mode"].to_numpy(),
            x=x,
            y=y,
            service=items["service_min"].to_numpy(float),
            beat_sector=beats.sector,
            beat_precinct=beats.precinct,
            home_x=beats.home_x,
            home_y=beats.home_y,
            unit_beat=roster["beat_index"].to_numpy(),
            unit_shift=roster["shift_index"].to_numpy(),
            shifts=tuple((sh.start_hour, sh.hours) for sh in config.shifts),
            hold_minutes=config.dispatch.hold_minutes,
            emergency_priority=config.dispatch.emergency_priority,
            travel_base_min=config.travel.base_min,
            speed_kmh=config.travel.speed_kmh,
            detour_factor=config.travel.detour_factor,
            horizon_min=demand.window.minutes,
        )
    )
    calls = _assemble(
        items.assign(lon=lon, lat=lat, location_imputed=imputed),
        outcome,
        beats,
        roster,
        config,
        demand.window.start,
    )
    log.info(
        "simulated %d calls (%d units, %d days) in %.1f s with seed %d",
        len(calls),
        len(roster),
        demand.window.days,
        time.perf_counter() - began,
        seed,
    )
    return SimulationResult(
        calls=calls,
        units=roster.drop(columns=["beat_index", "shift_index"]),
        config=config,
        seed=seed,
        start=demand.window.start,
        end=demand.window.end,
        excluded_incidents=demand.excluded_incidents,
        source_name=config.source_name,
    )


def _check_columns(incidents: pd.DataFrame, config: SimulationConfig) -> None:
    missing = [c for c in _REQUIRED if c not in incidents]
    if missing:
        raise BeatprofileError(
            f"the incidents have no column(s) {missing}; pass rows of the store's "
            f"incidents table (columns found: {list(incidents.columns)[:20]})"
        )
    beat_col = s.area_column(config.levels.beat_level)
    if beat_col not in incidents:
        levels = [c.removeprefix("area_") for c in incidents if c.startswith("area_")]
        raise ConfigError(
            f"beat_level was {config.levels.beat_level!r} but the incidents have no "
            f"column {beat_col}; the store's levels are {levels}. Set [levels] "
            "beat_level in the simulation config"
        )


def _check_roster(
    roster: pd.DataFrame, beat_ids: tuple[str, ...], config: SimulationConfig
) -> None:
    """Every beat needs a unit on some shift: on-view calls there are its own."""
    if roster.empty:
        raise BeatprofileError(
            f"{config.path}: no units: every shift has units_per_beat = 0; give at "
            "least one shift units"
        )
    without = sorted(set(beat_ids) - set(roster[UNIT_BEAT]))
    if without:
        raise ConfigError(
            f"{config.path}: beats {without[:10]} have no unit on any shift; every "
            "beat needs one (its on-view calls are its own units'). Raise their "
            "[units.beat_overrides] above 0"
        )


def _minutes_to_times(start: pd.Timestamp, minutes: np.ndarray) -> pd.Series:
    seconds = np.round(np.asarray(minutes, float) * 60.0)
    return pd.Series(start + pd.to_timedelta(seconds, unit="s"))


def _assemble(
    items: pd.DataFrame,
    outcome: DispatchOutcome,
    beats: BeatTable,
    roster: pd.DataFrame,
    config: SimulationConfig,
    start: pd.Timestamp,
) -> pd.DataFrame:
    """One canonical call row per demand item, with the dispatch record."""
    levels = config.levels
    beat_frame = beats.frame()
    b = items["beat_index"].to_numpy()
    has_unit = outcome.unit >= 0
    unit_ids = roster[UNIT].to_numpy(dtype=object)
    unit_beats = roster[UNIT_BEAT].to_numpy(dtype=object)
    unit = np.where(has_unit, unit_ids[np.maximum(outcome.unit, 0)], None)
    unit_beat = np.where(has_unit, unit_beats[np.maximum(outcome.unit, 0)], None)
    beat = beat_frame["beat"].to_numpy(dtype=object)[b]
    mode = items["mode"].to_numpy()
    hold = np.where(mode == DISPATCH, outcome.dispatched - outcome.queued, np.nan)
    own = pd.array(np.where(has_unit, unit_beat == beat, False), dtype="boolean")
    own[~has_unit] = pd.NA
    origin = items["origin"].to_numpy()
    disposition = np.where(
        mode == REPORT,
        DISPOSITIONS["report"],
        np.where(origin == INCIDENT, DISPOSITIONS[INCIDENT], DISPOSITIONS["call-only"]),
    )
    calls = pd.DataFrame(
        {
            s.INCIDENT_ID: [f"{ID_PREFIX}{i:08d}" for i in range(1, len(items) + 1)],
            s.SOURCE: config.source_name,
            s.KIND: "call",
            "call_type": items["call_type"].to_numpy(),
            s.CATEGORY: items["category"].to_numpy(),
            s.OCCURRED_AT: pd.to_datetime(items[s.OCCURRED_AT])
            .dt.floor("s")
            .to_numpy(),
            s.PRIORITY: items["priority"].astype(str).to_numpy(),
            s.CALL_SOURCE: items["call_source"].to_numpy(),
            s.QUEUED_AT: _minutes_to_times(start, outcome.queued),
            s.DISPATCHED_AT: _minutes_to_times(start, outcome.dispatched),
            s.ARRIVED_AT: _minutes_to_times(start, outcome.arrived),
            s.CLEARED_AT: _minutes_to_times(start, outcome.cleared),
            s.UNIT: unit,
            s.DISPOSITION: disposition,
            s.LON: items[s.LON].to_numpy(float),
            s.LAT: items[s.LAT].to_numpy(float),
            "beat": beat,
            "sector": beat_frame["sector"].to_numpy(dtype=object)[b],
            "precinct": beat_frame["precinct"].to_numpy(dtype=object)[b],
            UNIT_BEAT: unit_beat,
            HELD: np.nan_to_num(hold, nan=0.0) > 1e-9,
            HOLD_MIN: hold,
            OWN_BEAT: own,
            TRAVEL_MIN: outcome.arrived - outcome.dispatched,
            SERVICE_MIN: np.where(
                has_unit, items["service_min"].to_numpy(float), np.nan
            ),
            "origin": origin,
            "source_incident_id": items["source_incident_id"].to_numpy(),
            "location_imputed": items["location_imputed"].to_numpy(bool),
        }
    )
    for role, level in (
        ("beat", levels.beat_level),
        ("sector", levels.sector_level),
        ("precinct", levels.precinct_level),
    ):
        calls[s.area_column(level)] = calls[role]
    return calls
