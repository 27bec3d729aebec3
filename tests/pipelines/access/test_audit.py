"""The audit trail: every event type round-trips, filters, retention, and the
trail survives a rebuild of the store (it lives in its own file)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from pipelines.access import audit
from pipelines.build import run_build
from pipelines.catalog import REPO_ROOT, SAMPLE_CONFIG
from pipelines.settings import load_settings
from pipelines.store import connect_audit

T0 = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)


def test_every_event_type_round_trips(tmp_path):
    path = tmp_path / "audit.duckdb"
    for i, event in enumerate(audit.EVENTS):
        audit.record(
            path,
            event,
            f"user{i}",
            "analyst",
            target=f"target {event}",
            outcome="ok" if i % 2 else "denied",
            detail={"rows": i, "filters": {"level": "beat", "months": [1, 2]}},
            at=T0 + timedelta(minutes=i),
        )
    events = audit.read_events(path)
    assert list(events.columns) == list(audit.COLUMNS)
    assert list(events["event"]) == list(audit.EVENTS)
    assert list(events["user_name"]) == [f"user{i}" for i in range(len(audit.EVENTS))]
    assert list(events["target"]) == [f"target {e}" for e in audit.EVENTS]
    assert list(events["outcome"]) == ["denied", "ok"] * 5
    assert [json.loads(d)["rows"] for d in events["detail"]] == list(range(10))
    assert json.loads(events["detail"][3])["filters"] == {
        "level": "beat",
        "months": [1, 2],
    }
    assert events["event_id"].is_unique
    assert [t.to_pydatetime() for t in events["at"]] == [
        T0 + timedelta(minutes=i) for i in range(10)
    ]


def test_the_issue_names_these_ten_event_types():
    assert audit.EVENTS == (
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


def test_an_unknown_event_is_a_programming_error(tmp_path):
    with pytest.raises(ValueError, match="unknown audit event 'page_veiw'"):
        audit.record(tmp_path / "a.duckdb", "page_veiw", "ana", "analyst")
    assert audit.read_events(tmp_path / "a.duckdb").empty


def test_read_events_filters_by_day_and_user(tmp_path):
    path = tmp_path / "audit.duckdb"
    local = datetime(2025, 6, 1, 23, 30).astimezone()
    audit.record(path, "page_view", "ana", "analyst", at=local)
    audit.record(path, "page_view", "bob", "commander", at=local + timedelta(hours=1))
    audit.record(path, "export", "ana", "analyst", at=local + timedelta(days=3))
    assert len(audit.read_events(path)) == 3
    june2 = audit.read_events(path, since=date(2025, 6, 2))
    assert list(june2["user_name"]) == ["bob", "ana"]
    assert list(audit.read_events(path, user="ana")["event"]) == [
        "page_view",
        "export",
    ]
    both = audit.read_events(path, since=date(2025, 6, 2), user="ana")
    assert list(both["event"]) == ["export"]
    assert audit.read_events(path, user="nobody").empty


def test_purge_expired_removes_only_rows_older_than_the_retention(tmp_path):
    path = tmp_path / "audit.duckdb"
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    for days in (400, 366, 364, 1):
        audit.record(
            path, "page_view", f"d{days}", "analyst", at=now - timedelta(days=days)
        )
    audit.record(
        path,
        "page_view",
        "edge",
        "analyst",
        at=now - timedelta(days=365) + timedelta(seconds=1),
    )
    assert audit.purge_expired(path, 365, now) == 2
    assert sorted(audit.read_events(path)["user_name"]) == ["d1", "d364", "edge"]
    assert audit.purge_expired(path, 365, now) == 0
    with pytest.raises(ValueError, match="retention_days must be at least 1"):
        audit.purge_expired(path, 0, now)


def test_a_file_that_is_not_duckdb_is_a_store_error_with_the_fix(tmp_path):
    from pipelines.errors import StoreError

    path = tmp_path / "audit.duckdb"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="is not a beatprofile audit trail .*move"):
        audit.record(path, "page_view", "ana", "analyst")


def _sample_config_in(folder: Path) -> Path:
    """The bundled sample config copied to ``folder`` (paths made absolute)."""
    sample = SAMPLE_CONFIG.parent
    text = SAMPLE_CONFIG.read_text(encoding="utf-8")
    for old, new in {
        '"../../profiles/': f'"{REPO_ROOT / "profiles"}/',
        '"slmpd/': f'"{sample / "slmpd"}/',
        '"neighborhoods.geojson"': f'"{sample / "neighborhoods.geojson"}"',
        '"population_by_neighborhood.csv"': (
            f'"{sample / "population_by_neighborhood.csv"}"'
        ),
        "~/.beatprofile/sample/beatprofile.duckdb": "store/beatprofile.duckdb",
    }.items():
        assert old in text
        text = text.replace(old, new)
    text += '\n[audit]\npath = "trail/audit.duckdb"\nretention_days = 400\n'
    config = folder / "beatprofile.toml"
    config.write_text(text, encoding="utf-8")
    return config


def _snapshot(path: Path):
    con = connect_audit(path)
    try:
        return con.execute("SELECT * FROM audit_events").df()
    finally:
        con.close()


def test_the_audit_trail_is_identical_before_and_after_a_build(tmp_path):
    settings = load_settings(_sample_config_in(tmp_path))
    assert settings.audit_path == tmp_path / "trail" / "audit.duckdb"
    assert settings.audit_retention_days == 400
    run_build(settings)
    for i, event in enumerate(audit.EVENTS):
        audit.record(settings.audit_path, event, "ana", "analyst", detail={"i": i})
    before = _snapshot(settings.audit_path)
    store_inode = settings.store_path.stat().st_ino
    run_build(settings)
    assert settings.store_path.stat().st_ino != store_inode, "the store was replaced"
    con = connect_audit(settings.audit_path)
    try:
        con.register("before", before)
        only_before = con.execute(
            "SELECT * FROM before EXCEPT ALL SELECT * FROM audit_events"
        ).fetchall()
        only_after = con.execute(
            "SELECT * FROM audit_events EXCEPT ALL SELECT * FROM before"
        ).fetchall()
        (n,) = con.execute("SELECT count(*) FROM audit_events").fetchone()
    finally:
        con.close()
    assert (only_before, only_after, n) == ([], [], len(audit.EVENTS))


def test_a_write_waits_while_another_process_holds_the_audit_file(tmp_path):
    import subprocess
    import sys
    import time

    path = tmp_path / "audit.duckdb"
    audit.record(path, "sign_in_ok", "ana", "analyst")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
            "print('held', flush=True); time.sleep(1.5); con.close()",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        audit.record(path, "sign_out", "ana", "analyst")
        waited = time.monotonic() - started
    finally:
        holder.wait(timeout=30)
    assert waited > 0.5, "the other process held the file: the write had to wait"
    assert list(audit.read_events(path)["event"]) == ["sign_in_ok", "sign_out"]
