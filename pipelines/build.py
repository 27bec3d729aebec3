"""Wiring: exports -> staged rows -> netting -> areas -> store tables -> profiles.

``run_build`` is what ``beatprofile build`` and ``beatprofile ingest`` call.
Steps are the pure functions of the other modules; this module only orders
them and hands frames to the store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
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
from pipelines.analysis import refresh_analysis, validate_analysis_settings
from pipelines.areas import agreement_dict
from pipelines.catalog import load_finest_layer, load_population
from pipelines.derive import ROW, derive_incidents
from pipelines.ingest import conform_labels, normalize_export
from pipelines.profiles import build_profiles
from pipelines.quality import file_quality
from pipelines.readers import read_export
from pipelines.settings import Settings, SourceConfig
from pipelines.source_profile import SourceProfile, load_source_profile
from pipelines.user_tables import carry_over
from pipelines.workload_tables import refresh_workload

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
"""Callback ``(step description, done, total)`` for progress bars."""


@dataclass(frozen=True)
class BuildReport:
    """Figures of one build; ``read == kept + quarantined`` always holds."""

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

    def as_dict(self) -> dict:
        return {
            "store": str(self.store),
            "read": self.read,
            "kept": self.kept,
            "quarantined": self.quarantined,
            "quarantined_by_reason": self.quarantined_by_reason,
            "net_crimes": self.net_crimes,
            "calls": self.calls,
            "kept_breakdown": {
                "counted_crime_reports": self.net_crimes,
                "calls_for_service": self.calls,
                "netted_reversal_rows_and_originals": self.netted_rows,
            },
            "label_agreement": self.label_agreement,
            "files_added": self.files_added,
            "files_skipped_already_loaded": self.files_skipped,
            "as_of": self.as_of,
        }


def run_build(
    settings: Settings,
    extra_files: Sequence[tuple[SourceConfig, Path]] = (),
    incremental: bool = False,
    progress: Progress | None = None,
    replace_sources: frozenset[str] = frozenset(),
    extra_tables: dict[str, pd.DataFrame] | None = None,
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

    Returns
    -------
    BuildReport
    """
    progress = progress or (lambda *_: None)
    work = (
        []
        if incremental
        else [(source, path) for source in settings.sources for path in source.files]
    )
    work += list(extra_files)
    # Fail on a bad profile, setting or area layer before anything is read.
    for source in {source.profile for source, _ in work}:
        load_source_profile(source)
    validate_analysis_settings(settings)
    finest = load_finest_layer(settings)
    with store.building(settings.store_path, start_from_existing=incremental) as con:
        store.drop_sources(con, replace_sources)
        for name, table in (extra_tables or {}).items():
            store.replace_table(con, name, table)
        added, skipped = _stage_files(con, work, settings, progress)
        report = _derive(con, settings, finest, progress)
    return BuildReport(**{**report, "files_added": added, "files_skipped": skipped})


def _stage_files(
    con: duckdb.DuckDBPyConnection,
    work: list[tuple[SourceConfig, Path]],
    settings: Settings,
    progress: Progress,
) -> tuple[int, int]:
    """Read and normalize each export not yet in the store (same file = no-op)."""
    con.execute(s.staged_ddl(settings.level_names))
    seen = store.known_file_hashes(con)
    profiles: dict[Path, SourceProfile] = {}
    added = skipped = 0
    for done, (source, path) in enumerate(work, start=1):
        progress("Reading exports", done - 1, len(work))
        profile = profiles.setdefault(
            source.profile, load_source_profile(source.profile)
        )
        table = read_export(path)
        if (profile.name, table.sha256) in seen:
            log.info("%s already loaded (same content); skipped", path.name)
            skipped += 1
            continue
        staged = normalize_export(table, profile, settings.analysis_crs)
        staged = _with_label_columns(staged, settings)
        store.append_rows(con, "staged", staged)
        store.record_source(
            con, profile.name, profile.kind, profile.unique_ids, str(profile.path)
        )
        store.append_rows(
            con,
            "files",
            pd.DataFrame(
                [
                    {
                        "source": profile.name,
                        "file": table.file_name,
                        "sha256": table.sha256,
                        "rows": len(staged),
                        "encoding": table.encoding,
                        "ingested_at": datetime.now(),
                    }
                ]
            ),
        )
        seen.add((profile.name, table.sha256))
        added += 1
    progress("Reading exports", len(work), len(work))
    return added, skipped


def _with_label_columns(staged: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """One label column per configured level: missing ones are None, labels for
    levels the department does not configure are dropped (nothing to compare)."""
    return conform_labels(staged, settings.level_names)


def _derive(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    finest: gpd.GeoDataFrame,
    progress: Progress,
) -> dict:
    """Recompute every derived table from all staged rows."""
    progress("Assigning areas", 0, 3)
    # The raw text is only needed for quarantined rows: fetched for them alone.
    staged = con.execute(f"SELECT rowid AS {ROW}, * EXCLUDE (raw) FROM staged").df()
    derived = derive_incidents(
        staged,
        settings,
        finest,
        store.unique_id_sources(con),
        store.file_load_order(con),
    )
    progress("Writing store", 1, 3)
    store.replace_table(con, "incidents", derived.incidents, order_by=s.OCCURRED_AT)
    store.replace_table(con, "netted", derived.netted.drop(columns=ROW))
    store.replace_table(con, "quarantine", _with_raw_text(con, derived.quarantine))
    loaded = [
        tuple(r) for r in con.execute("SELECT source, file FROM files").fetchall()
    ]
    store.replace_table(con, "file_quality", file_quality(staged, derived, loaded))
    area_table = _area_table(derived.areas.layers, settings)
    store.replace_table(con, "areas", area_table)
    finest_name = settings.levels[0].name
    store.replace_table(
        con,
        "layer_quality",
        layer_quality_table({finest_name: derived.areas.layers[finest_name]}),
    )
    progress("Building profiles", 2, 3)
    as_of = _refresh_aggregates(con, settings, area_table)
    progress("Hotspots, rankings, back-test", 2, 3)
    carry_over(con, settings.store_path)  # watch-meeting concerns and beat plans
    analysis = refresh_analysis(con, settings, finest, area_table, as_of)
    refresh_workload(con, settings)
    store.replace_table(con, "label_agreement", derived.areas.agreement)
    quarantine = derived.quarantine
    by_reason = quarantine["reason"].value_counts().sort_index().to_dict()
    read, kept = len(staged), derived.kept
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
            "counts": {"read": read, "kept": kept, "quarantined": len(quarantine)},
            "analysis": analysis,
        },
    )
    progress("Building profiles", 3, 3)
    return {
        "store": settings.store_path,
        "read": read,
        "kept": kept,
        "quarantined": len(quarantine),
        "quarantined_by_reason": {k: int(v) for k, v in by_reason.items()},
        "net_crimes": int((derived.incidents[s.KIND] == "report").sum()),
        "calls": int((derived.incidents[s.KIND] == "call").sum()),
        "netted_rows": len(derived.netted),
        "label_agreement": agreement_dict(derived.areas.agreement),
        "as_of": as_of,
    }


def _with_raw_text(
    con: duckdb.DuckDBPyConnection, quarantine: pd.DataFrame
) -> pd.DataFrame:
    """Quarantined rows with their raw text, looked up by staged row id."""
    con.register("_q", quarantine)
    try:
        return con.execute(
            f"SELECT q.* EXCLUDE ({ROW}), s.raw FROM _q q JOIN staged s "
            f"ON s.rowid = q.{ROW} ORDER BY q.{ROW}"
        ).df()
    finally:
        con.unregister("_q")


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
                    "name": layer["name"].astype(str).values,
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
        f"CAST(occurred_at AS DATE) AS day, count(*) AS n FROM incidents "
        f"WHERE kind = 'report' GROUP BY ALL"
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
