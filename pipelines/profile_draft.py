"""Drafting a source profile for an unseen export (``beatprofile profile init``).

Column roles are guessed from the words in the headers and checked against the
values; date formats are the strptime formats that parse the most sampled
values; projected coordinates get the candidate CRS that puts the most sample
points inside the given area layer. The draft is TOML text with a comment on
each guess saying what it rests on and what to check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_crs_info
from pyproj.enums import PJType

from geo.crs import LONLAT, transform_xy
from geo.io import normalize_area_ids
from pipelines.category_rules import (
    propose_call_source,
    propose_offenses,
    render_categories,
    toml_value,
)
from pipelines.errors import InputFileError
from pipelines.locations import parse_point_text
from pipelines.readers import LINE_COLUMN, PROBLEM_COLUMN, ExportTable
from pipelines.source_profile import LabelSpec

DATE_FORMATS: tuple[str, ...] = (
    "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
    "%m/%d/%Y", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%fZ",
    "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
    "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M",
    "%d/%m/%Y", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%Y-%m",
)
SAMPLE_ROWS = 2000  # values looked at per column (evenly spaced through the file)
_DATE_LIKE = re.compile(r"^\d{1,4}[-/.]\d{1,2}")
_PLACEHOLDER = re.compile(r"^(0+|-+|\?|N/?A|NULL|NONE|UNK|UNKNOWN)$", re.IGNORECASE)
_TRUE = {"TRUE", "T", "Y", "YES", "1"}
_FALSE = {"FALSE", "F", "N", "NO", "0"}
_DATE_ROLES = (  # first match wins; occurred_at takes any other date column
    ("updated_at", {"updated", "modified", "changed"}),
    ("arrived_at", {"arrived", "arrival", "onscene"}),
    ("dispatched_at", {"dispatched", "dispatch", "assigned"}),
    ("cleared_at", {"cleared", "clearance", "closed", "completed"}),
    ("queued_at", {"queued", "queue", "received", "created"}),
    ("reported_at", {"report", "reported", "coded", "filed", "entered"}),
)
_OCCURRED = {"occur": 3, "occurred": 3, "occurrence": 3, "start": 3, "begin": 2,
             "from": 2, "date": 1, "time": 1, "incident": 1, "offense": 1, "crime": 1}
_NOT_OCCURRED = {"end", "to", "thru", "through", "until", "last"}
_ID_WORDS = {"id": 1, "number": 1, "num": 1, "no": 1, "nbr": 1, "case": 2,
             "report": 2, "event": 2, "complaint": 2, "incident": 2, "cad": 1}
_CODE_WORDS = {"iucr": 4, "nibrs": 3, "ucr": 3, "code": 2, "crime": 2, "statute": 1,
               "offense": 1, "charge": 1, "fbi": -1.5}
_DESC_WORDS = {"description": 3, "desc": 3, "offense": 2, "crime": 2, "nature": 2,
               "type": 1, "call": 1, "final": 1, "initial": 0.5, "charge": 1}
_NOT_DESC = {"location", "clearance", "disposition", "premise", "address", "block",
             "street", "weapon", "status", "against", "primary", "parent", "group",
             "unit", "source", "comment", "name", "beat", "sector", "district"}
_ADDRESS_WORDS = {"block": 3, "address": 2, "street": 1}
_LEVEL_WORDS = {"beat", "sector", "district", "precinct", "neighborhood", "ward",
                "neighbourhood", "zone", "division", "area", "community", "tract",
                "post", "psa", "nhd", "patrol"}
_LON, _LAT = {"longitude", "lon", "long", "lng"}, {"latitude", "lat"}
_X, _Y = {"x", "xcoord", "easting"}, {"y", "ycoord", "northing"}


@dataclass(frozen=True)
class Guess:
    """One guess: the value written to the profile, a confidence in 0..1, and why."""

    value: object
    confidence: float
    evidence: str


@dataclass(frozen=True)
class ProfileDraft:
    """A drafted source profile.

    Attributes
    ----------
    toml : str
        Profile text that :func:`pipelines.source_profile.load_source_profile`
        accepts, with a comment on each guess.
    guesses : dict of str to Guess
        Keyed by profile field (``incident_id``, ``occurred_at``, ``dates.occurred_at``,
        ``crs``, ``area_label``, ``label.<level>``, ``count``, ``kind`` ...).
    warnings : list of str
        What could not be guessed or checked, for the analyst.
    """

    toml: str
    guesses: dict[str, Guess]
    warnings: list[str]


@dataclass(frozen=True)
class _Column:
    """What the guessers need to know about one export column."""

    name: str
    words: frozenset[str]
    values: pd.Series  # non-blank sample values, stripped
    filled: float  # share of rows with a value
    distinct: int
    unique: float  # distinct / filled rows
    numeric: float  # share of sample values that are numbers
    levels: pd.Series | None  # value counts when the column has <= 50 values


def draft_profile(
    table: ExportTable, areas: gpd.GeoDataFrame | None = None, name: str | None = None
) -> ProfileDraft:
    """Guess a source profile for an export.

    Parameters
    ----------
    table : ExportTable
        Output of :func:`pipelines.readers.read_export`.
    areas : GeoDataFrame, optional
        Polygons of the department's areas in any CRS; used to choose the CRS of
        projected coordinates and the area-label column.
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
    >>> draft = draft_profile(read_export("robbery.csv"), gpd.read_file("beats.geojson"))
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
    guesses = _guess_dates(cols, warnings)
    guesses |= _guess_coordinates(cols, rows, area_ll, warnings)
    taken = _taken(guesses)
    guesses |= _guess_flags(cols, taken)
    guesses |= _guess_offense_and_id(cols, rows, _taken(guesses), warnings)
    guesses |= _guess_labels(cols, rows, area_ll, _taken(guesses), warnings)
    offenses = _offense_proposals(rows, guesses)
    source = name or _slug(table.file_name)
    text = "\n".join(_render(table, source, guesses, offenses, warnings)) + "\n"
    return ProfileDraft(toml=text, guesses=guesses, warnings=warnings)


def detect_date_formats(
    values: pd.Series, formats: tuple[str, ...] = DATE_FORMATS, most: int = 4
) -> tuple[tuple[str, ...], float]:
    """Formats that together parse the most values, best first, and the share parsed.

    Formats are chosen greedily: the one parsing the most values, then the one
    parsing the most of the rest, while one adds anything (at most ``most``).

    Example
    -------
    >>> detect_date_formats(pd.Series(["06/15/2019 14:30", "2019-06-15"]))
    (('%m/%d/%Y %H:%M', '%Y-%m-%d'), 1.0)
    """
    values = values.astype(str).str.strip()
    values = values[values != ""]
    if values.empty:
        return (), 0.0
    done = pd.Series(False, index=values.index)
    chosen: list[str] = []
    while len(chosen) < most and not done.all():
        hits = {f: _parses(values[~done], f) for f in formats if f not in chosen}
        best = max(hits, key=lambda f: (hits[f].sum(), -formats.index(f)), default=None)
        if best is None or not hits[best].any():
            break
        chosen.append(best)
        done[hits[best].index[hits[best]]] = True
    return tuple(chosen), float(done.mean())


def _parses(values: pd.Series, fmt: str) -> pd.Series:
    try:
        return pd.to_datetime(values, format=fmt, errors="coerce").notna()
    except (ValueError, TypeError, OverflowError):
        return pd.Series(False, index=values.index)


def _describe(column: pd.Series, name: str) -> _Column:
    text = column.astype(str).str.strip()
    filled = text[text != ""]
    step = max(1, len(filled) // SAMPLE_ROWS)
    sample = filled.iloc[::step].iloc[:SAMPLE_ROWS]
    distinct = int(filled.nunique())
    return _Column(
        name=name,
        words=frozenset(w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", name)),
        values=sample,
        filled=len(filled) / max(len(text), 1),
        distinct=distinct,
        unique=distinct / max(len(filled), 1),
        numeric=float(pd.to_numeric(sample, errors="coerce").notna().mean())
        if len(sample) else 0.0,
        levels=filled.value_counts() if distinct <= 50 else None,
    )


def _taken(guesses: dict[str, Guess]) -> set[str]:
    """Columns already given a role (a role may name a tuple of columns)."""
    out: set[str] = set()
    for key, g in guesses.items():
        if "." not in key and isinstance(g.value, str):
            out.add(g.value)
        elif "." not in key and isinstance(g.value, tuple):
            out.update(v for v in g.value if isinstance(v, str))
    return out


def _best(cols: dict[str, _Column], score, taken: set[str]) -> _Column | None:
    """Column with the highest positive ``score`` among those not taken."""
    scored = [(score(c), c.filled, c) for c in cols.values() if c.name not in taken]
    scored = [s for s in scored if s[0] > 0]
    return max(scored, key=lambda s: s[:2])[2] if scored else None


def _words_score(col: _Column, weights: dict[str, float]) -> float:
    return sum(weights.get(w, 0) for w in col.words)


def _guess_dates(cols: dict[str, _Column], warnings: list[str]) -> dict[str, Guess]:
    """Date columns, their formats, and which canonical time each one is."""
    found: dict[str, list[tuple[float, _Column, tuple[str, ...], float]]] = {}
    for col in cols.values():
        if col.values.empty or col.values.str.match(_DATE_LIKE).mean() < 0.8:
            continue
        formats, share = detect_date_formats(col.values)
        if share < 0.9:
            continue
        role, rank = _date_role(col)
        if role:
            found.setdefault(role, []).append((rank, col, formats, share))
    out: dict[str, Guess] = {}
    for role, options in found.items():
        rank, col, formats, share = max(options, key=lambda o: (o[0], o[1].filled))
        out[role] = Guess(col.name, round(min(share, 0.5 + rank / 6), 2),
                          f"values parse as dates ({share:.0%} of a sample)")
        out[f"dates.{role}"] = Guess(formats, share, _format_note(formats, share))
    if "occurred_at" not in out:
        fallback = next((r for r in ("queued_at", "reported_at") if r in out), None)
        if fallback:
            out["occurred_at"] = Guess(out[fallback].value, 0.5,
                                       f"no occurrence date found; using {fallback}")
            out["dates.occurred_at"] = out[f"dates.{fallback}"]
        else:
            warnings.append("no date column found for occurred_at; set it by hand")
    return out


def _date_role(col: _Column) -> tuple[str | None, float]:
    for role, words in _DATE_ROLES:
        if col.words & words:
            return role, 1.0
    if col.words & _NOT_OCCURRED:
        return None, 0.0
    return "occurred_at", _words_score(col, _OCCURRED)


def _format_note(formats: tuple[str, ...], share: float) -> str:
    mixed = "; values mix formats, each is tried in turn" if len(formats) > 1 else ""
    return f"{' / '.join(formats)} parses {share:.1%} of a sample{mixed}"


def _guess_flags(cols: dict[str, _Column], taken: set[str]) -> dict[str, Guess]:
    """Count (+1/-1 reversals), a boolean sensitive flag, and CAD call columns."""
    out: dict[str, Guess] = {}
    for col in cols.values():
        keys = set(col.levels.index.str.upper()) if col.levels is not None else set()
        if "count" not in out and keys and keys <= {"1", "-1"} and (
            "-1" in keys or "count" in col.words
        ):
            minus = int(col.levels.get("-1", 0))
            out["count"] = Guess(col.name, 1.0, f"values 1 and -1 ({minus:,} rows of -1)")
        elif col.words & {"domestic", "dv", "sensitive"} and keys and keys <= _TRUE | _FALSE:
            true = tuple(str(v) for v in col.levels.index if str(v).upper() in _TRUE)
            out["sensitive_column"] = Guess((col.name, true), 0.9,
                                            f"yes/no flag; true written {list(true)}")
    calls = {
        "priority": (lambda c: bool(c.words & {"priority", "prio", "pri"})
                     and c.levels is not None),
        "call_source": lambda c: _call_source_share(c) >= 0.6,
        "disposition": lambda c: bool(c.words & {"disposition", "clearance", "outcome"}),
        "unit": lambda c: bool(c.words & {"unit", "units"}) and c.unique < 0.9,
    }
    for field, test in calls.items():
        col = _best(cols, lambda c, t=test: float(t(c)), taken)
        if col:
            taken.add(col.name)
            out[field] = Guess(col.name, 0.7, f"header `{col.name}` and its values")
    return out


def _call_source_share(col: _Column) -> float:
    """Share of rows whose value names how a call came in (911, on-view, alarm...)."""
    if col.levels is None or not col.words & {"call", "source", "type", "received",
                                               "origin", "method", "how"}:
        return 0.0
    known = [n for v, n in col.levels.items() if propose_call_source(str(v)) != "other"]
    return sum(known) / col.levels.sum()
