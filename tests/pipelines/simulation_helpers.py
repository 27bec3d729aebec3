"""Tiny hand-checkable worlds for the CAD simulation tests.

Beats are 0.01-degree squares on a row (beat A at x = 0, B at x = 1, ...), near
lon -90.2, lat 38.6; incidents sit at the centre of their beat's square. With
``speed_kmh`` huge, travel takes exactly ``base_min``; service times are fixed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import shapely

from pipelines.workload.simulation import load_simulation_config
from pipelines.workload.simulation.config import (
    Levels,
    Shift,
    SimulationConfig,
    TimeDistribution,
    TravelModel,
)

LON0, LAT0, SIZE = -90.2, 38.6, 0.01
DAY = pd.Timestamp("2019-03-01")


def beat_centre(column: int) -> tuple[float, float]:
    return LON0 + (column + 0.5) * SIZE, LAT0 + 0.5 * SIZE


def world(layout: dict[str, tuple[str, str, int]]) -> pd.DataFrame:
    """Areas table (level, area_id, geometry_wkb) for beats
    ``{id: (sector, precinct, column)}``."""
    rows = []
    squares = {
        b: shapely.box(LON0 + c * SIZE, LAT0, LON0 + (c + 1) * SIZE, LAT0 + SIZE)
        for b, (_, _, c) in layout.items()
    }
    for beat, square in squares.items():
        rows.append(("beat", beat, square))
    for position, level in ((0, "sector"), (1, "precinct")):
        parents = sorted({spec[position] for spec in layout.values()})
        for parent in parents:
            members = [
                squares[b] for b, spec in layout.items() if spec[position] == parent
            ]
            rows.append((level, parent, shapely.union_all(members)))
    return pd.DataFrame(
        {
            "level": [r[0] for r in rows],
            "area_id": [r[1] for r in rows],
            "geometry_wkb": [shapely.to_wkb(r[2]) for r in rows],
        }
    )


def incidents(
    calls: list[tuple[float, str, str]], layout: dict[str, tuple[str, str, int]]
) -> pd.DataFrame:
    """Incidents (minutes after midnight of DAY, beat, category) at beat centres."""
    rows = []
    for i, (minute, beat, category) in enumerate(calls, start=1):
        sector, precinct, column = layout[beat]
        lon, lat = beat_centre(column)
        rows.append(
            {
                "incident_id": f"R{i:03d}",
                "kind": "report",
                "occurred_at": DAY + pd.Timedelta(minutes=minute),
                "reported_at": pd.NaT,
                "category": category,
                "lon": lon,
                "lat": lat,
                "area_beat": beat,
                "area_sector": sector,
                "area_precinct": precinct,
            }
        )
    return pd.DataFrame(rows)


def tiny_config(
    *,
    service_min: float = 25.0,
    travel_base_min: float = 0.0,
    speed_kmh: float = 1e12,
    hold_minutes: float = 30.0,
    units_per_beat: int = 1,
    services: dict[str, float] | None = None,
    sources: dict[str, dict[str, float]] | None = None,
    report_shares: dict[str, float] | None = None,
) -> SimulationConfig:
    """One 24-hour shift, no call-only demand, no reporting delay, fixed times;
    every call comes by 911 unless ``sources`` says otherwise."""
    base = load_simulation_config()
    services, sources, report_shares = (
        services or {},
        sources or {},
        report_shares or {},
    )
    types = {
        name: replace(
            spec,
            service=TimeDistribution(services.get(name, service_min), 0.0, "fixed"),
            sources=sources.get(name, {"911": 1.0}),
            report_share=report_shares.get(name, 0.0),
        )
        for name, spec in base.call_types.items()
    }
    return replace(
        base,
        levels=Levels("beat", "sector", "precinct"),
        demand=replace(
            base.demand,
            call_only=(),
            reporting_delay=TimeDistribution(0.0, 0.0, "fixed"),
        ),
        call_types=types,
        shifts=(Shift("all", 0.0, 24.0, units_per_beat),),
        travel=TravelModel(
            base_min=travel_base_min, speed_kmh=speed_kmh, detour_factor=1.0
        ),
        dispatch=replace(base.dispatch, hold_minutes=hold_minutes),
        start=date(2019, 3, 1),
        end=date(2019, 3, 1),
    )


def minutes(series: pd.Series) -> list[float]:
    """Timestamps as minutes after midnight of DAY (NaN for NaT)."""
    return ((pd.to_datetime(series) - DAY).dt.total_seconds() / 60.0).tolist()
