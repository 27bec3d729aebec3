"""Column facts the drafter reads (words, value shapes) and its shared constants and types."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

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
