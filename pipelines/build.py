"""Wiring: exports -> staged rows -> netting -> areas -> store tables -> profiles.

``run_build`` is what ``beatprofile build`` and ``beatprofile ingest`` call.
Steps are the pure functions of the other modules; this module only orders
them and hands frames to the store.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd

from geo.crs import LONLAT
from geo.layer_quality import layer_quality_table
from pipelines import schema as s
from pipelines import store
from pipelines.analysis.gaps import refresh_gaps
from pipelines.analysis.profiles import build_profiles
from pipelines.analysis.refresh import refresh_analysis
from pipelines.catalog import load_finest_layer, load_population
from pipelines.community.user_tables import carry_over, copy_before_swap
from pipelines.identity import RecordIdentity
from pipelines.ingest.agreement import enforce_agreement
from pipelines.ingest.areas import agreement_dict
from pipelines.ingest.derive import derive_incidents
from pipelines.ingest.placeholders import source_origins
from pipelines.ingest.quality import file_quality
from pipelines.ingest.source_profile import load_source_profile
from pipelines.ingest.staging import Progress, stage_files
from pipelines.settings import Settings, SourceConfig
from pipelines.store.writer import DEFAULT_WAIT_SECONDS, updating
from pipelines.workload.workload_tables import refresh_workload

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildReport:
    """Figures of one build; ``read == kept + quarantined + filtered`` always holds."""

    store: Path
    read: int
    kept: int
    quarantined: int
    quarantined_by_reason: dict[str, int]
    net_crimes: int
    netted_rows: int
    calls: int
    label_agreement: dict[str, dict]
    files_added: int
    files_skipped: int
    as_of: str | None = None
    per_file: list[dict] = field(default_factory=list)
    filtered: int = 0  # rows the source profiles' [filter] set aside
    placeholders: dict[str, int] = field(default_factory=dict)
    gaps: list[dict] = field(default_factory=list)
    leftovers_removed: tuple[str, ...] = ()  # crashed builds' files, described
    unchanged: bool = False  # an ingest of files all loaded before: store untouched
    agreement_table: pd.DataFrame | None = None
    agreement_warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {
            "store": str(self.store),
            "read": self.read,
            "kept": self.kept,
            "quarantined": self.quarantined,
            "quarantined_by_reason": self.quarantined_by_reason,
            "filtered": self.filtered,
            "filtered_by_reason": {s.FILTERED_REASON: self.filtered},
            "net_crimes": self.net_crimes,
            "calls": self.calls,
            "kept_breakdown": {
                "counted_crime_reports": self.net_crimes,
                "calls_for_service": self.calls,
                "netted_reversal_rows_and_originals": self.netted_rows,
            },
            "label_agreement": self.label_agreement,
            "agreement_warnings": list(self.agreement_warnings),
            "files_added": self.files_added,
            "files_skipped_already_loaded": self.files_skipped,
            "as_of": self.as_of,
            "unlocated_placeholders": self.placeholders,
            "data_gaps": self.gaps,
            "leftovers_removed": list(self.leftovers_removed),
            "unchanged": self.unchanged,
        }


def run_build(
    settings: Settings,
    extra_files: Sequence[tuple[SourceConfig, Path]] = (),
    incremental: bool = False,
    progress: Progress | None = None,
    replace_sources: frozenset[str] = frozenset(),
    extra_tables: dict[str, pd.DataFrame] | None = None,
    allow_low_agreement: bool = False,
    wait_seconds: float = DEFAULT_WAIT_SECONDS,
) -> BuildReport:
    """Build (or update) the store described by ``settings``.

    Parameters
    ----------
    settings : Settings
        Department configuration.
    extra_files : sequence of (SourceConfig, Path)
        Files to add besides the configured ones (``beatprofile ingest``).
    incremental : bool
        Start from the existing store (only new files are read) instead of
        rebuilding from the configured exports.
    progress : callable, optional
        Progress callback for the CLI.
    replace_sources : frozenset of str
        Sources whose earlier rows are removed first (a new simulation run
        replaces the previous one instead of adding to it).
    extra_tables : dict, optional
        Tables to write as they are (e.g. the simulated units roster).
    allow_low_agreement : bool
        Build even when a level is empty or its label agreement is below
        ``settings.min_label_agreement`` (the problems become warnings).
    wait_seconds : float
        How long to wait for another update of the same store to finish.

    Returns
    -------
    BuildReport

    Raises
    ------
    LowAgreementError
        If a level is empty or disagrees with its labels (and not allowed);
        the previous store is left untouched.
    StoreError
        If another update of the store is still running after ``wait_seconds``.
    """
    work = (
        []
        if incremental
        else [(source, path) for source in settings.sources for path in source.files]
    )
    work += list(extra_files)
    # Fail on a bad profile, setting or area layer before anything is read or
    # locked: a configuration error leaves no file behind, not even the lock.
    for source in {source.profile for source, _ in work}:
        load_source_profile(source)
    finest = load_finest_layer(settings)
    with updating(settings.store_path, wait_seconds):
        return _run_build(
            settings,
            work,
            finest,
            incremental,
            progress,
            replace_sources,
            extra_tables,
            allow_low_agreement,
        )


def _run_build(
    settings: Settings,
    work: list[tuple[SourceConfig, Path]],
    finest: gpd.GeoDataFrame,
    incremental: bool,
    progress: Progress | None,
    replace_sources: frozenset[str],
    extra_tables: dict[str, pd.DataFrame] | None,
    allow_low_agreement: bool,
) -> BuildReport:
    """:func:`run_build` under the store's update lock, its inputs checked."""
    progress = progress or (lambda *_: None)
    leftovers = tuple(
        lo.describe() for lo in store.remove_stale_builds(settings.store_path)
    )
    only_new_files = incremental and not replace_sources and not extra_tables
    try:
        with store.building(
            settings.store_path,
            start_from_existing=incremental,
            before_swap=lambda con: copy_before_swap(con, settings.store_path),
        ) as con:
            store.drop_sources(con, replace_sources)
            for name, table in (extra_tables or {}).items():
                store.replace_table(con, name, table)
            added, skipped = stage_files(con, work, settings, progress)
            if only_new_files and added == 0 and settings.store_path.is_file():
                report = _figures_of(con, settings)
                raise _Unchanged
            origins = source_origins(
                {src.profile for src in settings.sources}
                | {src.profile for src, _ in work}
            )
            report = _derive(
                con, settings, finest, progress, origins, allow_low_agreement
            )
    except _Unchanged:
        return BuildReport(
            **{**report, "files_added": 0, "files_skipped": skipped},
            leftovers_removed=leftovers,
            unchanged=True,
        )
    return BuildReport(
        **{**report, "files_added": added, "files_skipped": skipped},
        leftovers_removed=leftovers,
    )


class _Unchanged(Exception):
    """Raised inside ``store.building`` to drop the copy: nothing new was read."""


def _figures_of(con: duckdb.DuckDBPyConnection, settings: Settings) -> dict:
    """The current store's figures, as ``_derive`` would report them."""
    meta = {k: v for k, v in con.execute("SELECT key, value FROM meta").fetchall()}
    counts = json.loads(meta.get("counts", "{}"))
    reasons = dict(
        con.execute("SELECT reason, count(*) FROM quarantine GROUP BY ALL").fetchall()
    )
    kinds = dict(
        con.execute("SELECT kind, count(*) FROM incidents GROUP BY ALL").fetchall()
    )
    return {
        "store": settings.store_path,
        "read": counts.get("read", 0),
        "kept": counts.get("kept", 0),
        "quarantined": counts.get("quarantined", 0),
        "quarantined_by_reason": {k: int(v) for k, v in reasons.items()},
        "net_crimes": int(kinds.get("report", 0)),
        "calls": int(kinds.get("call", 0)),
        "netted_rows": con.execute("SELECT count(*) FROM netted").fetchone()[0],
        "label_agreement": {},
        "as_of": meta.get("as_of"),
    }


def _derive(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    finest: gpd.GeoDataFrame,
    progress: Progress,
    origins: dict[str, tuple[float, float]],
    allow_low_agreement: bool = False,
) -> dict:
    """Recompute every derived table from all staged rows."""
    progress("Building the store: assigning areas", 0, 3)
    derived = derive_incidents(
        con,
        settings,
        finest,
        _identities(con),
        store.file_load_order(con),
        origins,
    )
    warnings = enforce_agreement(
        derived.agreement, settings.min_label_agreement, allow_low_agreement
    )
    for warning in warnings:
        log.warning("low label agreement: %s", warning)
    progress("Building the store: writing tables", 1, 3)
    loaded = [
        tuple(r) for r in con.execute("SELECT source, file FROM files").fetchall()
    ]
    store.replace_table(con, "file_quality", file_quality(con, loaded))
    area_table = _area_table(derived.layers, settings)
    store.replace_table(con, "areas", area_table)
    finest_name = settings.levels[0].name
    store.replace_table(
        con,
        "layer_quality",
        layer_quality_table({finest_name: derived.layers[finest_name]}),
    )
    progress("Building the store: profiles", 2, 3)
    as_of = _refresh_aggregates(con, settings, area_table)
    gaps = refresh_gaps(con, settings.level_names[0])
    progress("Building the store: hotspots, rankings, back-test", 2, 3)
    carry_over(con, settings.store_path)  # watch-meeting concerns and beat plans
    analysis = refresh_analysis(con, settings, finest, area_table, as_of)
    refresh_workload(con, settings)
    store.replace_table(con, "label_agreement", derived.agreement)
    store.write_meta(
        con,
        {
            "department": settings.department,
            "analysis_crs": settings.analysis_crs,
            "levels": list(settings.level_names),
            "approximate_levels": [
                lv.name for lv in settings.levels if lv.approximate_map
            ],
            "built_at": datetime.now().isoformat(timespec="seconds"),
            "as_of": as_of,
            "config_path": str(settings.config_path),
            "min_count_public": settings.min_count_public,
            "tiles": settings.tiles or "",
            "tiles_attribution": settings.tiles_attribution or "",
            "counts": {
                "read": derived.read,
                "kept": derived.kept,
                "quarantined": derived.quarantined,
                "filtered": derived.filtered,
            },
            "analysis": analysis,
            "agreement_warnings": list(warnings),
        },
    )
    progress("Building the store: done", 3, 3)
    return {
        "store": settings.store_path,
        "read": derived.read,
        "kept": derived.kept,
        "quarantined": derived.quarantined,
        "quarantined_by_reason": derived.quarantined_by_reason,
        "filtered": derived.filtered,
        "net_crimes": derived.net_crimes,
        "calls": derived.calls,
        "netted_rows": derived.netted,
        "label_agreement": agreement_dict(derived.agreement),
        "agreement_table": derived.agreement,
        "agreement_warnings": warnings,
        "as_of": as_of,
        "placeholders": derived.placeholders,
        "gaps": [
            {
                "granularity": g.granularity,
                "period_start": f"{g.period_start:%Y-%m-%d}",
                "observed": int(g.observed),
                "expected": float(g.expected),
            }
            for g in gaps.itertuples()
        ],
    }


def _identities(con: duckdb.DuckDBPyConnection) -> dict[str, RecordIdentity]:
    """Each source's record identity; a store from before identities were
    recorded takes it from the source's profile (skipped if that is gone)."""
    out = {}
    for name, (identity, profile) in store.source_identities(con).items():
        if identity is None and Path(profile).is_file():
            identity = load_source_profile(profile).record_identity
        if identity is not None:
            out[name] = identity
    return out


def _area_table(
    layers: dict[str, gpd.GeoDataFrame], settings: Settings
) -> pd.DataFrame:
    """One row per area and level: name, residents, km2, lon/lat geometry."""
    frames = []
    for level in settings.levels:
        layer = layers[level.name]
        population = load_population(level)
        if population.empty and level is not settings.levels[0]:
            population = _sum_children(layers, settings, level.name)
        frames.append(
            pd.DataFrame(
                {
                    "level": level.name,
                    "area_id": layer["area_id"].astype(str).values,
                    "name": _display_names(layer, level.name),
                    "population": layer["area_id"]
                    .map(population)
                    .astype("float64")
                    .values,
                    "area_km2": (layer.geometry.area / 1e6).values,
                    "approximate": level.approximate_map,
                    "geometry_wkb": layer.to_crs(LONLAT).geometry.to_wkb().values,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _display_names(layer: gpd.GeoDataFrame, level: str):
    """Area names; an area without one reads "District 3" (level + id)."""
    ids, names = layer["area_id"].astype(str), layer["name"].astype(str)
    unnamed = (names == ids) | (names.str.strip() == "")
    label = level.replace("_", " ").title()
    return names.where(~unnamed, label + " " + ids).values


def _sum_children(
    layers: dict[str, gpd.GeoDataFrame], settings: Settings, level: str
) -> pd.Series:
    """Residents of a coarse area = sum over the finest areas whose centroid is in it."""
    finest = settings.levels[0]
    pop = load_population(finest)
    if pop.empty:
        return pop
    fine = layers[finest.name]
    points = gpd.GeoDataFrame(
        {"pop": fine["area_id"].map(pop).values},
        geometry=fine.geometry.representative_point(),
        crs=fine.crs,
    )
    joined = gpd.sjoin(
        points, layers[level][["area_id", "geometry"]], predicate="within"
    )
    return joined.groupby("area_id")["pop"].sum()


def _refresh_aggregates(
    con: duckdb.DuckDBPyConnection, settings: Settings, area_table: pd.DataFrame
) -> str | None:
    """Daily counts per level/area/category, then the profiles table."""
    selects = [
        f"SELECT '{level}' AS level, {s.area_column(level)} AS area_id, category, "
        f"CAST(occurred_at AS DATE) AS day, count(*) AS n FROM {store.CRIMES} "
        f"GROUP BY ALL"
        for level in settings.level_names
    ]
    con.execute(
        "CREATE OR REPLACE TABLE daily_counts AS "
        + " UNION ALL ".join(selects)
        + " ORDER BY level, day"
    )
    as_of = con.execute("SELECT max(day) FROM daily_counts").fetchone()[0]
    if as_of is None:
        store.replace_table(con, "profiles", pd.DataFrame({"level": []}))
        return None
    daily = con.execute("SELECT * FROM daily_counts").df()
    daily["day"] = pd.to_datetime(daily["day"])
    profiles = build_profiles(daily, area_table, pd.Timestamp(as_of))
    store.replace_table(con, "profiles", profiles)
    return str(as_of)
