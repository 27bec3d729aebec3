"""A dry run: read exports with a profile, assign areas, report; write nothing."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from pipelines.catalog import load_finest_layer
from pipelines.derive import derive_incidents
from pipelines.ingest import conform_labels, normalize_export
from pipelines.quality import QualityReport, quality_report
from pipelines.readers import read_export
from pipelines.settings import Settings
from pipelines.source_profile import load_source_profile


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
    frames = []
    for path in files:
        staged = normalize_export(read_export(path), profile, settings.analysis_crs)
        frames.append(conform_labels(staged, settings.level_names))
    staged = pd.concat(frames, ignore_index=True)
    order = {Path(p).name: i for i, p in enumerate(files)}
    unique = {profile.name} if profile.unique_ids else set()
    derived = derive_incidents(staged, settings, finest, unique, order)
    read = [(profile.name, Path(p).name) for p in files]
    return quality_report(staged, derived, finest, settings.levels[0].name, read)
