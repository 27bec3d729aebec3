"""Drafting a department config (``beatprofile.toml``) beside a drafted profile.

So that ``profile init -> check -> build`` works with no edits for a new
department: the analysis CRS is the UTM zone (in metres) of the area layer's
centroid, the store sits beside the config, the source is the drafted profile
and the export, the finest level is the layer (with the id and name fields
found) and the coarser levels are the label columns the drafter found
(``from_label = true``, or ``parent_field`` when the layer carries the code).
Every guess has a comment; unverified ones say CHECK.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import geopandas as gpd

from geo.crs import LONLAT
from pipelines.ingest.category_rules import toml_value
from pipelines.ingest.draft.labels import LabelCandidate, layer_fields
from pipelines.ingest.draft.profile import ProfileDraft


def utm_crs(areas: gpd.GeoDataFrame) -> str:
    """The UTM zone (metres) of the layer's centroid: NAD83 in North America.

    Example
    -------
    >>> utm_crs(denver_neighborhoods)
    'EPSG:26913'
    """
    ll = areas.to_crs(LONLAT)
    minx, miny, maxx, maxy = ll.total_bounds
    lon, lat = (minx + maxx) / 2, (miny + maxy) / 2
    zone = int((lon + 180) // 6) + 1
    if lat >= 0 and -180 <= lon <= -48 and zone <= 23:
        return f"EPSG:{26900 + zone}"
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"


def draft_config(
    draft: ProfileDraft,
    areas: gpd.GeoDataFrame,
    areas_path: Path,
    export_path: Path,
    profile_path: Path,
    config_path: Path,
) -> str:
    """TOML text of a department config tying the drafted profile to the layer.

    Parameters
    ----------
    draft : ProfileDraft
        The drafted profile (its label levels and guesses).
    areas : GeoDataFrame
        The finest level's polygons.
    areas_path, export_path, profile_path : Path
        Files the config names (written relative to the config's folder).
    config_path : Path
        Where the config will be written.

    Returns
    -------
    str
    """
    base = config_path.resolve().parent
    rel = lambda p: _relative(Path(p), base)  # noqa: E731
    crs = utm_crs(areas)
    id_field, name_field = layer_fields(areas.to_crs(LONLAT))
    levels = draft.guesses.get("labels.levels")
    pairs: list[tuple[str, LabelCandidate]] = list(levels.value) if levels else []  # type: ignore[arg-type]
    has_finest = "area_label" in draft.guesses and pairs
    finest_name = pairs[0][0] if has_finest else "area"
    if has_finest and pairs[0][1].matched_field:
        id_field = pairs[0][1].matched_field  # the field the label values name
        name_field = None if name_field == id_field else name_field
    coarser = pairs[1:] if has_finest else pairs
    lines = [
        "# Department config drafted by `beatprofile profile init`. Every value is a",
        "# guess with a comment; read the lines marked CHECK.",
        "",
        "[department]",
        "# CHECK: your department's name, as the dashboard shows it.",
        f"name = {toml_value('Department (' + export_path.name + ')')}",
        "# UTM zone of the area layer's centroid (metres); your State Plane zone in "
        "metres works too.",
        f"analysis_crs = {toml_value(crs)}",
        "",
        "[store]",
        "# Beside this file (a relative path here is relative to this file).",
        'path = "beatprofile.duckdb"',
        "",
        "[assignment]",
        "tolerance_m = 1.0",
        "# A build fails when a level's label agreement is below this share.",
        "min_label_agreement = 0.8",
        "",
        "[[sources]]",
        f"profile = {toml_value(rel(profile_path))}",
        *_files_lines(export_path, rel),
        "",
        "[[levels]]",
        f"name = {toml_value(finest_name)}",
        f"polygons = {toml_value(rel(areas_path))}",
    ]
    lines += _field_lines(id_field, name_field)
    for level, cand in coarser:
        lines += ["", "[[levels]]", *_coarser_lines(level, cand)]
    return "\n".join(lines) + "\n"


def _relative(path: Path, base: Path) -> str:
    """``path`` relative to the config's folder, or absolute when that climbs
    more than two folders (a layer elsewhere on the machine)."""
    relative = os.path.relpath(path.resolve(), base)
    return str(path.resolve()) if relative.startswith("../../..") else relative


def _files_lines(export_path: Path, rel) -> list[str]:
    """The source's files: a pattern when sibling exports share the name's shape
    (``crimes_2017.csv`` and ``crimes_2018.csv`` -> ``crimes_*.csv``)."""
    export_path = Path(export_path)
    pattern = re.sub(r"\d+", "*", export_path.name)
    matches = sorted(export_path.parent.glob(pattern)) if "*" in pattern else []
    if len(matches) < 2:
        return [f"files = [{toml_value(rel(export_path))}]"]
    shown = ", ".join(p.name for p in matches[:4]) + (
        ", ..." if len(matches) > 4 else ""
    )
    return [
        f"# CHECK: {len(matches)} exports in that folder match this pattern ({shown});",
        "# list only those with the same layout as the drafted one.",
        f"files = [{toml_value(str(Path(rel(export_path)).parent / pattern))}]",
    ]


def _field_lines(id_field: str | None, name_field: str | None) -> list[str]:
    if id_field is None:
        return [
            "# CHECK: no unique attribute found on the layer; name its id column",
            'id_field = "TODO"',
        ]
    lines = [
        "# A unique attribute of the layer (CHECK it is the area id).",
        f"id_field = {toml_value(id_field)}",
    ]
    if name_field:
        lines += [
            "# A unique attribute with words: the areas' names.",
            f"name_field = {toml_value(name_field)}",
        ]
    else:
        lines += ["# No name attribute: areas show as 'Level <id>'."]
    return lines


def _coarser_lines(level: str, cand: LabelCandidate) -> list[str]:
    if cand.parent_field:
        return [
            f"# CHECK: `{cand.column}` labels match the layer's `{cand.parent_field}` "
            "codes: a parent code on the polygons.",
            f"name = {toml_value(level)}",
            f"parent_field = {toml_value(cand.parent_field)}",
        ]
    return [
        f"# CHECK: from the incidents' own `{cand.column}` labels ({cand.distinct} "
        f"values; {cand.purity or 0:.0%} of each area's points carry its majority "
        "value); the map dissolves the areas by majority label (approximate).",
        f"name = {toml_value(level)}",
        "from_label = true",
    ]
