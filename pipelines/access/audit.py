"""The append-only audit trail (CJIS 5.4 style): who did what, when, to what.

One table, ``audit_events``, in its own DuckDB file (``Settings.audit_path``),
never in the store file that ``build`` replaces, so it survives every rebuild.
There is no update or delete here except :func:`purge_expired`, which removes
only rows older than the retention; the dashboard has no edit path.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pandas as pd

from pipelines.store import AUDIT_TABLE, connect_audit

log = logging.getLogger(__name__)

EVENTS: tuple[str, ...] = (
    "sign_in_ok",
    "sign_in_failed",
    "lockout",
    "sign_out",
    "page_view",
    "access_denied",
    "incident_list_view",
    "export",
    "form_change",
    "user_change",
)

COLUMNS: tuple[str, ...] = (
    "event_id",
    "at",
    "user_name",
    "role",
    "event",
    "target",
    "outcome",
    "detail",
)
_SELECT = ", ".join(f'"{c}"' for c in COLUMNS)


def record(
    path: Path,
    event: str,
    user: str,
    role: str,
    target: str = "",
    outcome: str = "ok",
    detail: Mapping | None = None,
    at: datetime | None = None,
) -> None:
    """Append one event to the audit trail.

    Parameters
    ----------
    path : Path
        The audit trail file (``Settings.audit_path``); created if missing.
    event : str
        One of :data:`EVENTS`.
    user, role : str
        Who did it (the name typed at a failed sign-in), and their role.
    target : str
        What it was done to: a page key, a file, a user name.
    outcome : str
        ``"ok"``, ``"denied"``, ``"failed"``...
    detail : mapping, optional
        Filter values, row counts...; stored as JSON (values it cannot encode
        are stored as text). Never put a password here.
    at : datetime, optional
        When (default: now). A naive time is taken as local time.

    Raises
    ------
    ValueError
        If ``event`` is not one of :data:`EVENTS` (a programming error).
    StoreError
        If the audit file cannot be opened.

    Example
    -------
    >>> record(Path("/tmp/doc-audit.duckdb"), "page_view", "ana", "analyst",
    ...        target="hotspots", detail={"level": "beat"})
    """
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}; expected one of {EVENTS}")
    when = (at or datetime.now()).astimezone()
    payload = json.dumps(dict(detail or {}), default=str, sort_keys=True)
    with contextlib.closing(connect_audit(path)) as con:
        con.execute(
            f'INSERT INTO {AUDIT_TABLE} ("at", user_name, role, event, target, '
            "outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [when, user, role, event, target, outcome, payload],
        )
    log.debug("audit %s by %s (%s) on %r: %s", event, user, role, target, outcome)


def read_events(
    path: Path, since: date | None = None, user: str | None = None
) -> pd.DataFrame:
    """The audit events, oldest first, optionally from a day on and for one user.

    Parameters
    ----------
    path : Path
        The audit trail file; an empty table if it does not exist yet.
    since : date, optional
        Only events at or after the start of this day (local time).
    user : str, optional
        Only this user's events.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`; ``detail`` is the JSON text.

    Example
    -------
    >>> read_events(Path("/tmp/doc-audit.duckdb"), user="nobody").empty
    True
    """
    where, params = _filters(since, user)
    with contextlib.closing(connect_audit(path)) as con:
        return con.execute(
            f'SELECT {_SELECT} FROM {AUDIT_TABLE}{where} ORDER BY "at", event_id',
            params,
        ).df()


def _filters(since: date | None, user: str | None) -> tuple[str, list]:
    """The WHERE clause and parameters of :func:`read_events`."""
    clauses, params = [], []
    if since is not None:
        clauses.append('"at" >= ?')
        params.append(datetime.combine(since, time.min).astimezone())
    if user is not None:
        clauses.append("user_name = ?")
        params.append(user)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def purge_expired(path: Path, retention_days: int, now: datetime) -> int:
    """Delete the events older than ``retention_days`` before ``now``; the only delete.

    Parameters
    ----------
    path : Path
        The audit trail file.
    retention_days : int
        Keep at least this many days (``[audit] retention_days``, default 365).
    now : datetime
        The present (passed in, so tests can choose it); naive = local time.

    Returns
    -------
    int
        How many rows were deleted.

    Raises
    ------
    ValueError
        If ``retention_days`` is below 1.

    Example
    -------
    >>> purge_expired(Path("/tmp/doc-audit.duckdb"), 365, datetime(2000, 1, 1))
    0
    """
    if retention_days < 1:
        raise ValueError(f"retention_days must be at least 1; got {retention_days}")
    cutoff = now.astimezone() - timedelta(days=retention_days)
    with contextlib.closing(connect_audit(path)) as con:
        (n,) = con.execute(
            f'SELECT count(*) FROM {AUDIT_TABLE} WHERE "at" < ?', [cutoff]
        ).fetchone()
        con.execute(f'DELETE FROM {AUDIT_TABLE} WHERE "at" < ?', [cutoff])
    log.info("audit trail %s: purged %d events older than %s", path, n, cutoff)
    return int(n)
