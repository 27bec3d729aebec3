"""Settings of the CAD simulation (frozen dataclasses).

Loaded from TOML by :mod:`pipelines.workload.simulation.config_file`; the documented
defaults live in ``data/sample/cad_simulation.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal, get_args

from pipelines.catalog import SAMPLE_DIR

DEFAULT_CONFIG_PATH = SAMPLE_DIR / "cad_simulation.toml"

Distribution = Literal["lognormal", "gamma", "fixed"]
DISTRIBUTIONS: tuple[str, ...] = get_args(Distribution)
DISPATCH_SOURCES = ("911", "phone", "on-view", "alarm", "other")
"""Call sources a call type can draw; ``report`` comes from ``report_share``."""


@dataclass(frozen=True)
class TimeDistribution:
    """Minutes drawn from a lognormal or gamma with this mean and sd (or fixed)."""

    mean_min: float
    sd_min: float = 0.0
    distribution: Distribution = "lognormal"


@dataclass(frozen=True)
class CallType:
    """How calls of one type are prioritized, reach the department and take time."""

    name: str
    priority: int
    category: str
    service: TimeDistribution
    sources: dict[str, float]
    report_share: float = 0.0


@dataclass(frozen=True)
class CallOnlyDemand:
    """Poisson arrivals of one call type with no crime record behind them."""

    call_type: str
    daily_rate_per_beat: float
    hour_shape: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Shift:
    """A daily shift: its units come on duty at ``start_hour`` for ``hours``."""

    name: str
    start_hour: float
    hours: float
    units_per_beat: int


@dataclass(frozen=True)
class Levels:
    """Store levels playing beat, sector and precinct (sector may equal precinct)."""

    beat_level: str
    sector_level: str
    precinct_level: str

    @property
    def names(self) -> tuple[str, ...]:
        """Distinct level names, beat first."""
        return tuple(
            dict.fromkeys((self.beat_level, self.sector_level, self.precinct_level))
        )


@dataclass(frozen=True)
class TravelModel:
    """Travel minutes = base + detour * straight-line km / speed * 60."""

    base_min: float = 2.0
    speed_kmh: float = 30.0
    detour_factor: float = 1.3


@dataclass(frozen=True)
class DispatchPolicy:
    """Beat-integrity dispatch: emergency at once, others held for the beat unit."""

    hold_minutes: float = 30.0
    emergency_priority: int = 1
    report_priority: int = 4


@dataclass(frozen=True)
class DemandSettings:
    """How incidents and call-only demand become queued calls."""

    reporting_delay: TimeDistribution
    hour_shape: tuple[float, ...]
    call_only: tuple[CallOnlyDemand, ...]
    late_report_days: float = 30.0
    late_report_spread_days: float = 28.0
    beat_weighting: float = 0.5


@dataclass(frozen=True)
class SimulationConfig:
    """Everything one simulation run needs besides the incidents and the seed."""

    levels: Levels
    demand: DemandSettings
    call_types: dict[str, CallType]
    shifts: tuple[Shift, ...]
    travel: TravelModel = TravelModel()
    dispatch: DispatchPolicy = DispatchPolicy()
    beat_overrides: dict[str, int] = field(default_factory=dict)
    source_name: str = "synthetic-cad"
    start: date | None = None
    end: date | None = None
    min_month_share: float = 0.25
    path: Path | None = None

    def is_emergency(self, priority: int) -> bool:
        return priority <= self.dispatch.emergency_priority
