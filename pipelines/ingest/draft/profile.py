"""Drafting a source profile for an unseen export (``beatprofile profile init``).

Column roles are guessed from the words in the headers and checked against the
values; date formats are the strptime formats that parse the most sampled
values; projected coordinates get the candidate CRS that puts the most sample
points inside the given area layer; the label column is the one whose values
best match the area layer's ids. The draft is TOML text with a comment on each
guess saying what it rests on and what to check.

Sections: public API; column facts; dates; flags and CAD fields; coordinates
and CRS; id, offense and address; area labels; TOML rendering.
"""

from __future__ import annotations

import itertools
import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_crs_info
from pyproj.enums import PJType

from geo.crs import LONLAT
from geo.io import normalize_area_ids
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
    propose_call_source,
    render_categories,
    toml_value,
)
from pipelines.ingest.draft.dates import (
    CONSIDERED_WORDS,
    ambiguous_formats,
    date_time_pairs,
    joined_sample,
    not_date_reason,
    time_only_share,
    unparsed_reason,
)
from pipelines.ingest.draft.labels import (
    LabelCandidate,
    layer_fields,
    point_areas,
    rank_finest,
    score_label_column,
)
from pipelines.ingest.draft.required import (
    coordinate_rejections,
    missing_role_lines,
    missing_role_warning,
    missing_roles,
    unlocated_warning,
)
from pipelines.ingest.filters import propose_filters, render_filter_lines
from pipelines.ingest.locations import parse_point_text
from pipelines.ingest.readers import LINE_COLUMN, PROBLEM_COLUMN, ExportTable
from pipelines.ingest.sensitive import render_sensitive_lines
from pipelines.ingest.source_profile import LabelSpec

DATE_FORMATS: tuple[str, ...] = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%m/%d/%y %I:%M:%S %p",
    "%m/%d/%y %I:%M %p",
    "%m/%d/%y %H:%M:%S",
    "%m/%d/%y %H:%M",
    "%m/%d/%y",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%fZ",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d/%m/%y %H:%M:%S",
    "%d/%m/%y %H:%M",
    "%d/%m/%y",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%Y-%m",
)
SAMPLE_ROWS = 2000  # values looked at per column, evenly spaced through the file
_DATE_LIKE = re.compile(r"^\d{1,4}[-/.]\d{1,2}")
_PLACEHOLDER = re.compile(r"^(0+|-+|\?|N/?A|NULL|NONE|UNK|UNKNOWN)$", re.IGNORECASE)
_TRUE, _FALSE = {"TRUE", "T", "Y", "YES", "1"}, {"FALSE", "F", "N", "NO", "0"}
_DATE_ROLES = (  # first match wins; any other date column may be occurred_at
    ("updated_at", {"updated", "modified", "changed"}),
    ("arrived_at", {"arrived", "arrival", "onscene"}),
    ("dispatched_at", {"dispatched", "dispatch", "assigned"}),
    ("cleared_at", {"cleared", "clearance", "closed", "completed"}),
    ("queued_at", {"queued", "queue", "received", "created"}),
    ("reported_at", {"report", "reported", "coded", "filed", "entered"}),
)
_OCCURRED = {
    "occur": 3,
    "occurred": 3,
    "occurrence": 3,
    "start": 3,
    "begin": 2,
    "from": 2,
    "date": 1,
    "time": 1,
    "incident": 1,
    "offense": 1,
    "crime": 1,
}
_NOT_OCCURRED = {"end", "to", "thru", "through", "until", "last"}
_ID_WORDS = {
    "id": 1,
    "number": 1,
    "num": 1,
    "no": 1,
    "nbr": 1,
    "case": 2,
    "report": 2,
    "event": 2,
    "complaint": 2,
    "incident": 2,
    "cad": 1,
    "key": 1,
    # row ids an export tool adds (Carto, ArcGIS): not the department's number
    "cartodb": -4,
    "objectid": -4,
    "fid": -4,
}
_CODE_WORDS = {
    "iucr": 4,
    "nibrs": 3,
    "ucr": 3,
    "code": 2,
    "crime": 2,
    "statute": 1,
    "offense": 1,
    "charge": 1,
    "fbi": -1.5,
}
_DESC_WORDS = {
    "description": 3,
    "desc": 3,
    "offense": 2,
    "crime": 2,
    "nature": 2,
    "type": 1,
    "call": 1,
    "final": 1,
    "initial": 0.5,
    "charge": 1,
    "text": 2,  # Philadelphia's text_general_code
}
_NOT_DESC = {
    "location",
    "clearance",
    "disposition",
    "premise",
    "address",
    "block",
    "street",
    "weapon",
    "status",
    "against",
    "primary",
    "parent",
    "group",
    "unit",
    "source",
    "comment",
    "name",
    "beat",
    "sector",
    "district",
}
_ADDRESS_WORDS = {"block": 3, "address": 2, "street": 1}
_LEVEL_WORDS = {
    "beat",
    "sector",
    "district",
    "precinct",
    "neighborhood",
    "ward",
    "neighbourhood",
    "zone",
    "division",
    "area",
    "community",
    "tract",
    "post",
    "psa",
    "nhd",
    "patrol",
    "dist",
    "nbhd",
    "hood",
    "pct",
    "sect",
    "div",
    "reporting",
    "rpt",
}
# Abbreviated level words -> the level they name.
_LEVEL_ALIASES = {
    "dist": "district",
    "nbhd": "neighborhood",
    "nhd": "neighborhood",
    "hood": "neighborhood",
    "neighbourhood": "neighborhood",
    "pct": "precinct",
    "sect": "sector",
    "div": "division",
    "reporting": "area",
    "rpt": "area",
}
_LON, _LAT = {"longitude", "lon", "long", "lng"}, {"latitude", "lat"}
_X, _Y = {"x", "xcoord", "easting"}, {"y", "ycoord", "northing"}
_COLUMN_ORDER = (
    "incident_id",
    "occurred_at",
    "reported_at",
    "updated_at",
    "offense_code",
    "offense_desc",
    "lon",
    "lat",
    "x",
    "y",
    "location",
    "block_address",
    "count",
    "priority",
    "call_source",
    "queued_at",
    "dispatched_at",
    "arrived_at",
    "cleared_at",
    "unit",
    "disposition",
)


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
        Profile text that :func:`pipelines.ingest.source_profile.load_source_profile`
        accepts, with a comment on each guess.
    guesses : dict of str to Guess
        Keyed by profile field (``incident_id``, ``occurred_at``, ``lon``, ``x``,
        ...), ``dates.<field>`` (formats), ``crs``, ``missing_xy``, ``count``,
        ``kind``, ``unique_ids``, ``sensitive_column``, ``calls.sources``,
        ``label.<level>`` (a LabelSpec), ``area_label`` (the column whose
        values best match the area layer's ids) and ``rejected.occurred_at``
        ((column, why) pairs of date-like columns not used).
    warnings : list of str
        What could not be guessed or checked.
    """

    toml: str
    guesses: dict[str, Guess]
    warnings: list[str]


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


def detect_date_formats(
    values: pd.Series, formats: tuple[str, ...] = DATE_FORMATS, most: int = 4
) -> tuple[tuple[str, ...], float]:
    """Formats that together parse the most values, best first, and the share parsed.

    Formats are chosen greedily: the one parsing the most values, then the one
    parsing the most of the rest, while one adds anything (at most ``most``).
    Ties go to the format listed first in ``formats``.

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


# --- column facts --------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    """What the guessers need to know about one export column."""

    name: str
    words: frozenset[str]  # header split into lower-case words ("XCoord" -> x, coord)
    values: pd.Series  # non-blank sample values, stripped
    filled: float  # share of rows with a value
    distinct: int
    unique: float  # distinct / rows with a value
    numeric: float  # share of sample values that are numbers
    levels: pd.Series | None  # value counts when the column has <= 50 values


def _describe(column: pd.Series, name: str) -> _Column:
    text = column.astype(str).str.strip()
    filled = text[text != ""]
    sample = filled.iloc[:: max(1, len(filled) // SAMPLE_ROWS)].iloc[:SAMPLE_ROWS]
    distinct = int(filled.nunique())
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", name)
    numbers = pd.to_numeric(sample, errors="coerce")
    numeric = float(numbers.notna().mean()) if len(sample) else 0.0
    return _Column(
        name=name,
        words=frozenset(w.lower() for w in words),
        values=sample,
        filled=len(filled) / max(len(text), 1),
        distinct=distinct,
        unique=distinct / max(len(filled), 1),
        numeric=numeric,
        levels=filled.value_counts() if distinct <= 50 else None,
    )


def _taken(guesses: dict[str, Guess]) -> set[str]:
    """Columns already given a role (a role may name a tuple of columns)."""
    out: set[str] = set()
    for key, guess in guesses.items():
        if "." not in key and key not in ("crs", "kind"):
            out.update(v for v in _as_tuple(guess) if isinstance(v, str))
    return out


def _as_tuple(guess: Guess | None) -> tuple:
    if guess is None:
        return ()
    return guess.value if isinstance(guess.value, tuple) else (guess.value,)


def _best(
    cols: dict[str, _Column], score: Callable[[_Column], float], taken: set[str]
) -> _Column | None:
    """Column with the highest positive ``score`` (then fill) among those not taken."""
    scored = [(score(c), c.filled, c) for c in cols.values() if c.name not in taken]
    scored = [s for s in scored if s[0] > 0]
    return max(scored, key=lambda s: s[:2])[2] if scored else None


def _words_score(col: _Column, weights: Mapping[str, float]) -> float:
    return sum(weights.get(w, 0) for w in col.words)


# --- dates ---------------------------------------------------------------------


def _guess_dates(cols: dict[str, _Column], rows: pd.DataFrame) -> dict[str, Guess]:
    """Date columns (or date + time column pairs), their formats, and which
    canonical time each one is; ``rejected.occurred_at`` says why others were not
    used. Stand-ins for a missing occurred_at are chosen by :func:`_settle_kind`."""
    found: dict[str, list[tuple[float, _Column, tuple[str, ...], float, object]]] = {}
    rejected: list[tuple[str, str]] = []
    singles = [(c.name, c) for c in cols.values()]
    for value, col in [*singles, *_paired_columns(cols, rows)]:
        like = float(col.values.str.match(_DATE_LIKE).mean()) if len(col.values) else 0
        if like < 0.8:
            if col.words & CONSIDERED_WORDS and time_only_share(col.values) < 0.9:
                rejected.append((col.name, not_date_reason(col.values, like)))
            continue
        formats, share = detect_date_formats(col.values)
        role, rank = _date_role(col)
        if role is None:
            why = "the header says it is an end or last time, not when it began"
            rejected.append((col.name, why))
        elif share < 0.9:
            rejected.append((col.name, unparsed_reason(col.values, share, formats)))
        else:
            timed = any(d in f for f in formats for d in ("%H", "%I"))
            rank -= 0.5 * (not timed)  # a date alone loses to a date with its time
            found.setdefault(role, []).append((rank, col, formats, share, value))
    out: dict[str, Guess] = {}
    for role, options in found.items():
        rank, col, formats, share, value = max(
            options, key=lambda o: (o[0], o[1].filled)
        )
        out |= _date_guesses(role, rank, col, formats, share, value)
    out["rejected.occurred_at"] = Guess(tuple(rejected), 0.0, "date-like, not used")
    return out


def _date_guesses(
    role: str,
    rank: float,
    col: _Column,
    formats: tuple[str, ...],
    share: float,
    value: object,
) -> dict[str, Guess]:
    """The role's column guess and its ``dates.<role>`` formats guess."""
    why = (
        "the header says so"
        if rank >= 3
        else f"`{col.name}` is a generic date header: check it is when the "
        "offense occurred"
    )
    joined = (
        " (date and time columns read together)" if isinstance(value, tuple) else ""
    )
    column = Guess(
        value,
        round(min(share, 0.4 + min(rank, 3) / 5), 2),
        f"dates ({share:.0%} of a sample parse){joined}; {role}: {why}",
    )
    mixed = "; values mix formats, tried in turn" if len(formats) > 1 else ""
    note, confidence = (
        f"{' / '.join(formats)} parses {share:.1%} of a sample{mixed}",
        share,
    )
    rivals = ambiguous_formats(col.values, formats, DATE_FORMATS)
    if rivals:
        note += (
            f"; no sampled value tells it from {' / '.join(rivals)} (no day above "
            "12): check which order the export writes"
        )
        confidence = min(share, 0.5)
    return {role: column, f"dates.{role}": Guess(formats, confidence, note)}


def _paired_columns(
    cols: dict[str, _Column], rows: pd.DataFrame
) -> list[tuple[tuple[str, str], _Column]]:
    """A date-only column and its time-only partner, read as one column."""
    date_only = {
        c.name: c.words
        for c in cols.values()
        if len(c.values)
        and c.values.str.match(_DATE_LIKE).mean() >= 0.8
        and not c.values.str.contains(":").any()
    }
    time_only = {
        c.name: c.words for c in cols.values() if time_only_share(c.values) >= 0.9
    }
    out = []
    for date, time in date_time_pairs(date_only, time_only):
        values = joined_sample(rows, date, time, SAMPLE_ROWS)
        both = replace(
            cols[date],
            name=f"{date}` + `{time}",
            words=cols[date].words | cols[time].words,
            values=values,
            filled=min(cols[date].filled, cols[time].filled),
        )
        out.append(((date, time), both))
    return out


def _date_role(col: _Column) -> tuple[str | None, float]:
    for role, words in _DATE_ROLES:
        if col.words & words:
            return role, 3.0
    if col.words & _NOT_OCCURRED:
        return None, 0.0
    return "occurred_at", _words_score(col, _OCCURRED)


# --- flags and CAD fields ----------------------------------------------------------


def _guess_flags(cols: dict[str, _Column], taken: set[str]) -> dict[str, Guess]:
    """Count (+1/-1 reversals), a yes/no sensitive flag, and CAD call columns."""
    out: dict[str, Guess] = {}
    for col in cols.values():
        keys = set(col.levels.index.str.upper()) if col.levels is not None else set()
        if (
            "count" not in out
            and keys
            and keys <= {"1", "-1"}
            and ("-1" in keys or "count" in col.words)
        ):
            minus = int(col.levels.get("-1", 0))  # type: ignore[union-attr]
            out["count"] = Guess(
                col.name, 1.0, f"values 1 and -1 ({minus:,} rows of -1)"
            )
        elif col.words & {"domestic", "dv", "sensitive"} and keys <= _TRUE | _FALSE:
            true = tuple(v for v in map(str, col.levels.index) if v.upper() in _TRUE)  # type: ignore[union-attr]
            out["sensitive_column"] = Guess(
                (col.name, true), 0.9, f"yes/no flag; true written {list(true)}"
            )
    calls: dict[str, Callable[[_Column], bool]] = {
        "priority": lambda c: (
            bool(c.words & {"priority", "prio", "pri"}) and c.levels is not None
        ),
        "call_source": lambda c: _call_source_share(c) >= 0.6,
        "disposition": lambda c: bool(c.words & {"disposition", "clearance"}),
        "unit": lambda c: bool(c.words & {"unit", "units"}) and c.unique < 0.9,
    }
    for field, test in calls.items():
        found = _best(cols, lambda c, t=test: float(t(c)), taken)  # type: ignore[misc]
        if found:
            taken.add(found.name)
            out[field] = Guess(found.name, 0.7, f"header `{found.name}` and its values")
    if "call_source" in out:
        levels = cols[out["call_source"].value].levels  # type: ignore[index]
        mapping = {str(v): propose_call_source(str(v)) for v in levels.index}  # type: ignore[union-attr]
        out["calls.sources"] = Guess(
            mapping,
            0.7,
            "how each call came in, from the "
            "values of the call-source column; check each",
        )
    return out


def _call_source_share(col: _Column) -> float:
    """Share of rows whose value says how a call came in (911, on-view, alarm...)."""
    if col.levels is None or not col.words & {
        "call",
        "source",
        "type",
        "received",
        "origin",
        "method",
        "how",
    }:
        return 0.0
    known = [n for v, n in col.levels.items() if propose_call_source(str(v)) != "other"]
    return sum(known) / max(int(col.levels.sum()), 1)


_CAD_TIMES = ("queued_at", "dispatched_at", "arrived_at", "cleared_at")
_CAD_FIELDS = ("priority", "call_source", "calls.sources", "unit", "disposition")
_STAND_INS = {  # the best available time for occurred_at, by kind of export
    "call": ("queued_at", "dispatched_at", "reported_at"),
    "report": ("reported_at", "dispatched_at", "queued_at", "arrived_at", "cleared_at"),
}


def _kind(guesses: dict[str, Guess]) -> Guess:
    timed = {"call_source", "queued_at", "arrived_at", "cleared_at"} & set(guesses)
    if "priority" in guesses and timed:
        return Guess("call", 0.8, f"priority and {sorted(timed)} columns: CAD calls")
    return Guess("report", 0.8, "no priority/queue/arrival columns: incident reports")


def _settle_kind(guesses: dict[str, Guess]) -> dict[str, Guess]:
    """The kind of export, CAD fields only for calls, and a stand-in occurred_at.

    A crime (RMS) export's dispatch time is not a CAD field: with no priority
    and no queue, arrival or clear times it is the best available time for when
    the offense occurred, and is proposed as such under a CHECK comment.
    """
    kind = _kind(guesses)
    out, dropped = dict(guesses), {}
    if kind.value == "report":
        for field in (*_CAD_TIMES, *_CAD_FIELDS):
            for key in (field, f"dates.{field}"):
                if key in out:
                    dropped[key] = out.pop(key)
    if dropped:
        names = sorted(k for k in dropped if "." not in k)
        kind = Guess("report", kind.confidence, f"{kind.evidence}; {names} not read")
    out["kind"] = kind
    if "occurred_at" in out:
        return out
    both = dropped | out
    role = next((r for r in _STAND_INS[str(kind.value)] if r in both), None)
    if role is not None:
        out["occurred_at"] = _stand_in(role, both[role], str(kind.value))
        out["dates.occurred_at"] = both[f"dates.{role}"]
    return out


def _stand_in(role: str, guess: Guess, kind: str) -> Guess:
    """occurred_at taken from another time of the record, saying which and why."""
    columns = " + ".join(f"`{c}`" for c in _as_tuple(guess))
    if kind == "call" and role == "queued_at":
        return Guess(guess.value, 0.8, f"no occurrence date; {role} stands in")
    if kind == "report" and role != "reported_at":
        why = (
            f"no occurrence or report date; this crime (RMS) export has no "
            f"priority or queue/arrival/clear times, so {columns} ({role}) is not a "
            "CAD field but the best available time for when the offense occurred "
            "(a dispatch follows the call, and may follow the offense by days)"
        )
        return Guess(guess.value, 0.5, why)
    return Guess(guess.value, 0.5, f"no occurrence date; {columns} ({role}) stands in")


def _missing_warnings(cols: dict[str, _Column], guesses: dict[str, Guess]) -> list[str]:
    """A loud warning for each required role with no column, naming those tried."""
    out = []
    located = {"lon", "x", "location"} & set(guesses)
    if not located and "area_label" in guesses:
        label = str(guesses["area_label"].value)
        out.append(unlocated_warning(coordinate_rejections(cols.values()), label))
    for role in missing_roles(guesses):
        if role == "coordinates":
            out.append(missing_role_warning(role, coordinate_rejections(cols.values())))
            continue
        considered = list(_as_tuple(guesses.get(f"rejected.{role}")))
        if role == "occurred_at":  # e.g. updated_at: not when the offense occurred
            considered += [
                (" + ".join(_as_tuple(g)), f"used for {key}")
                for key, g in guesses.items()
                if key in _COLUMN_ORDER and key.endswith("_at")
            ]
        out.append(missing_role_warning(role, considered))
    return out


# --- coordinates and CRS -------------------------------------------------------------


def _guess_coordinates(
    cols: dict[str, _Column],
    rows: pd.DataFrame,
    area_ll: gpd.GeoDataFrame | None,
    warnings: list[str],
) -> dict[str, Guess]:
    """lon/lat or projected x/y columns (with a CRS), and a point-text column."""
    out: dict[str, Guess] = {}
    text = _best(cols, lambda c: _point_text_share(c) - 0.8 + 1e-9, set())
    if text is not None:
        out["location"] = Guess(text.name, 0.9, "text holding a point")
    pairs = [p for p in (_pair(cols, _LON, _LAT), _pair(cols, _X, _Y)) if p]
    if not pairs:  # no coordinates at all: draft_required warns
        return out
    xy = {p: _numbers(rows, p) for p in pairs}
    lonlat = [
        p
        for p in pairs
        if max(_lonlat_share(*xy[p]), _lonlat_share(*xy[p][::-1])) >= 0.9
    ]
    pair = (lonlat or pairs)[0]
    x, y = xy[pair]
    if lonlat:
        pair, out["crs"] = _check_lonlat(pair, x, y, area_ll, warnings)
        out["lon"], out["lat"] = (Guess(c, 0.9, "lon/lat numbers") for c in pair)
    else:
        out["x"], out["y"] = (
            Guess(c, 0.8, "numbers too large for lon/lat: projected") for c in pair
        )
        out["crs"] = _guess_crs(x, y, area_ll, warnings)
    zeros = int(np.sum((x == 0) & (y == 0)))
    if zeros:
        out["missing_xy"] = Guess((0.0, 0.0), 1.0, f"{zeros:,} rows have 0,0")
    return out


def _pair(
    cols: dict[str, _Column], xs: set[str], ys: set[str]
) -> tuple[str, str] | None:
    def find(words: set[str]) -> str | None:
        hits = [c for c in cols.values() if c.words & words and c.numeric >= 0.9]
        return max(hits, key=lambda c: c.filled).name if hits else None

    x, y = find(xs), find(ys)
    return (x, y) if x and y and x != y else None


def _numbers(
    rows: pd.DataFrame, pair: tuple[str, str]
) -> tuple[np.ndarray, np.ndarray]:
    x, y = (
        pd.to_numeric(rows[c].str.strip(), errors="coerce").to_numpy("float64")
        for c in pair
    )
    return x, y


def _usable(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.isfinite(x) & np.isfinite(y) & ~((x == 0) & (y == 0))


def _lonlat_share(x: np.ndarray, y: np.ndarray) -> float:
    ok = _usable(x, y)
    inside = (np.abs(x[ok]) <= 180) & (np.abs(y[ok]) <= 90)
    return float(inside.mean()) if ok.any() else 0.0


def _point_text_share(col: _Column) -> float:
    if col.values.empty or col.numeric > 0.5:
        return 0.0
    lon, _ = parse_point_text(col.values.iloc[:500])
    return float(np.isfinite(lon).mean())


def _sample_points(x: np.ndarray, y: np.ndarray, n: int = 1000):
    ok = np.flatnonzero(_usable(x, y))
    if len(ok):
        ok = ok[np.linspace(0, len(ok) - 1, min(n, len(ok))).astype(int)]
    return x[ok], y[ok]


def _check_lonlat(
    pair: tuple[str, str], x, y, area_ll: gpd.GeoDataFrame | None, warnings: list[str]
) -> tuple[tuple[str, str], Guess]:
    """Share of points in range or inside the areas; swap the columns if that is far
    better."""
    straight, swapped = _lonlat_share(x, y), _lonlat_share(y, x)
    lon, lat = _sample_points(x, y)
    if area_ll is not None and len(lon):
        union = _union(area_ll)
        straight = float(shapely.contains_xy(union, lon, lat).mean())
        swapped = float(shapely.contains_xy(union, lat, lon).mean())
    if swapped > straight + 0.3:
        warnings.append(f"`{pair[0]}` holds latitudes, `{pair[1]}` longitudes: swapped")
        pair, straight = (pair[1], pair[0]), swapped
    if area_ll is None:
        return pair, Guess(
            None,
            0.8,
            "longitude/latitude (EPSG:4326); not checked against an area layer",
        )
    return pair, Guess(
        None,
        straight,
        f"longitude/latitude (EPSG:4326): "
        f"{straight:.1%} of {len(lon):,} sampled points fall inside "
        "the area layer",
    )


def _union(area_ll: gpd.GeoDataFrame):
    union = area_ll.geometry.union_all()
    shapely.prepare(union)
    return union


def _guess_crs(x, y, area_ll: gpd.GeoDataFrame | None, warnings: list[str]) -> Guess:
    if area_ll is None:
        warnings.append(
            "coordinates are projected but their CRS could not be checked "
            "without an area layer: set [location] crs (or give --areas)"
        )
        return Guess(None, 0.0, "projected; CRS not checked (no area layer given)")
    ranked = rank_candidate_crs(x, y, area_ll)
    if not ranked or ranked[0][2] == 0:
        warnings.append(
            "no candidate CRS puts the points inside the area layer: "
            "set [location] crs by hand"
        )
        return Guess(None, 0.0, "projected; no candidate CRS fits the area layer")
    code, crs_name, share = ranked[0]
    others = ", ".join(f"{c} {s:.0%}" for c, _, s in ranked[1:4])
    return Guess(
        code,
        share,
        f"{crs_name}: puts {share:.1%} of sampled points inside "
        f"the area layer ({len(ranked)} candidates tried; next: {others})",
    )


def rank_candidate_crs(
    x: np.ndarray, y: np.ndarray, area_ll: gpd.GeoDataFrame
) -> list[tuple[str, str, float]]:
    """Candidate projected CRSs for ``x``/``y``, best first.

    Candidates are the EPSG and ESRI projected CRSs in metres or US survey feet
    whose area of use contains the area layer and is at most 12 degrees wide
    (State Plane and UTM zones: about 30 for a US city). Each is scored by the
    share of up to 1,000 sampled points falling inside the layer; near-ties
    (within 0.5 points) prefer plain NAD83, then other NAD83 realisations.

    Parameters
    ----------
    x, y : ndarray
        Projected coordinates (0,0 and non-finite pairs are ignored).
    area_ll : GeoDataFrame
        The area polygons in EPSG:4326.

    Returns
    -------
    list of (code, name, share)

    Example
    -------
    >>> rank_candidate_crs(xs, ys, neighborhoods.to_crs("EPSG:4326"))[0][0]
    'ESRI:102696'
    """
    bounds = tuple(round(float(b), 3) for b in area_ll.total_bounds)
    px, py = _sample_points(np.asarray(x, float), np.asarray(y, float))
    union = _union(area_ll)
    scored = []
    for code, crs_name in _candidate_crs(bounds):  # type: ignore[arg-type]
        lon, lat = Transformer.from_crs(code, LONLAT, always_xy=True).transform(px, py)
        share = float(shapely.contains_xy(union, lon, lat).mean()) if len(px) else 0.0
        scored.append((code, crs_name, share))
    top = max((s for _, _, s in scored), default=0.0)
    return sorted(scored, key=lambda c: (c[2] < top - 0.005, _datum_rank(c[1]), -c[2]))


def _datum_rank(name: str) -> int:
    if re.match(r"NAD83 /|NAD_1983_(StatePlane|UTM)", name):
        return 0
    return 1 if re.match(r"NAD(83|_1983)", name) else 2


@lru_cache(maxsize=8)
def _candidate_crs(bounds: tuple[float, ...]) -> tuple[tuple[str, str], ...]:
    infos = query_crs_info(
        pj_types=PJType.PROJECTED_CRS,
        contains=True,
        area_of_interest=AreaOfInterest(*bounds),
    )
    out = []
    for info in infos:
        use = info.area_of_use
        if info.auth_name not in ("EPSG", "ESRI") or info.deprecated or use is None:
            continue
        if not 0 < use.east - use.west <= 12:
            continue
        crs = CRS.from_authority(info.auth_name, info.code)
        if {a.unit_name for a in crs.axis_info} <= {"metre", "US survey foot"}:
            out.append((f"{info.auth_name}:{info.code}", info.name))
    return tuple(out)


def _areas_lonlat(areas: gpd.GeoDataFrame, where: str) -> gpd.GeoDataFrame:
    if areas.crs is None:
        raise InputFileError(
            f"{where}: the area layer has no CRS; add one (a .prj file, or "
            "`gdf.set_crs('EPSG:4326')` if it is lon/lat) and try again"
        )
    layer = areas[~(areas.geometry.isna() | areas.geometry.is_empty)]
    return layer.to_crs(LONLAT)


# --- id, offense and address ----------------------------------------------------------


def _guess_offense_and_id(
    cols: dict[str, _Column], rows: pd.DataFrame, taken: set[str], warnings: list[str]
) -> dict[str, Guess]:
    """Incident id, offense code and description, and block address columns."""
    out: dict[str, Guess] = {}
    ident = _best(cols, _id_score, taken)
    if ident is None:
        warnings.append("no id column found: set [columns] incident_id by hand")
    else:
        taken.add(ident.name)
        unique = ident.unique == 1 and ident.filled == 1
        n = round(ident.filled * len(rows))
        why = (
            f"unique in {len(rows):,} rows"
            if unique
            else f"{ident.distinct:,} "
            f"distinct values in {n:,} rows: a record may span rows (or ids repeat)"
        )
        out["incident_id"] = Guess(ident.name, 0.9 if unique else 0.6, why)
        out["unique_ids"] = Guess(
            unique,
            1.0,
            f"`{ident.name}` is " + ("unique" if unique else "not unique") + " here",
        )
    code = _best(cols, _code_score, taken)
    if code is not None:
        taken.add(code.name)
        out["offense_code"] = Guess(
            code.name, 0.7, f"short codes, {code.distinct:,} distinct"
        )
    desc = _best(cols, _desc_score, taken)
    if desc is not None:
        taken.add(desc.name)
        names = _with_parent(cols, rows, desc, taken)
        out["offense_desc"] = Guess(
            names if len(names) > 1 else desc.name,
            0.7,
            "text; the type is prefixed because the description alone is ambiguous"
            if len(names) > 1
            else f"text, {desc.distinct:,} distinct values",
        )
    elif code is None:
        warnings.append("no offense column found: every row gets the default category")
    address = _best(cols, _address_score, taken)
    if address is not None:
        out["block_address"] = Guess(_with_street(cols, address), 0.6, "address words")
    return out


def _id_score(col: _Column) -> float:
    name = min(_words_score(col, _ID_WORDS), 3)
    if col.filled < 0.95 or col.unique < 0.5 or (not name and col.unique < 0.99):
        return 0.0
    return name + 3 * (col.unique == 1) + col.unique


def _code_score(col: _Column) -> float:
    if col.values.empty or col.values.str.len().mean() > 8:
        return 0.0
    if col.values.str.contains(" ").mean() > 0.2:
        return 0.0
    bonus = "code" in col.words and bool(col.words & {"offense", "crime"})
    return _words_score(col, _CODE_WORDS) + bonus


def _desc_score(col: _Column) -> float:
    if col.words & _NOT_DESC or col.values.empty:
        return 0.0
    if col.distinct > 50 and col.unique > 0.5:  # free text, not a list of offenses
        return 0.0
    texty = col.values.str.contains("[A-Za-z]{3}").mean() >= 0.8
    return _words_score(col, _DESC_WORDS) if texty else 0.0


def _with_parent(
    cols: dict[str, _Column], rows: pd.DataFrame, desc: _Column, taken: set[str]
) -> tuple[str, ...]:
    """Prefix a primary-type column when the description alone is ambiguous."""
    for col in cols.values():
        if col.name in taken or col.numeric > 0.5:
            continue
        if not col.words & {"primary", "parent"}:
            continue
        pairs = rows[[desc.name, col.name]].drop_duplicates()
        if pairs[desc.name].duplicated().any():
            taken.add(col.name)
            return (col.name, desc.name)
    return (desc.name,)


def _address_score(col: _Column) -> float:
    score = _words_score(col, _ADDRESS_WORDS)
    if not score or col.values.empty or col.words & {"description", "name", "comment"}:
        return 0.0
    return score + 0.1 * col.filled


def _with_street(cols: dict[str, _Column], address: _Column) -> str | tuple[str, str]:
    """A house-number column is joined with its street column (same prefix)."""
    if address.numeric < 0.8:
        return address.name
    prefix = address.words - {"address"}
    street = [c for c in cols.values() if c.words == prefix | {"street"}]
    return (address.name, street[0].name) if street else address.name


# --- area labels -----------------------------------------------------------------


def _guess_labels(
    cols: dict[str, _Column],
    rows: pd.DataFrame,
    area_ll: gpd.GeoDataFrame | None,
    taken: set[str],
    warnings: list[str],
    guesses: dict[str, Guess],
) -> dict[str, Guess]:
    """Area-label columns scored by coverage, rows and point-in-polygon agreement
    (pipelines.ingest.draft.labels); the finest-level label and coarser levels."""
    out: dict[str, Guess] = {}
    picks = [
        c
        for c in cols.values()
        if c.name not in taken and c.words & _LEVEL_WORDS and c.distinct <= 5000
    ]
    sample = np.unique(np.linspace(0, len(rows) - 1, min(len(rows), SAMPLE_ROWS)))
    pip = _sample_pip(rows, sample.astype(int), guesses, area_ll)
    scored: list[tuple[str, LabelCandidate | None]] = []
    used: set[str] = set()
    for col in picks:
        level = _level_name(col, used)
        labels = rows[col.name].iloc[sample.astype(int)].str.strip()
        if area_ll is None:
            scored.append((level, None))
            out[f"label.{level}"] = Guess(
                LabelSpec(col.name), 0.5, "header names an area level; not checked"
            )
            continue
        cand = score_label_column(col.name, labels, area_ll, pip)
        scored.append((level, cand))
        missing = tuple(
            str(v)
            for v in rows[col.name].str.strip().unique()
            if _PLACEHOLDER.match(str(v))
            and str(v) not in cand.values
            and normalize_area_ids(pd.Series([v])).iloc[0] not in cand.values.values()
        )
        values = cand.values if cand.role == "finest" else {}
        out[f"label.{level}"] = Guess(
            LabelSpec(col.name, missing, values),
            cand.confidence,
            cand.evidence(len(area_ll)),
        )
    return out | _label_roles(scored, out, area_ll, warnings)


def _level_name(col: _Column, used: set[str]) -> str:
    """The level a label column names: its first level word ("DISTRICT_ID" ->
    district), or its whole header when that level is already taken."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", col.name)
    level = next((w.lower() for w in words if w.lower() in _LEVEL_WORDS), None)
    level = _LEVEL_ALIASES.get(level, level) if level else None
    if level is None or level in used:
        level = "_".join(w.lower() for w in re.findall(r"[A-Za-z]+", col.name))
    used.add(level)
    return level


def _sample_pip(
    rows: pd.DataFrame,
    sample: np.ndarray,
    guesses: dict[str, Guess],
    area_ll: gpd.GeoDataFrame | None,
) -> np.ndarray | None:
    """Polygon position of each sampled row's point (-1: none), or None."""
    if area_ll is None:
        return None
    if "lon" in guesses and "lat" in guesses:
        pair, crs = (guesses["lon"].value, guesses["lat"].value), None
    elif "x" in guesses and "crs" in guesses and guesses["crs"].value:
        pair, crs = (guesses["x"].value, guesses["y"].value), guesses["crs"].value
    else:
        return None
    x, y = _numbers(rows.iloc[sample], pair)  # type: ignore[arg-type]
    x, y = np.where(_usable(x, y), x, np.nan), np.where(_usable(x, y), y, np.nan)
    if crs is not None:
        x, y = Transformer.from_crs(crs, LONLAT, always_xy=True).transform(x, y)
    return point_areas(area_ll, np.asarray(x, float), np.asarray(y, float))


def _label_roles(
    scored: list[tuple[str, LabelCandidate | None]],
    labels: dict[str, Guess],
    area_ll: gpd.GeoDataFrame | None,
    warnings: list[str],
) -> dict[str, Guess]:
    """``area_label`` (the finest level's column), ``labels.levels`` (level,
    candidate) of the finest and coarser levels, ``layer.fields``."""
    if area_ll is None:
        return {}
    out: dict[str, Guess] = {}
    ranked = {c.column: (lv, c) for lv, c in scored if c is not None}
    finest = rank_finest([c for _, c in ranked.values()])
    id_field, name_field = layer_fields(area_ll)
    out["layer.fields"] = Guess(
        (id_field, name_field), 0.7 if id_field else 0.0, "unique attributes"
    )
    if finest is None:
        warnings.append(
            "no label column names most of the area layer's areas and agrees with "
            "the points: the build will assign by location only"
        )
    else:
        level = ranked[finest.column][0]
        out["area_label"] = Guess(
            finest.column, finest.confidence, labels[f"label.{level}"].evidence
        )
        for label, (area, ratio) in finest.fuzzy.items():
            warnings.append(
                f"`{finest.column}` value '{label}' matched area {area} only "
                f"fuzzily (ratio {ratio:.2f}): check the values map"
            )
    levels = [(lv, c) for lv, c in ranked.values() if c is finest]
    coarser = [(lv, c) for lv, c in ranked.values() if c.role == "coarser"]
    levels += sorted(coarser, key=lambda p: -p[1].distinct)
    out["labels.levels"] = Guess(tuple(levels), 1.0, "finest first")
    return out


# --- TOML rendering --------------------------------------------------------------


def _render(
    table: ExportTable, source: str, g: dict[str, Guess], warnings: list[str]
) -> list[str]:
    """Every section but [categories], each value under a comment saying why."""
    lines = [
        "# Source profile drafted by `beatprofile profile init` from",
        f"# {table.file_name} ({len(table.rows):,} rows, {table.encoding}).",
        "# Every value is a guess; the comment above it says what it rests on. Look at",
        "# lines marked CHECK, then try it with `beatprofile check PROFILE FILE`.",
        *(line for w in warnings for line in _comment(f"WARNING: {w}")),
        "",
        "[source]",
        f"name = {toml_value(source)}",
        *_entry("kind", g["kind"]),
        f"description = {toml_value('Drafted from ' + table.file_name)}",
    ]
    if "unique_ids" in g:
        lines += _entry("unique_ids", g["unique_ids"])
    lines += ["", "[columns]"]
    for field in _COLUMN_ORDER:
        lines += _entry(field, g[field]) if field in g else []
    for role in missing_roles(g):  # a "TODO" the loader refuses, naming the line
        lines += missing_role_lines(role)
    lines += ["", "[dates]", "# Formats are tried in turn; if none parses: bad_date."]
    for field in _COLUMN_ORDER:
        lines += _entry(field, g[f"dates.{field}"]) if f"dates.{field}" in g else []
    lines += [
        "# Dates before this are placeholders for an unknown date (bad_date).",
        'earliest = "1950-01-01"',
    ]
    return lines + _location_lines(g) + _label_lines(g) + _flag_lines(g)


# Fields that, with the id, may tell the rows of one incident apart.
_IDENTITY_FIELDS = ("offense_code", "reported_at", "occurred_at", "offense_desc")


def _guess_identity(rows: pd.DataFrame, g: dict[str, Guess]) -> Guess | None:
    """The id alone if unique (``unique_ids``), else the smallest combination of
    the id and other mapped fields that is unique in the sample."""
    if "incident_id" not in g or g.get("unique_ids", Guess(False, 0, "")).value:
        return None
    fields = [f for f in _IDENTITY_FIELDS if f in g]

    def columns(names: tuple[str, ...]) -> list[str]:
        return [c for f in names for c in _as_tuple(g[f])]

    combos = [
        ("incident_id", *extra)
        for size in range(1, len(fields) + 1)
        for extra in itertools.combinations(fields, size)
    ]
    if not combos:
        return None
    repeats = {key: int(rows.duplicated(columns(key)).sum()) for key in combos}
    key = min(combos, key=lambda k: (repeats[k], len(k)))  # smallest unique first
    if repeats[key] == 0:
        why = (
            f"`{g['incident_id'].value}` repeats; these fields together are unique "
            f"in {len(rows):,} rows (re-pulls replace the rows of a key with the "
            "export loaded last)"
        )
        return Guess(list(key), 0.5, why)
    return Guess(
        list(key),
        0.3,
        f"no combination of mapped fields is unique: with the fewest repeats, "
        f"{repeats[key]:,} rows repeat the key; they are quarantined as duplicates "
        'unless you set repeats = "separate" (if they are separate records, e.g. '
        "one row per victim)",
    )


def _identity_lines(g: dict[str, Guess], identical_rows: int) -> list[str]:
    """The ``[identity]`` section (none when the id alone is unique)."""
    if "identity.key" not in g:
        return []
    lines = ["", "[identity]", "# What makes two rows the same record."]
    if identical_rows:
        lines += _comment(
            f"CHECK: {identical_rows:,} rows are identical to another in every "
            "field; as drafted they are quarantined as duplicates; repeats = "
            '"separate" keeps them (e.g. one row per victim).'
        )
    return lines + _entry("key", g["identity.key"])


def _entry(key: str, guess: Guess) -> list[str]:
    check = "CHECK: " if guess.confidence < 0.6 else ""
    note = f"{check}{guess.evidence} (confidence {guess.confidence:.2f})"
    return [*_comment(note), f"{key} = {toml_value(guess.value)}"]


def _comment(text: str) -> list[str]:
    """``text`` as comment lines of at most 88 characters."""
    return textwrap.wrap(text, 86, initial_indent="# ", subsequent_indent="# ")


def _location_lines(g: dict[str, Guess]) -> list[str]:
    lines = ["", "[location]"]
    crs = g.get("crs")
    if crs is not None and crs.value is not None:
        lines += _entry("crs", crs)
    elif crs is not None and "x" in g:
        lines += [
            *_comment(f"CHECK: {crs.evidence}"),
            '# TODO: crs = "EPSG:...."  (the CRS of the x/y columns)',
        ]
    elif crs is not None:
        lines += _comment(
            f"{crs.evidence} (confidence {crs.confidence:.2f}); no crs needed"
        )
    if "missing_xy" in g:
        lines += ["# A pair equal to this means 'no location'."]
        lines += _entry("missing_xy", g["missing_xy"])
    return lines


def _label_lines(g: dict[str, Guess]) -> list[str]:
    """[labels]: the finest and coarser levels active (the finest with its
    values map as a sub-table), other label columns as comments."""
    active = (
        {lv for lv, _ in g["labels.levels"].value} if "labels.levels" in g else set()
    )
    finest = g["area_label"].value if "area_label" in g else None
    lines = [
        "",
        "[labels]",
        "# level = the department's own area code. The level must also be a",
        "# [[levels]] name in beatprofile.toml, or the build ignores the label.",
    ]
    others: list[str] = []
    table: list[str] = []
    for key, guess in g.items():
        if not key.startswith("label."):
            continue
        level = key.removeprefix("label.")
        spec: LabelSpec = guess.value  # type: ignore[assignment]
        missing = f", missing = {toml_value(spec.missing)}" if spec.missing else ""
        column = toml_value(spec.column)
        entry = f"{level} = {{ column = {column}{missing} }}"
        note = f"{guess.evidence} (confidence {guess.confidence:.2f})"
        if spec.column == finest:
            table = _finest_label_table(level, spec, note, g)
        elif level in active:
            check = "CHECK: a coarser level (from_label = true in beatprofile.toml); "
            lines += [*_comment(check + note), entry]
        else:
            others += [*_comment(guess.evidence), f"# {entry}"]
    if others:
        lines += ["# Other label columns: uncomment those with a level in your config"]
    return lines + others + table


def _finest_label_table(
    level: str, spec: LabelSpec, note: str, g: dict[str, Guess]
) -> list[str]:
    lines = ["", f"[labels.{level}]", *_comment(note)]
    lines.append(f"column = {toml_value(spec.column)}")
    if spec.missing:
        lines.append(f"missing = {toml_value(spec.missing)}")
    if not spec.values:
        return lines
    fuzzy = next(c.fuzzy for lv, c in g["labels.levels"].value if lv == level)
    lines += [
        "",
        f"[labels.{level}.values]",
        *_comment(
            "Labels written differently from the layer's ids, and the area id each "
            "names (matched by name or normal form; the build matches those by "
            "itself too). Fuzzy matches are marked CHECK."
        ),
    ]
    for label, area in sorted(spec.values.items()):
        mark = (
            f"  # CHECK: fuzzy match, ratio {fuzzy[label][1]:.2f}"
            if label in fuzzy
            else ""
        )
        lines.append(f"{toml_value(label)} = {toml_value(area)}{mark}")
    return lines


def _flag_lines(g: dict[str, Guess]) -> list[str]:
    lines: list[str] = []
    if "count" in g and not g["count"].evidence.endswith("(0 rows of -1)"):
        note = f"{g['count'].evidence}: a -1 row cancels the +1 row with the same id "
        lines += ["", "[reversals]", *_comment(note + "and offense code.")]
        lines += ["enabled = true"]
    if "sensitive_column" in g:
        flag: tuple[str, tuple[str, ...]] = g["sensitive_column"].value  # type: ignore[assignment]
        lines += [
            "",
            "[sensitive]",
            *_comment(g["sensitive_column"].evidence),
            f"column = {toml_value(flag[0])}",
            f"true_values = {toml_value(flag[1])}",
        ]
    if "calls.sources" in g:
        lines += ["", "[calls.sources]", *_comment(g["calls.sources"].evidence)]
        lines += [
            f"{toml_value(k)} = {toml_value(v)}"
            for k, v in g["calls.sources"].value.items()
        ]  # type: ignore[attr-defined]
    return lines


def _slug(file_name: str) -> str:
    stem = re.sub(r"\.(csv|txt)(\.gz)?$", "", file_name, flags=re.IGNORECASE)
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:40] or "source"
