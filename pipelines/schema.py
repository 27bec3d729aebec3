"""Names of the canonical incident table and the closed vocabularies, defined once."""

from __future__ import annotations

from typing import Final, Literal, get_args

# Canonical incident columns (DESIGN "Canonical incident record").
INCIDENT_ID: Final = "incident_id"
SOURCE: Final = "source"
KIND: Final = "kind"
OFFENSE_CODE: Final = "offense_code"
OFFENSE_DESC: Final = "offense_desc"
CATEGORY: Final = "category"
SENSITIVE: Final = "sensitive"
# True when a rule of the source profile (exact code, range or keyword) gave the
# category; False when only its `default` did: never classified as sensitive or
# not, so never published (pipelines.community.public).
CLASSIFIED: Final = "classified"
OCCURRED_AT: Final = "occurred_at"
REPORTED_AT: Final = "reported_at"
BLOCK_ADDRESS: Final = "block_address"
X: Final = "x"
Y: Final = "y"
LON: Final = "lon"
LAT: Final = "lat"
LOCATED: Final = "located"
COUNT: Final = "count"
FILE: Final = "file"
LINE: Final = "line"
RAW: Final = "raw"
# Call-only fields (CAD).
PRIORITY: Final = "priority"
CALL_SOURCE: Final = "call_source"
QUEUED_AT: Final = "queued_at"
DISPATCHED_AT: Final = "dispatched_at"
ARRIVED_AT: Final = "arrived_at"
CLEARED_AT: Final = "cleared_at"
UNIT: Final = "unit"
DISPOSITION: Final = "disposition"

CALL_COLUMNS: Final = (
    PRIORITY,
    CALL_SOURCE,
    QUEUED_AT,
    DISPATCHED_AT,
    ARRIVED_AT,
    CLEARED_AT,
    UNIT,
    DISPOSITION,
)

Kind = Literal["report", "call"]

# Normalized offense taxonomy (DESIGN), in display order.
CATEGORIES: Final = (
    "homicide",
    "sex offense",
    "robbery",
    "aggravated assault",
    "simple assault",
    "burglary",
    "theft",
    "theft from vehicle",
    "motor vehicle theft",
    "arson",
    "vandalism",
    "drugs",
    "weapons",
    "disorder",
    "domestic",
    "traffic",
    "fraud",
    "other",
)
SENSITIVE_CATEGORIES: Final = frozenset({"sex offense", "domestic"})
ALL_CATEGORIES: Final = "all"

# Quarantine reason codes.
QuarantineReason = Literal[
    "no_location",
    "outside_jurisdiction",
    "bad_date",
    "future_date",
    "duplicate",
    "unmapped_code",
    "unparseable_row",
    "reversal_without_original",
]
QUARANTINE_REASONS: Final = get_args(QuarantineReason)
# Rows the source profile's [filter] sets aside (not a data problem, so not a
# quarantine reason): they go to the ``filtered`` table with their raw line.
FILTERED_REASON: Final = "filtered_by_profile"

# How an incident got its area at one level.
AssignMethod = Literal["polygon", "tolerance", "label", "label_unlocated", "parent"]


def area_column(level: str) -> str:
    """Column holding the assigned area id at ``level`` (e.g. ``area_neighborhood``)."""
    return f"area_{level}"


def label_column(level: str) -> str:
    """Column holding the source's own area label at ``level``."""
    return f"label_{level}"


def method_column(level: str) -> str:
    """Column recording how the area at ``level`` was assigned."""
    return f"method_{level}"


# Each staged row's id, given once when it is staged. (DuckDB's own rowid is
# not stable: deleting a source's rows renumbers the rest at a checkpoint.)
STAGED_ROW: Final = "staged_row"

# DuckDB types of the staged rows (one per input row, before netting and areas).
STAGED_TYPES: Final = {
    STAGED_ROW: "BIGINT",
    SOURCE: "VARCHAR",
    KIND: "VARCHAR",
    FILE: "VARCHAR",
    LINE: "BIGINT",
    INCIDENT_ID: "VARCHAR",
    OFFENSE_CODE: "VARCHAR",
    OFFENSE_DESC: "VARCHAR",
    BLOCK_ADDRESS: "VARCHAR",
    OCCURRED_AT: "TIMESTAMP",
    REPORTED_AT: "TIMESTAMP",
    COUNT: "INTEGER",
    CATEGORY: "VARCHAR",
    SENSITIVE: "BOOLEAN",
    CLASSIFIED: "BOOLEAN",
    X: "DOUBLE",
    Y: "DOUBLE",
    LON: "DOUBLE",
    LAT: "DOUBLE",
    LOCATED: "BOOLEAN",
    PRIORITY: "VARCHAR",
    CALL_SOURCE: "VARCHAR",
    QUEUED_AT: "TIMESTAMP",
    DISPATCHED_AT: "TIMESTAMP",
    ARRIVED_AT: "TIMESTAMP",
    CLEARED_AT: "TIMESTAMP",
    UNIT: "VARCHAR",
    DISPOSITION: "VARCHAR",
    "updated_at": "TIMESTAMP",
    RAW: "VARCHAR",
    "issue": "VARCHAR",
    "issue_message": "VARCHAR",
}


def staged_ddl(levels: tuple[str, ...]) -> str:
    """CREATE TABLE statement for ``staged`` with a label column per level."""
    columns = {**STAGED_TYPES, **{label_column(lv): "VARCHAR" for lv in levels}}
    body = ", ".join(f'"{name}" {kind}' for name, kind in columns.items())
    return f"CREATE TABLE IF NOT EXISTS staged ({body})"
