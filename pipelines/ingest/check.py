"""A dry run: read exports with a profile, assign areas, report; write nothing.

The exports go through the build's own staging and derive steps, in a scratch
store that is deleted afterwards.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from pipelines import store
from pipelines.catalog import load_finest_layer
from pipelines.ingest.derive import derive_incidents
from pipelines.ingest.placeholders import source_origins
from pipelines.ingest.quality import QualityReport, quality_report
from pipelines.ingest.source_profile import load_source_profile
from pipelines.ingest.staging import stage_files
from pipelines.settings import Settings, SourceConfig


def check_exports(
    profile_path: Path, files: Sequence[Path], settings: Settings
) -> QualityReport:
    """Quality report for ``files`` read with one profile against ``settings``' areas.

    Parameters
    ----------
    profile_path : Path
        The source profile to test.
    files : sequence of Path
        Exports, in load order (a later file's version of an incident wins).
    settings : Settings
        Department configuration naming the area layers and tolerance.

    Returns
    -------
    QualityReport
    """
    profile = load_source_profile(profile_path)
    finest = load_finest_layer(settings)
    source = SourceConfig(profile=Path(profile_path), files=tuple(files))
    with tempfile.TemporaryDirectory(prefix="beatprofile-check-") as scratch:
        scratch_store = Path(scratch) / "check.duckdb"
        with store.building(scratch_store) as con:
            stage_files(con, [(source, Path(p)) for p in files], settings, _quiet)
            identities = {profile.name: profile.record_identity}
            order = {Path(p).name: i for i, p in enumerate(files)}
            origins = source_origins([Path(profile_path)])
            derived = derive_incidents(
                con, settings, finest, identities, order, origins
            )
            read = [(profile.name, Path(p).name) for p in files]
            return quality_report(
                con,
                derived,
                finest,
                settings.levels[0].name,
                read,
                settings.min_label_agreement,
            )


def used_layers_lines(settings: Settings) -> list[str]:
    """Which config and area layers a check used, one line each.

    Example
    -------
    >>> used_layers_lines(load_settings("mydept/beatprofile.toml"))[0]
    'Config: mydept/beatprofile.toml (department: ...)'
    """
    lines = [f"Config: {settings.config_path} (department: {settings.department})"]
    for level in settings.levels:
        if level.polygons is not None:
            how = f"polygons {level.polygons} (id `{level.id_field or 'id'}`)"
        elif level.parent_field:
            how = f"parent code `{level.parent_field}` on the finer polygons"
        else:
            how = "the incidents' own labels (from_label; map approximate)"
        lines.append(f"  level {level.name}: {how}")
    return lines


def _quiet(*_) -> None:
    """No progress output for a dry run."""
