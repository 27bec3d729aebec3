"""Required roles the profile drafter could not fill: a loud warning and a line.

A draft never hides a missing role behind a placeholder that only fails later
with an obscure message. For each required role it could not find (the
incident id, when the offense occurred, the coordinates) the drafter writes a
``"TODO"`` line under a CHECK comment and a warning naming the role, every
column it considered and why each was rejected; the profile loader refuses a
``"TODO"`` with the file, line and fix (:mod:`pipelines.ingest.source_profile`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

import pandas as pd

PLACEHOLDER = "TODO"
_COORDINATE_WORDS = frozenset(
    {"lon", "long", "lng", "longitude", "lat", "latitude", "x", "y", "xcoord",
     "ycoord", "easting", "northing", "coord", "coords", "coordinate", "point",
     "location", "geom", "geometry", "shape", "gps"}
)  # fmt: skip
_MEANING = {
    "incident_id": "the incident or report number",
    "occurred_at": "when the offense occurred",
}


class ColumnFacts(Protocol):
    """What the drafter knows about a column (``profile_draft._Column``)."""

    name: str
    words: frozenset[str]
    values: pd.Series
    numeric: float


def missing_roles(present: Iterable[str]) -> list[str]:
    """Required roles absent from the guessed fields, in profile order.

    ``coordinates`` is missing when there is neither lon/lat, x/y nor a point
    text column, and no area-label column (``area_label``) to place rows by.

    Example
    -------
    >>> missing_roles({"incident_id", "lon", "lat"})
    ['occurred_at']
    """
    present = set(present)
    out = [role for role in ("incident_id", "occurred_at") if role not in present]
    if not present & {"lon", "x", "location", "area_label"}:
        out.append("coordinates")
    return out


def coordinate_rejections(
    cols: Iterable[ColumnFacts], located: bool = False
) -> list[tuple[str, str]]:
    """Columns whose header sounds like a coordinate, and why none was used."""
    out = []
    for col in cols:
        if not col.words & _COORDINATE_WORDS:
            continue
        example = f", e.g. {col.values.iloc[0]!r}" if not col.values.empty else ""
        if col.numeric < 0.9:
            why = f"not numbers: {col.numeric:.0%} of sampled values are{example}"
            if col.words & {"location", "point", "geom", "geometry", "shape"}:
                why += "; and no value reads as a point like '(lat, lon)'"
        else:
            why = (
                "numbers without a partner column (a longitude needs a latitude, "
                "an x a y, named as such)"
            )
        out.append((col.name, why))
    return out


def unlocated_warning(considered: Sequence[tuple[str, str]], label: str) -> str:
    """The warning for an export with an area label but no coordinates."""
    tried = "; ".join(f"`{name}` ({why})" for name, why in considered)
    tried = f" Columns considered: {tried}." if tried else ""
    return (
        "no coordinate columns found: every row is unlocated and placed by its "
        f"area label `{label}` only (no point-in-polygon check, no hotspot maps)."
        f"{tried}"
        " Add lon/lat (or x/y with [location] crs) under [columns] if the export "
        "has them."
    )


def missing_role_warning(role: str, considered: Sequence[tuple[str, str]]) -> str:
    """The warning ``profile init`` prints for a required role it could not fill.

    Example
    -------
    >>> missing_role_warning("occurred_at", [("End Date", "an end time")])[:40]
    'REQUIRED: no column found for occurred_'
    """
    tried = "; ".join(f"`{name}` ({why})" for name, why in considered)
    tried = f"Columns considered: {tried}." if tried else "No column looked like one."
    if role == "coordinates":
        place = "and with no area-label column found either, no row can be placed"
        return (
            f"REQUIRED: no coordinate columns found. {tried} The draft writes "
            f'[columns] lon = "{PLACEHOLDER}" and lat = "{PLACEHOLDER}": name the '
            "export's longitude/latitude columns there (or x/y with [location] "
            "crs), or delete both lines if the export has no coordinates ("
            f"{place}); until then check and build stop with an error."
        )
    return (
        f"REQUIRED: no column found for {role} ({_MEANING.get(role, role)}). {tried} "
        f'The draft writes [columns] {role} = "{PLACEHOLDER}": name the export\'s '
        "column there; until then check and build stop with an error."
    )


def missing_role_lines(role: str) -> list[str]:
    """``[columns]`` lines for a missing role: a CHECK comment and a placeholder."""
    if role == "coordinates":
        return [
            "# CHECK: REQUIRED: no coordinate columns found (see the WARNING at the",
            "# top). Name the longitude/latitude columns (or x/y with [location] crs),",
            "# or delete both lines if the export has none.",
            f'lon = "{PLACEHOLDER}"',
            f'lat = "{PLACEHOLDER}"',
        ]
    return [
        f"# CHECK: REQUIRED: no column found for {role} (see the WARNING at the top);",
        "# name the export's column here.",
        f'{role} = "{PLACEHOLDER}"',
    ]
