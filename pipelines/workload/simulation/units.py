"""The unit roster: which units each beat has on each shift."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines import schema as s
from pipelines.workload.simulation.beats import BeatTable
from pipelines.workload.simulation.config import SimulationConfig

UNIT = "unit"
UNIT_BEAT = "unit_beat"
SHIFT = "shift"
HOURS_PER_DAY = "hours_per_day"


def build_roster(beats: BeatTable, config: SimulationConfig) -> pd.DataFrame:
    """One row per unit: id, beat, shift and its ids at each configured level.

    Unit ids read ``<beat>-<shift>-<n>`` (e.g. ``35-day-1``). A beat in
    ``[units.beat_overrides]`` has that many units on every shift.

    Returns
    -------
    DataFrame
        ``unit, unit_beat, beat_index, shift, shift_index, start_hour,
        hours_per_day`` and ``area_<level>`` for the beat, sector and precinct
        levels, ordered by beat then shift.

    Example
    -------
    >>> build_roster(beats, load_simulation_config())["unit"].iloc[0]
    '1-day-1'
    """
    levels = config.levels
    sectors = np.asarray(beats.sector_ids, dtype=object)[beats.sector]
    precincts = np.asarray(beats.precinct_ids, dtype=object)[beats.precinct]
    rows = []
    for b, beat in enumerate(beats.beat_ids):
        for k, shift in enumerate(config.shifts):
            count = config.beat_overrides.get(beat, shift.units_per_beat)
            for n in range(1, count + 1):
                rows.append(
                    {
                        UNIT: f"{beat}-{shift.name}-{n}",
                        UNIT_BEAT: beat,
                        "beat_index": b,
                        SHIFT: shift.name,
                        "shift_index": k,
                        "start_hour": shift.start_hour,
                        HOURS_PER_DAY: shift.hours,
                        s.area_column(levels.sector_level): sectors[b],
                        s.area_column(levels.precinct_level): precincts[b],
                        s.area_column(levels.beat_level): beat,
                    }
                )
    columns = [
        UNIT,
        UNIT_BEAT,
        "beat_index",
        SHIFT,
        "shift_index",
        "start_hour",
        HOURS_PER_DAY,
        *(s.area_column(level) for level in levels.names),
    ]
    return pd.DataFrame(rows, columns=columns)
