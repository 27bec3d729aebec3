"""Drafting a source profile for an unseen export (``beatprofile profile init``).

Column roles are guessed from the words in the headers and checked against the
values; date formats are the strptime formats that parse the most sampled
values; projected coordinates get the candidate CRS that puts the most sample
points inside the given area layer; the label column is the one whose values
best match the area layer's ids. The draft is TOML text with a comment on each
guess saying what it rests on and what to check.

This module is the public API; each step has its own module beside it:
column facts and shared types (``columns``), dates (``date_roles``), flags and
CAD fields (``flags``), coordinates (``coordinates``; CRS ranking in
:mod:`geo.crs_rank`), id, offense and address (``offense``), area labels
(``label_guess``), and the TOML text (``render``).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.crs_rank import rank_candidate_crs  # noqa: F401
from pipelines.errors import InputFileError
from pipelines.ingest.category_check import (
    adopt_department_categories,
    category_checks,
    department_categories,
    detect_department_category,
    render_check_lines,
)
from pipelines.ingest.category_rules import (
    offense_proposals,
    render_categories,
)
from pipelines.ingest.draft.columns import (
    DATE_FORMATS,  # noqa: F401
    Guess,
    ProfileDraft,
    _as_tuple,
    _describe,
    _taken,
)
from pipelines.ingest.draft.coordinates import _areas_lonlat, _guess_coordinates
from pipelines.ingest.draft.date_roles import (
    _guess_dates,
    detect_date_formats,  # noqa: F401
)
from pipelines.ingest.draft.flags import _guess_flags, _missing_warnings, _settle_kind
from pipelines.ingest.draft.label_guess import _guess_labels
from pipelines.ingest.draft.offense import _guess_offense_and_id
from pipelines.ingest.draft.render import (
    _guess_identity,
    _identity_lines,
    _render,
    _slug,
)
from pipelines.ingest.filters import propose_filters, render_filter_lines
from pipelines.ingest.readers import LINE_COLUMN, PROBLEM_COLUMN, ExportTable
from pipelines.ingest.sensitive import render_sensitive_lines


def draft_profile(
    table: ExportTable, areas: gpd.GeoDataFrame | None = None, name: str | None = None
) -> ProfileDraft:
    """Guess a source profile for an export.

    Parameters
    ----------
    table : ExportTable
        Output of :func:`pipelines.ingest.readers.read_export`.
    areas : GeoDataFrame, optional
        The department's area polygons in any CRS; used to choose the CRS of
        projected coordinates, to check lon/lat, and to choose the label column.
    name : str, optional
        Source name; by default derived from the file name.

    Returns
    -------
    ProfileDraft

    Raises
    ------
    InputFileError
        If the export has no data rows, or ``areas`` has no CRS.

    Example
    -------
    >>> beats = gpd.read_file("beats.geojson")
    >>> draft = draft_profile(read_export("robbery.csv"), beats)
    >>> draft.guesses["incident_id"].value
    'Offense ID'
    """
    rows = table.rows.drop(columns=[LINE_COLUMN, PROBLEM_COLUMN], errors="ignore")
    if rows.empty or rows.shape[1] == 0:
        raise InputFileError(
            f"{table.file_name}: no data rows; a profile is drafted from an export "
            "with a header and at least one record"
        )
    area_ll = _areas_lonlat(areas, table.file_name) if areas is not None else None
    cols = {c: _describe(rows[c], c) for c in rows.columns}
    warnings: list[str] = []
    guesses = _guess_dates(cols, rows)
    guesses |= _guess_coordinates(cols, rows, area_ll, warnings)
    guesses |= _guess_flags(cols, _taken(guesses))
    guesses = _settle_kind(guesses)
    guesses |= _guess_offense_and_id(cols, rows, _taken(guesses), warnings)
    guesses |= _guess_labels(cols, rows, area_ll, _taken(guesses), warnings, guesses)
    warnings += _missing_warnings(cols, guesses)
    code_column = guesses["offense_code"].value if "offense_code" in guesses else None
    offenses, width = offense_proposals(
        rows,
        _as_tuple(guesses.get("offense_desc")),
        code_column,  # type: ignore[arg-type]
    )
    offenses, checks = _department_signal(rows, guesses, offenses, width)
    source = name or _slug(table.file_name)
    identity = _guess_identity(rows, guesses)
    if identity is not None:
        guesses["identity.key"] = identity
    lines = _render(table, source, guesses, warnings)
    lines += render_filter_lines(propose_filters(rows))
    lines += _identity_lines(guesses, int(rows.duplicated().sum()))
    lines += render_categories(offenses, width, checks=checks)
    lines += render_check_lines(checks, offenses) + render_sensitive_lines(offenses)
    text = "\n".join(lines) + "\n"
    return ProfileDraft(toml=text, guesses=guesses, warnings=warnings)


def _department_signal(
    rows: pd.DataFrame, guesses: dict[str, Guess], offenses: list, width: int
) -> tuple[list, dict[str, list[str]]]:
    """The department's own category column as a second signal: CHECK notes."""
    column = detect_department_category(rows, _taken(guesses))
    department = None
    if column is not None:
        code = guesses["offense_code"].value if "offense_code" in guesses else None
        desc = pd.Series("", index=rows.index, dtype=object)
        for part in _as_tuple(guesses.get("offense_desc")):
            desc = (desc + " " + rows[part].astype(str).str.strip()).str.strip()
        department = department_categories(rows, column, code, desc, width)  # type: ignore[arg-type]
        guesses["department_category"] = Guess(column, 0.6, "category-like column")
    offenses, adopted = adopt_department_categories(offenses, department)
    checks = category_checks(offenses, len(rows), department)
    for key, notes in adopted.items():
        checks[key] = notes + checks.get(key, [])
    return offenses, checks


__all__ = [
    "Guess",
    "ProfileDraft",
    "detect_date_formats",
    "draft_profile",
    "rank_candidate_crs",
    "DATE_FORMATS",
]
