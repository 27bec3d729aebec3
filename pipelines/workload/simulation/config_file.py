"""Reading the simulation config from TOML, merged into the documented defaults.

The defaults live in one place, ``data/sample/cad_simulation.toml``; a user's
file is merged key by key into them, so it only names what it changes. Every
key is validated: a typo or an out-of-range value is an error naming the file
and the key.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pipelines import schema, validate
from pipelines.errors import ConfigError
from pipelines.workload.simulation.config import (
    DEFAULT_CONFIG_PATH,
    DISPATCH_SOURCES,
    DISTRIBUTIONS,
    CallOnlyDemand,
    CallType,
    DemandSettings,
    DispatchPolicy,
    Distribution,
    Levels,
    Shift,
    SimulationConfig,
    TimeDistribution,
    TravelModel,
)


def load_simulation_config(path: str | Path | None = None) -> SimulationConfig:
    """Read a simulation config, merged into the documented defaults.

    Parameters
    ----------
    path : str or Path, optional
        A TOML file naming the keys it changes; None gives the defaults of
        ``data/sample/cad_simulation.toml``.

    Returns
    -------
    SimulationConfig

    Raises
    ------
    ConfigError
        If the file is missing or not TOML, or a key is unknown or out of range.

    Example
    -------
    >>> load_simulation_config().dispatch.hold_minutes
    30.0
    """
    doc = _read_toml(DEFAULT_CONFIG_PATH)
    where = DEFAULT_CONFIG_PATH
    if path is not None:
        where = Path(path)
        user = _read_toml(where)
        _check_known_keys(user, doc, where)
        doc = _merge(doc, user)
    return _parse(doc, where)


def _read_toml(path: Path) -> dict:
    return validate.read_toml(
        path,
        "simulation config",
        f"give the path of a .toml file (start from {DEFAULT_CONFIG_PATH})",
    )[1]


# Tables whose keys are names chosen by the user (not fixed settings).
_OPEN_TABLES = {"call_types", "call_only", "source_mixes", "shifts", "beat_overrides"}


def _check_known_keys(user: dict, defaults: dict, path: Path, prefix: str = "") -> None:
    """A typo in a fixed key is an error, not a silently ignored setting."""
    for key, value in user.items():
        name = f"{prefix}{key}"
        if key not in defaults:
            raise ConfigError(
                f"{path}: unknown key `{name}`; expected one of "
                f"{sorted(defaults)} (see {DEFAULT_CONFIG_PATH})"
            )
        if (
            isinstance(value, dict)
            and isinstance(defaults[key], dict)
            and (key not in _OPEN_TABLES)
        ):
            _check_known_keys(value, defaults[key], path, f"{name}.")


def _merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _parse(doc: dict, path: Path) -> SimulationConfig:
    sim, levels = doc.get("simulation", {}), doc.get("levels", {})
    units, dispatch = doc.get("units", {}), doc.get("dispatch", {})
    mixes = doc.get("source_mixes", {})
    service_shape = _distribution(
        doc.get("service", {}).get("distribution", "lognormal"), path, "[service]"
    )
    call_types = {
        name: _call_type(name, spec, mixes, service_shape, path)
        for name, spec in doc.get("call_types", {}).items()
    }
    config = SimulationConfig(
        levels=Levels(
            **{
                k: str(validate.require(levels, k, "[levels]", path))
                for k in ("beat_level", "sector_level", "precinct_level")
            }
        ),
        demand=_demand(
            doc.get("demand", {}), doc.get("call_only", {}), call_types, path
        ),
        call_types=call_types,
        shifts=tuple(
            _shift(name, spec, path) for name, spec in units.get("shifts", {}).items()
        ),
        travel=TravelModel(**_floats(doc.get("travel", {}), "travel", path)),
        dispatch=DispatchPolicy(
            hold_minutes=validate.bounded_number(
                dispatch.get("hold_minutes", 30.0),
                path,
                "[dispatch] hold_minutes",
                low=0.0,
            ),
            emergency_priority=int(dispatch.get("emergency_priority", 1)),
            report_priority=int(dispatch.get("report_priority", 4)),
        ),
        beat_overrides={
            str(k): int(
                validate.bounded_number(v, path, f"[units.beat_overrides] {k}", low=0)
            )
            for k, v in units.get("beat_overrides", {}).items()
        },
        source_name=str(sim.get("source_name", "synthetic-cad")),
        start=_date(sim.get("start", ""), path, "start"),
        end=_date(sim.get("end", ""), path, "end"),
        min_month_share=validate.bounded_number(
            sim.get("min_month_share", 0.25),
            path,
            "[simulation] min_month_share",
            low=0.0,
            high=1.0,
        ),
        path=path,
    )
    _check_config(config, path)
    return config


def _call_type(
    name: str, spec: dict, mixes: dict, shape: Distribution, path: Path
) -> CallType:
    where = f"[call_types] {name!r}"
    category = str(spec.get("category", name))
    if category not in schema.CATEGORIES:
        raise ConfigError(
            f'{path}: {where} category was "{category}" but is expected to be one of '
            f"{list(schema.CATEGORIES)}; add `category = ...` to the call type"
        )
    sources = spec.get("sources", "routine")
    if isinstance(sources, str):
        if sources not in mixes:
            raise ConfigError(
                f'{path}: {where} sources was "{sources}" but is expected to be one '
                f"of the [source_mixes] {sorted(mixes)} or an inline table"
            )
        sources = mixes[sources]
    return CallType(
        name=name,
        priority=int(
            validate.bounded_number(
                validate.require(spec, "priority", f"[call_types.{name}]", path),
                path,
                f"{where} priority",
                low=1,
            )
        ),
        category=category,
        service=TimeDistribution(
            mean_min=validate.bounded_number(
                validate.require(
                    spec, "service_mean_min", f"[call_types.{name}]", path
                ),
                path,
                f"{where} service_mean_min",
                low=0.0,
            ),
            sd_min=validate.bounded_number(
                spec.get("service_sd_min", 0.0),
                path,
                f"{where} service_sd_min",
                low=0.0,
            ),
            distribution=shape,
        ),
        sources=_shares(sources, path, where),
        report_share=validate.bounded_number(
            spec.get("report_share", 0.0),
            path,
            f"{where} report_share",
            low=0.0,
            high=1.0,
        ),
    )


def _shares(mix: dict, path: Path, where: str) -> dict[str, float]:
    unknown = sorted(set(mix) - set(DISPATCH_SOURCES))
    if unknown:
        raise ConfigError(
            f"{path}: {where} sources has {unknown}; expected some of "
            f"{list(DISPATCH_SOURCES)} (phone/online report entry is `report_share`)"
        )
    shares = {
        k: validate.bounded_number(v, path, f"{where} sources {k}", low=0.0)
        for k, v in mix.items()
    }
    total = sum(shares.values())
    if total <= 0:
        raise ConfigError(
            f"{path}: {where} sources are all zero; give at least one share"
        )
    return {k: v / total for k, v in shares.items() if v > 0}


def _demand(
    section: dict, call_only: dict, call_types: dict, path: Path
) -> DemandSettings:
    delay = section.get("reporting_delay", {})
    items = []
    for name, spec in call_only.items():
        if name not in call_types:
            raise ConfigError(
                f"{path}: [call_only] {name!r} is not a call type; add it to "
                f"[call_types] or use one of {sorted(call_types)}"
            )
        shape = spec.get("hour_shape")
        items.append(
            CallOnlyDemand(
                call_type=name,
                daily_rate_per_beat=validate.bounded_number(
                    spec.get("daily_rate_per_beat", 0.0),
                    path,
                    f"[call_only] {name!r} daily_rate_per_beat",
                    low=0.0,
                ),
                hour_shape=_hour_shape(shape, path, f"[call_only] {name!r}")
                if shape
                else None,
            )
        )
    return DemandSettings(
        reporting_delay=TimeDistribution(
            mean_min=validate.bounded_number(
                delay.get("mean_min", 0.0),
                path,
                "[demand.reporting_delay] mean_min",
                low=0.0,
            ),
            sd_min=validate.bounded_number(
                delay.get("sd_min", 0.0),
                path,
                "[demand.reporting_delay] sd_min",
                low=0.0,
            ),
            distribution=_distribution(
                delay.get("distribution", "fixed"), path, "[demand.reporting_delay]"
            ),
        ),
        hour_shape=_hour_shape(section.get("hour_shape", [1.0] * 24), path, "[demand]"),
        call_only=tuple(items),
        late_report_days=validate.bounded_number(
            section.get("late_report_days", 30),
            path,
            "[demand] late_report_days",
            low=0.0,
        ),
        late_report_spread_days=validate.bounded_number(
            section.get("late_report_spread_days", 0),
            path,
            "[demand] late_report_spread_days",
            low=0.0,
        ),
        beat_weighting=validate.bounded_number(
            section.get("beat_weighting", 0.5),
            path,
            "[demand] beat_weighting",
            low=0.0,
            high=1.0,
        ),
    )


def _shift(name: str, spec: dict, path: Path) -> Shift:
    where = f"[units.shifts.{name}]"
    return Shift(
        name=name,
        start_hour=validate.bounded_number(
            validate.require(spec, "start_hour", f"[units.shifts.{name}]", path),
            path,
            f"{where} start_hour",
            low=0.0,
            high=24.0,
        ),
        hours=validate.bounded_number(
            validate.require(spec, "hours", f"[units.shifts.{name}]", path),
            path,
            f"{where} hours",
            low=0.0,
            high=24.0,
        ),
        units_per_beat=int(
            validate.bounded_number(
                spec.get("units_per_beat", 1), path, f"{where} units_per_beat", low=0
            )
        ),
    )


def _check_config(config: SimulationConfig, path: Path) -> None:
    if not config.shifts:
        raise ConfigError(f"{path}: [units.shifts] is empty; define at least one shift")
    if config.travel.speed_kmh <= 0:
        raise ConfigError(
            f"{path}: [travel] speed_kmh was {config.travel.speed_kmh} but is expected "
            "to be above 0"
        )
    if config.start and config.end and config.start > config.end:
        raise ConfigError(
            f"{path}: [simulation] start {config.start} is after end {config.end}"
        )
    for category in schema.CATEGORIES:
        if category not in config.call_types:
            raise ConfigError(
                f'{path}: [call_types] has no entry for the category "{category}"; '
                "every incident category needs a call type"
            )


def _hour_shape(values: list, path: Path, where: str) -> tuple[float, ...]:
    if len(values) != 24 or any(
        validate.bounded_number(v, path, f"{where} hour_shape") < 0 for v in values
    ):
        raise ConfigError(
            f"{path}: {where} hour_shape has {len(values)} values; expected 24 "
            "non-negative weights, one per hour 0-23"
        )
    mean = sum(values) / 24
    if mean <= 0:
        raise ConfigError(f"{path}: {where} hour_shape is all zero")
    return tuple(float(v) / mean for v in values)


def _distribution(value: str, path: Path, where: str) -> Distribution:
    if value not in DISTRIBUTIONS:
        raise ConfigError(
            f'{path}: {where} distribution was "{value}" but is expected to be in '
            f"{list(DISTRIBUTIONS)}"
        )
    return value  # type: ignore[return-value]


def _floats(section: dict, name: str, path: Path) -> dict[str, float]:
    known = ("base_min", "speed_kmh", "detour_factor")
    return {
        k: validate.bounded_number(section[k], path, f"[{name}] {k}", low=0.0)
        for k in known
        if k in section
    }


def _date(value: object, path: Path, key: str) -> date | None:
    if value in ("", None):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ConfigError(
            f"{path}: [simulation] {key} was {value!r} but is expected to be an ISO "
            'date such as "2019-01-01" or empty'
        ) from exc
