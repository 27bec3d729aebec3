"""The audit trail's own DuckDB file: never the store file a build replaces."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from pipelines.errors import StoreError

AUDIT_TABLE = "audit_events"
"""The audit trail's table; its column ``at`` is a DuckDB keyword: quote it."""
# The audit trail's layout, defined once; event_id comes from a sequence.
_AUDIT_DDL = (
    "CREATE SEQUENCE IF NOT EXISTS audit_event_seq",
    f"CREATE TABLE IF NOT EXISTS {AUDIT_TABLE} ("
    "event_id BIGINT DEFAULT nextval('audit_event_seq'), \"at\" TIMESTAMPTZ, "
    "user_name VARCHAR, role VARCHAR, event VARCHAR, target VARCHAR, "
    "outcome VARCHAR, detail VARCHAR)",
)


def connect_audit(path: Path, timeout: float = 5.0) -> duckdb.DuckDBPyConnection:
    """Open (creating if missing) the audit trail file; the caller closes it.

    The audit trail is its own DuckDB file, never the store a build replaces.
    Connections are meant to be short-lived (one per write or read); while
    another process holds the file this retries every 0.1 s for ``timeout``
    seconds.

    Raises
    ------
    StoreError
        If the folder cannot be created, the file is not a DuckDB file, or it
        is still held by another process after ``timeout`` seconds.

    Example
    -------
    >>> con = connect_audit(Path("/tmp/doc-audit.duckdb")); con.close()
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create the audit folder {path.parent}: {exc}"
        ) from exc
    deadline = time.monotonic() + timeout
    while True:
        try:
            con = duckdb.connect(str(path))
            break
        except duckdb.Error as exc:
            held = "lock" in str(exc).lower()
            if held and time.monotonic() < deadline:
                time.sleep(0.1)
                continue
            raise StoreError(_audit_problem(path, exc, held)) from exc
    for statement in _AUDIT_DDL:
        con.execute(statement)
    return con


def _audit_problem(path: Path, exc: Exception, held: bool) -> str:
    """The message for an audit file that cannot be opened."""
    if held:
        return (
            f"cannot open the audit trail {path}: another program holds it ({exc}); "
            "close that program (or wait for it to finish) and retry"
        )
    return (
        f"{path} is not a beatprofile audit trail ({exc}); move it aside (keep it "
        "for the record) so a new one is started, or set [audit] path to another file"
    )
