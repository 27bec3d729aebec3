"""STAND-IN (h14c) of h14a's audit module, to the issue-14 shared design."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd

EVENTS = (
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
_DDL = (
    "CREATE TABLE IF NOT EXISTS audit_events(event_id BIGINT, \"at\" TIMESTAMPTZ, "
    "user_name VARCHAR, role VARCHAR, event VARCHAR, target VARCHAR, "
    "outcome VARCHAR, detail VARCHAR)"
)


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(50):
        try:
            con = duckdb.connect(str(path))
            con.execute(_DDL)
            return con
        except duckdb.IOException:
            time.sleep(0.1)
    con = duckdb.connect(str(path))
    con.execute(_DDL)
    return con


def record(
    path: Path,
    event: str,
    user: str,
    role: str,
    target: str = "",
    outcome: str = "ok",
    detail: Mapping | None = None,
) -> None:
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    con = _connect(path)
    try:
        con.execute(
            "INSERT INTO audit_events SELECT coalesce(max(event_id), 0) + 1, "
            "now(), ?, ?, ?, ?, ?, ? FROM audit_events",
            [
                user,
                role,
                event,
                target,
                outcome,
                json.dumps(dict(detail or {}), default=str),
            ],
        )
    finally:
        con.close()


def read_events(
    path: Path, since: date | None = None, user: str | None = None
) -> pd.DataFrame:
    con = _connect(path)
    try:
        sql, args = "SELECT * FROM audit_events WHERE true", []
        if since is not None:
            sql, args = sql + " AND \"at\" >= ?", [*args, since]
        if user:
            sql, args = sql + " AND user_name = ?", [*args, user]
        return con.execute(sql + " ORDER BY event_id", args).df()
    finally:
        con.close()


def purge_expired(path: Path, retention_days: int, now: datetime) -> int:
    con = _connect(path)
    try:
        cut = now - timedelta(days=retention_days)
        n = con.execute(
            "SELECT count(*) FROM audit_events WHERE \"at\" < ?", [cut]
        ).fetchone()[0]
        con.execute("DELETE FROM audit_events WHERE \"at\" < ?", [cut])
        return int(n)
    finally:
        con.close()
