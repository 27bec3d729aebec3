"""Demand: real incidents and Poisson call-only arrivals, as calls to dispatch.

Every random draw comes from its own stream of one seed (``SeedSequence.spawn``),
so a change in one part (say, call-only rates) leaves the others' draws alone,
and incidents are put in a fixed order first, so row order does not matter.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines import schema as s
from pipelines.errors import BeatprofileError, ConfigError
from pipelines.workload.simulation.beats import BeatTable
from pipelines.workload.simulation.config import SimulationConfig, TimeDistribution
from pipelines.workload.simulation.dispatcher import DISPATCH, ON_VIEW, REPORT

log = logging.getLogger(__name__)

INCIDENT, CALL_ONLY = "incident", "call-only"
_STREAMS = ("delay", "late", "counts", "places", "sources", "service")


@dataclass(frozen=True)
class Window:
    """Simulated period ``[start, end)`` (whole days)."""

    start: pd.Timestamp
    end: pd.Timestamp

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60.0

    @property
    def days(self) -> int:
        return int(round(self.minutes / 1440.0))


@dataclass(frozen=True)
class Demand:
    """Calls to dispatch, sorted by queue time, and the incidents left out."""

    items: pd.DataFrame
    window: Window
    excluded_incidents: int


def random_streams(seed: int) -> dict[str, np.random.Generator]:
    """One generator per kind of draw, all from ``seed``."""
    children = np.random.SeedSequence(seed).spawn(len(_STREAMS))
    return {
        name: np.random.default_rng(child)
        for name, child in zip(_STREAMS, children, strict=True)
    }


def build_demand(
    incidents: pd.DataFrame, beats: BeatTable, config: SimulationConfig, seed: int
) -> Demand:
    """Turn incidents plus call-only arrivals into calls with their draws.

    Returns
    -------
    Demand
        ``items``: one row per call with ``origin`` (incident / call-only),
        ``source_incident_id``, ``occurred_at``, ``queued_min`` (minutes from
        the window start), ``beat_index``, ``call_type``, ``category``,
        ``priority``, ``call_source``, ``mode``, ``lon``, ``lat``,
        ``service_min`` and ``late_report``.
    """
    rng = random_streams(seed)
    frame = _incident_queue_times(_ordered(incidents, beats, config), config, rng)
    window = _window(frame["queued_at"], config)
    inside = (frame["queued_at"] >= window.start) & (frame["queued_at"] < window.end)
    excluded = int((~inside).sum())
    if excluded:
        log.info(
            "%d incidents queued outside %s - %s left out",
            excluded,
            window.start.date(),
            window.end.date(),
        )
    frame = frame[inside]
    call_only = _call_only(frame, beats, config, window, rng)
    parts = [part for part in (_incident_items(frame, window), *call_only) if len(part)]
    if not parts:
        raise BeatprofileError(
            f"nothing to simulate between {window.start.date()} and "
            f"{window.end.date()}: no incidents and no call-only demand; check "
            "[simulation] start and end"
        )
    items = pd.concat(parts, ignore_index=True).astype(
        {"beat_index": "int64", "queued_min": "float64", "late_report": bool}
    )
    items = items.sort_values(
        ["queued_min", "origin_order"], kind="stable", ignore_index=True
    )
    items = _draw_attributes(items, config, rng)
    return Demand(items=items, window=window, excluded_incidents=excluded)


def draw_minutes(
    dist: TimeDistribution, n: int, rng: np.random.Generator
) -> np.ndarray:
    """``n`` draws in minutes; sd 0 or "fixed" gives the mean every time."""
    mean, sd = dist.mean_min, dist.sd_min
    if n == 0:
        return np.zeros(0)
    if dist.distribution == "fixed" or sd <= 0 or mean <= 0:
        return np.full(n, float(mean))
    if dist.distribution == "gamma":
        return rng.gamma(shape=(mean / sd) ** 2, scale=sd * sd / mean, size=n)
    sigma2 = np.log1p((sd / mean) ** 2)
    return rng.lognormal(mean=np.log(mean) - sigma2 / 2, sigma=np.sqrt(sigma2), size=n)


def _ordered(
    incidents: pd.DataFrame, beats: BeatTable, config: SimulationConfig
) -> pd.DataFrame:
    """One row per reported event, in a fixed order (row order does not matter).

    A complaint with several offense rows (same source and incident id) was one
    call for service: it becomes one call, of its most urgent category (lowest
    call-type priority, then the taxonomy's order), at its first row's place.
    """
    beat_col = s.area_column(config.levels.beat_level)
    n = len(incidents)
    ids = (
        incidents[s.INCIDENT_ID].astype(object).fillna("").astype(str).to_numpy()
        if s.INCIDENT_ID in incidents
        else np.full(n, "", dtype=object)
    )
    rows = np.arange(n).astype(str)
    ids = np.where(ids == "", np.char.add("row-", rows), ids)
    source = (
        incidents[s.SOURCE].astype(object).fillna("").astype(str).to_numpy()
        if s.SOURCE in incidents
        else np.full(n, "", dtype=object)
    )
    category = incidents[s.CATEGORY].astype(object).fillna("other").astype(str)
    rank = {
        name: (spec.priority, schema_rank)
        for name, spec in config.call_types.items()
        for schema_rank in [_category_order(name)]
    }
    frame = pd.DataFrame(
        {
            "source_incident_id": ids,
            "_event": np.char.add(
                np.char.add(source.astype(str), "|"), ids.astype(str)
            ),
            "_rank": category.map(lambda c: rank.get(c, (99, 99))).to_numpy(),
            s.OCCURRED_AT: pd.to_datetime(incidents[s.OCCURRED_AT]).to_numpy(),
            s.REPORTED_AT: pd.to_datetime(incidents[s.REPORTED_AT]).to_numpy()
            if s.REPORTED_AT in incidents
            else pd.NaT,
            "category": category.to_numpy(),
            "beat_index": incidents[beat_col]
            .astype(object)
            .astype(str)
            .map(beats.index())
            .to_numpy(),
            s.LON: pd.to_numeric(incidents[s.LON]).to_numpy(float),
            s.LAT: pd.to_numeric(incidents[s.LAT]).to_numpy(float),
        }
    )
    frame = frame[frame["beat_index"].notna() & frame[s.OCCURRED_AT].notna()]
    frame = frame.sort_values(
        ["_event", "_rank", s.OCCURRED_AT, s.LON, s.LAT], kind="stable"
    )
    frame = frame.drop_duplicates("_event").astype({"beat_index": "int64"})
    return frame.drop(columns=["_event", "_rank"]).sort_values(
        [s.OCCURRED_AT, "source_incident_id"], kind="stable", ignore_index=True
    )


def _category_order(name: str) -> int:
    return s.CATEGORIES.index(name) if name in s.CATEGORIES else len(s.CATEGORIES)


def _incident_queue_times(
    frame: pd.DataFrame, config: SimulationConfig, rng: dict[str, np.random.Generator]
) -> pd.DataFrame:
    """Occurrence plus a reporting delay; late reports at their reported date."""
    demand = config.demand
    delay = draw_minutes(demand.reporting_delay, len(frame), rng["delay"])
    queued = frame[s.OCCURRED_AT] + pd.to_timedelta(delay, unit="min")
    reported = pd.to_datetime(frame[s.REPORTED_AT])
    late = (
        reported.notna()
        & (frame[s.OCCURRED_AT] < reported - pd.Timedelta(days=demand.late_report_days))
    ).to_numpy()
    spread = rng["late"].uniform(0.0, demand.late_report_spread_days, size=len(frame))
    late_at = reported + pd.to_timedelta(spread, unit="D")
    queued = queued.where(~late, late_at)
    return frame.assign(queued_at=queued.dt.floor("s"), late_report=late)


def _window(queued: pd.Series, config: SimulationConfig) -> Window:
    if config.start is not None and config.end is not None:
        return Window(
            pd.Timestamp(config.start), pd.Timestamp(config.end) + pd.Timedelta(days=1)
        )
    months = queued.dt.to_period("M").value_counts().sort_index()
    if months.empty:
        raise BeatprofileError(
            "no incidents to simulate: every incident lacks a beat or a date; check "
            "that the store was built and [levels] beat_level names one of its levels"
        )
    kept = months[months >= config.min_month_share * months.median()]
    start = kept.index.min().to_timestamp()
    end = (kept.index.max() + 1).to_timestamp()
    if config.start is not None:
        start = pd.Timestamp(config.start)
    if config.end is not None:
        end = pd.Timestamp(config.end) + pd.Timedelta(days=1)
    return Window(start, end)


def _incident_items(frame: pd.DataFrame, window: Window) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "origin": INCIDENT,
            "origin_order": 0,
            "source_incident_id": frame["source_incident_id"].to_numpy(),
            s.OCCURRED_AT: frame[s.OCCURRED_AT].to_numpy(),
            "queued_min": (frame["queued_at"] - window.start)
            .dt.total_seconds()
            .to_numpy()
            / 60.0,
            "beat_index": frame["beat_index"].to_numpy(),
            "call_type": frame["category"].to_numpy(),
            s.LON: frame[s.LON].to_numpy(),
            s.LAT: frame[s.LAT].to_numpy(),
            "late_report": frame["late_report"].to_numpy(),
        }
    )


def _call_only(
    incidents: pd.DataFrame,
    beats: BeatTable,
    config: SimulationConfig,
    window: Window,
    rng: dict[str, np.random.Generator],
) -> list[pd.DataFrame]:
    """Poisson arrivals per call type, beat, day and hour at real incident places."""
    demand, n_beats, days = config.demand, len(beats.beat_ids), window.days
    counts = np.bincount(incidents["beat_index"], minlength=n_beats).astype(float)
    share = counts / counts.sum() if counts.sum() else np.full(n_beats, 1 / n_beats)
    weight = (1 - demand.beat_weighting) + demand.beat_weighting * share * n_beats
    frames = []
    for order, item in enumerate(demand.call_only, start=1):
        shape = np.asarray(item.hour_shape or demand.hour_shape)
        rate = item.daily_rate_per_beat / 24.0 * np.outer(np.tile(shape, days), weight)
        n = rng["counts"].poisson(rate)  # (days * 24, beats)
        hour, beat = np.nonzero(n)
        reps = n[hour, beat]
        hour, beat = np.repeat(hour, reps), np.repeat(beat, reps)
        minutes = hour * 60.0 + rng["places"].uniform(0.0, 60.0, size=len(hour))
        lon, lat = _places(incidents, beats, beat, rng["places"])
        frames.append(
            pd.DataFrame(
                {
                    "origin": CALL_ONLY,
                    "origin_order": order,
                    "source_incident_id": "",
                    s.OCCURRED_AT: window.start + pd.to_timedelta(minutes, unit="min"),
                    "queued_min": minutes,
                    "beat_index": beat,
                    "call_type": item.call_type,
                    s.LON: lon,
                    s.LAT: lat,
                    "late_report": False,
                }
            )
        )
    return frames


def _places(
    incidents: pd.DataFrame,
    beats: BeatTable,
    beat: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """A random located incident of the same beat (its home point if it has none)."""
    located = incidents[incidents[s.LON].notna() & incidents[s.LAT].notna()]
    located = located.sort_values("beat_index", kind="stable")
    starts = np.searchsorted(
        located["beat_index"].to_numpy(), np.arange(len(beats.beat_ids) + 1)
    )
    size = np.diff(starts)[beat]
    pick = starts[beat] + np.floor(rng.random(len(beat)) * np.maximum(size, 1)).astype(
        int
    )
    if located.empty:
        return beats.home_lon[beat], beats.home_lat[beat]
    pick = np.minimum(pick, len(located) - 1)
    has = size > 0
    lon = np.where(has, located[s.LON].to_numpy()[pick], beats.home_lon[beat])
    lat = np.where(has, located[s.LAT].to_numpy()[pick], beats.home_lat[beat])
    return lon, lat


def _draw_attributes(
    items: pd.DataFrame, config: SimulationConfig, rng: dict[str, np.random.Generator]
) -> pd.DataFrame:
    """Priority, call source, report entry and service time per call type."""
    n = len(items)
    priority = np.zeros(n, dtype=np.int64)
    category = np.empty(n, dtype=object)
    source = np.empty(n, dtype=object)
    service = np.zeros(n)
    report = items["late_report"].to_numpy(bool).copy()
    types = items["call_type"].to_numpy()
    unknown = sorted(set(types) - set(config.call_types))
    if unknown:
        raise ConfigError(
            f"call types {unknown} are not in [call_types] of {config.path}; add them"
        )
    for name in sorted(config.call_types):
        mask = types == name
        k = int(mask.sum())
        if not k:
            continue
        spec = config.call_types[name]
        priority[mask], category[mask] = spec.priority, spec.category
        keys = sorted(spec.sources)
        probs = np.array([spec.sources[key] for key in keys])
        source[mask] = np.asarray(keys, dtype=object)[
            rng["sources"].choice(len(keys), size=k, p=probs / probs.sum())
        ]
        report[mask] |= rng["sources"].random(k) < spec.report_share
        service[mask] = draw_minutes(spec.service, k, rng["service"])
    source[report] = "report"
    priority[report] = config.dispatch.report_priority
    mode = np.where(report, REPORT, np.where(source == "on-view", ON_VIEW, DISPATCH))
    return items.assign(
        priority=priority,
        category=category,
        call_source=source,
        mode=mode,
        service_min=service,
    )
