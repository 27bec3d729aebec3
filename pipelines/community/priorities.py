"""Residents' priorities: concerns raised at watch meetings, kept in the store.

Table ``watch_concerns`` (one row per concern): ``concern_id, meeting_date,
level, area_id, category, note, status, created_at``. The free-text ``note``
is for the organisers only: no public output reads it.

The ranking's community component reads ``community_priorities`` (``level,
area_id, category, priority``), which :func:`community_priorities_from_concerns`
derives from the open concerns:

    priority = 0.5 ** (age_days / HALF_LIFE_DAYS)

where ``age_days`` is the time from the meeting that raised the concern to
the area's latest meeting. A concern raised at the latest meeting has
priority 1; one raised three months (``HALF_LIFE_DAYS``) earlier, 0.5; six
months, 0.25. Several concerns about one (area, category) keep the highest.
Resolved and dropped concerns give no priority.

Concurrency. DuckDB allows one process with a read-write connection *or* any
number of read-only ones on a file. Writers here open the store briefly with
:func:`open_store_for_write`, which retries while another process holds it
and then fails with a message naming the fix. The dashboard keeps a read-only
connection open, so it must release it before writing (see
``dashboard.loaders.release_store``) and readers get a fresh one on the next query. A
build swaps in a new file at its end; it copies the user tables into it under
the same lock, just before the swap (:func:`pipelines.community.user_tables.carry_over`
and :func:`pipelines.community.user_tables.copy_before_swap`), so a concern recorded
during a build is never lost.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, get_args

import duckdb
import pandas as pd

from pipelines import schema as s
from pipelines.errors import ConcernError, InputFileError
from pipelines.store import open_store_for_write, table_exists

Status = Literal["open", "in progress", "resolved", "dropped"]
STATUSES: tuple[str, ...] = get_args(Status)
OPEN_STATUSES = ("open", "in progress")
HALF_LIFE_DAYS = 91.0
CONCERN_COLUMNS = (
    "concern_id",
    "meeting_date",
    "level",
    "area_id",
    "category",
    "note",
    "status",
    "created_at",
)
CONCERNS_DDL = (
    "CREATE TABLE IF NOT EXISTS watch_concerns (concern_id VARCHAR PRIMARY KEY, "
    "meeting_date DATE NOT NULL, level VARCHAR NOT NULL, area_id VARCHAR NOT NULL, "
    "category VARCHAR NOT NULL, note VARCHAR, status VARCHAR NOT NULL, "
    "created_at TIMESTAMP NOT NULL)"
)
MAX_NOTE_CHARS = 2000


@dataclass(frozen=True)
class Concern:
    """One concern raised at a watch meeting (the form's fields)."""

    meeting_date: date
    level: str
    area_id: str
    category: str
    note: str = ""
    status: str = "open"


def validate_concerns(
    frame: pd.DataFrame, known_areas: Mapping[str, Sequence[str]], source: str = "form"
) -> pd.DataFrame:
    """Check and normalise concerns; return rows ready for :func:`append_concerns`.

    Parameters
    ----------
    frame : DataFrame
        ``meeting_date, level, area_id, category`` and optionally ``note``,
        ``status`` (default ``"open"``) and ``concern_id`` (default: a hash of
        the other fields, so importing a file twice adds nothing).
    known_areas : mapping
        Area ids per level, e.g. ``{"neighborhood": ["1", "2"]}``.
    source : str
        Named in error messages (a file name, or ``"form"``).

    Returns
    -------
    DataFrame
        The columns of ``watch_concerns``, ``created_at`` set to now.

    Raises
    ------
    ConcernError
        Naming the first bad row (1 = first data row), the value found and
        what was expected.

    Examples
    --------
    >>> validate_concerns(pd.DataFrame([{"meeting_date": "2019-11-12",
    ...     "level": "neighborhood", "area_id": "15", "category": "burglary"}]),
    ...     {"neighborhood": ["15"]})["status"].tolist()
    ['open']
    """
    missing = [
        c
        for c in ("meeting_date", "level", "area_id", "category")
        if c not in frame.columns
    ]
    if missing:
        raise ConcernError(
            f"{source}: missing column(s) {missing}; expected "
            "meeting_date, level, area_id, category[, note, status]"
        )
    now = datetime.now().replace(microsecond=0)
    rows = [
        _valid_row(record, known_areas, f"{source}: row {i}", now)
        for i, record in enumerate(frame.to_dict("records"), start=1)
    ]
    return pd.DataFrame(rows, columns=list(CONCERN_COLUMNS))


def _valid_row(
    record: dict, known_areas: Mapping[str, Sequence[str]], where: str, now: datetime
) -> dict:
    """One checked concern row (see :func:`validate_concerns`)."""
    level, area = _text(record.get("level")), _area_id(record.get("area_id"))
    category = _text(record.get("category")).lower()
    status = _text(record.get("status")).lower() or "open"
    note = _text(record.get("note"))
    if level not in known_areas:
        raise ConcernError(
            f"{where}: level {level!r} is not one of {list(known_areas)}"
        )
    if area not in set(known_areas[level]):
        raise ConcernError(f"{where}: area_id {area!r} is not a {level} of the store")
    if category not in s.CATEGORIES:
        raise ConcernError(
            f"{where}: category {category!r} is not one of {list(s.CATEGORIES)}"
        )
    if status not in STATUSES:
        raise ConcernError(f"{where}: status {status!r} is not one of {list(STATUSES)}")
    if len(note) > MAX_NOTE_CHARS:
        raise ConcernError(
            f"{where}: note has {len(note)} characters; at most {MAX_NOTE_CHARS}"
        )
    row = {
        "meeting_date": _date(record.get("meeting_date"), where),
        "level": level,
        "area_id": area,
        "category": category,
        "note": note,
        "status": status,
        "created_at": now,
    }
    given = _text(record.get("concern_id"))
    row["concern_id"] = given or _concern_id(row)
    return row


def read_concerns_csv(path: Path) -> pd.DataFrame:
    """Read a concerns CSV (all columns as text).

    Raises
    ------
    InputFileError
        If the file is missing or not readable as CSV.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(
            f"{path} does not exist; pass a CSV with columns "
            "meeting_date, level, area_id, category[, note, status]"
        )
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{path} is not a readable UTF-8 CSV: {exc}") from exc


def append_concerns(con: duckdb.DuckDBPyConnection, concerns: pd.DataFrame) -> int:
    """Insert validated concerns (existing ``concern_id`` skipped); return how many.

    Also refreshes ``community_priorities`` from the open concerns.
    """
    con.execute(CONCERNS_DDL)
    con.register("_concerns", concerns[list(CONCERN_COLUMNS)])
    try:
        before = _scalar(con, "SELECT count(*) FROM watch_concerns")
        con.execute(
            "INSERT INTO watch_concerns SELECT DISTINCT ON (concern_id) * FROM "
            "_concerns WHERE concern_id NOT IN (SELECT concern_id FROM watch_concerns)"
        )
        added = _scalar(con, "SELECT count(*) FROM watch_concerns") - before
    finally:
        con.unregister("_concerns")
    refresh_community_priorities(con)
    return int(added)


def set_concern_status(
    con: duckdb.DuckDBPyConnection, concern_id: str, status: str
) -> None:
    """Change one concern's status (e.g. to ``"resolved"``) and refresh priorities.

    Raises
    ------
    ConcernError
        If the status is unknown or no concern has that id.
    """
    if status not in STATUSES:
        raise ConcernError(f"status {status!r} is not one of {list(STATUSES)}")
    con.execute(CONCERNS_DDL)
    found = _scalar(
        con, "SELECT count(*) FROM watch_concerns WHERE concern_id = ?", [concern_id]
    )
    if not found:
        raise ConcernError(f"no concern with id {concern_id!r}")
    con.execute(
        "UPDATE watch_concerns SET status = ? WHERE concern_id = ?",
        [status, concern_id],
    )
    refresh_community_priorities(con)


def read_concerns(
    con: duckdb.DuckDBPyConnection, level: str | None = None, area_id: str | None = None
) -> pd.DataFrame:
    """Concerns (newest meeting first), optionally of one level and area."""
    if not table_exists(con, "watch_concerns"):
        return pd.DataFrame(columns=list(CONCERN_COLUMNS))
    where, params = [], []
    for column, value in (("level", level), ("area_id", area_id)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    return con.execute(
        f"SELECT * FROM watch_concerns {clause} ORDER BY meeting_date DESC, created_at",
        params,
    ).df()


def community_priorities_from_concerns(
    concerns: pd.DataFrame, half_life_days: float = HALF_LIFE_DAYS
) -> pd.DataFrame:
    """``level, area_id, category, priority`` from open concerns (module docstring).

    Examples
    --------
    >>> c = pd.DataFrame({"meeting_date": pd.to_datetime(["2019-12-01", "2019-09-01"]),
    ...     "level": "n", "area_id": "1", "category": ["theft", "arson"],
    ...     "status": "open"})
    >>> community_priorities_from_concerns(c, 91)["priority"].round(2).tolist()
    [0.5, 1.0]
    """
    columns = ["level", "area_id", "category", "priority"]
    open_ = concerns[concerns["status"].isin(OPEN_STATUSES)]
    if open_.empty:
        return pd.DataFrame(
            {
                c: pd.Series(dtype="float64" if c == "priority" else "object")
                for c in columns
            }
        )
    day = pd.to_datetime(open_["meeting_date"])
    latest = (
        pd.to_datetime(concerns["meeting_date"])
        .groupby([concerns["level"], concerns["area_id"]])
        .transform("max")
        .loc[open_.index]
    )
    age = (latest - day).dt.days.clip(lower=0)
    frame = open_[["level", "area_id", "category"]].assign(
        priority=0.5 ** (age.to_numpy(dtype=float) / half_life_days)
    )
    return frame.groupby(["level", "area_id", "category"], as_index=False)[
        "priority"
    ].max()


def refresh_community_priorities(con: duckdb.DuckDBPyConnection) -> int:
    """Rewrite ``community_priorities`` from ``watch_concerns``; return its rows.

    Call before the ranking (the build's hook) so the community component
    uses the latest concerns.
    """
    con.execute(CONCERNS_DDL)
    priorities = community_priorities_from_concerns(
        con.execute("SELECT * FROM watch_concerns").df()
    )
    con.register("_priorities", priorities)
    try:
        con.execute(
            "CREATE OR REPLACE TABLE community_priorities AS SELECT "
            "level::VARCHAR AS level, area_id::VARCHAR AS area_id, "
            "category::VARCHAR AS category, priority::DOUBLE AS priority "
            "FROM _priorities"
        )
    finally:
        con.unregister("_priorities")
    return len(priorities)


def record_concern(
    store_path: Path,
    concern: Concern,
    areas: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """Validate one concern and insert it into the store file; return its id.

    ``areas`` (area ids per level) defaults to the store's own areas.

    Raises
    ------
    ConcernError
        If the concern is not valid.
    StoreError
        If the store is missing or held by another program.
    """
    frame = pd.DataFrame([concern.__dict__])
    with open_store_for_write(store_path) as con:
        checked = validate_concerns(frame, areas or known_areas(con))
        append_concerns(con, checked)
    return str(checked["concern_id"].iloc[0])


def import_concerns_csv(
    store_path: Path,
    csv_path: Path,
    areas: Mapping[str, Sequence[str]] | None = None,
) -> int:
    """``beatprofile priorities import FILE``: validate every row, then insert.

    Nothing is inserted unless every row is valid. Returns the number of new
    concerns (rows already imported are skipped).

    Raises
    ------
    InputFileError
        If the file is missing or not a readable CSV.
    ConcernError
        Naming the first bad row.
    StoreError
        If the store is missing or held by another program.

    Examples
    --------
    >>> import_concerns_csv(Path("store.duckdb"), Path("nov.csv"))  # doctest: +SKIP
    3
    """
    rows = read_concerns_csv(csv_path)
    with open_store_for_write(store_path) as con:
        checked = validate_concerns(
            rows, areas or known_areas(con), source=Path(csv_path).name
        )
        return append_concerns(con, checked)


def known_areas(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Area ids per level, from the store's ``areas`` table."""
    rows = con.execute(
        "SELECT level, area_id FROM areas ORDER BY level, area_id"
    ).fetchall()
    out: dict[str, list[str]] = {}
    for level, area in rows:
        out.setdefault(str(level), []).append(str(area))
    return out


def _date(value: object, where: str) -> date:
    try:
        stamp = pd.Timestamp(value if isinstance(value, date) else str(value).strip())
        if pd.isna(stamp):
            raise ValueError("empty")
        return stamp.date()
    except ValueError as exc:
        raise ConcernError(
            f"{where}: meeting_date {value!r} is not a date like 2019-11-12"
        ) from exc


def _text(value: object) -> str:
    """Stripped text; missing values (None, NaN) become ""."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def _area_id(value: object) -> str:
    text = _text(value)
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text


def _concern_id(row: dict) -> str:
    key = "|".join(
        str(row[c]) for c in ("meeting_date", "level", "area_id", "category", "note")
    )
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _scalar(
    con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None
) -> Any:
    """First column of the first row of a query (None when there is no row)."""
    row = con.execute(sql, params or []).fetchone()
    return None if row is None else row[0]
