"""``beatprofile users`` and ``beatprofile audit`` through the entry point, and
the audit rows the CLI's exports write."""

from __future__ import annotations

import csv
import getpass
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from pipelines.access import audit

PASSWORD = "a long pass phrase 42"
BASE = """
[department]
analysis_crs = "EPSG:26996"
[store]
path = "store/beatprofile.duckdb"
[[levels]]
name = "beat"
polygons = "beats.geojson"
[auth]
method = "local"
users_file = "users.json"
"""


def run_cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "beatprofile", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=300,
    )


@pytest.fixture
def config(tmp_path) -> Path:
    path = tmp_path / "beatprofile.toml"
    path.write_text(BASE, encoding="utf-8")
    return path


def _add(config: Path, name: str, role: str) -> subprocess.CompletedProcess:
    return run_cli(
        "users", "add", name, "--role", role, "--password-stdin",
        "--config", str(config), stdin=PASSWORD + "\n",
    )  # fmt: skip


def test_users_add_with_password_stdin_stores_a_hash_only(config, tmp_path):
    result = _add(config, "ana", "analyst")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Added ana (analyst) to {tmp_path / 'users.json'}.\n"
    text = (tmp_path / "users.json").read_text()
    assert json.loads(text)["users"]["ana"]["hash"].startswith("$argon2id$")
    assert PASSWORD not in text + result.stdout + result.stderr


def test_users_add_from_the_hidden_prompt_typed_twice(config, tmp_path):
    result = run_cli(
        "users", "add", "bob", "--role", "commander", "--config", str(config),
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert PASSWORD not in result.stdout
    assert "Repeat for confirmation" in result.stdout
    assert json.loads((tmp_path / "users.json").read_text())["users"]["bob"]["role"]


def test_users_list_shows_names_and_roles_but_no_hash(config):
    _add(config, "ana", "analyst")
    _add(config, "cmd", "commander")
    result = run_cli("users", "list", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "ana" in result.stdout and "commander" in result.stdout
    assert "argon2" not in result.stdout and "$" not in result.stdout


def test_every_user_change_writes_an_audit_row_and_audit_csv_writes_them(
    config, tmp_path
):
    _add(config, "ana", "analyst")
    for args in (["set-role", "ana", "admin"], ["unlock", "ana"], ["remove", "ana"]):
        result = run_cli("users", *args, "--config", str(config))
        assert result.returncode == 0, result.stderr
    out_csv = tmp_path / "trail.csv"
    result = run_cli("audit", "--csv", str(out_csv), "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Wrote 4 audit event(s) to {out_csv}.\n"
    with out_csv.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["event"] for r in rows] == ["user_change"] * 4
    assert [json.loads(r["detail"])["change"] for r in rows] == [
        "add",
        "set_role",
        "unlock",
        "remove",
    ]
    assert {(r["user_name"], r["role"], r["target"]) for r in rows} == {
        (getpass.getuser(), "admin-cli", "ana")
    }
    events = audit.read_events(tmp_path / "store" / "beatprofile-audit.duckdb")
    assert list(events["event"]) == ["user_change"] * 4 + ["export"]
    assert json.loads(events["detail"].iloc[-1])["rows"] == 4
    assert events["target"].iloc[-1] == str(out_csv)


def test_audit_prints_a_table_filtered_by_user_and_day(config, tmp_path):
    trail = tmp_path / "store" / "beatprofile-audit.duckdb"
    audit.record(trail, "page_view", "ana", "analyst", target="hotspots")
    audit.record(trail, "sign_in_failed", "bob", "", outcome="failed")
    result = run_cli("audit", "--user", "bob", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "sign_in_failed" in result.stdout and "hotspots" not in result.stdout
    tomorrow = (datetime.now() + timedelta(days=1)).date().isoformat()
    later = run_cli("audit", "--since", tomorrow, "--config", str(config))
    assert later.stdout == f"No audit events in {trail} match.\n"


def test_audit_purge_applies_the_retention(config, tmp_path):
    trail = tmp_path / "store" / "beatprofile-audit.duckdb"
    now = datetime.now().astimezone()
    audit.record(trail, "page_view", "old", "analyst", at=now - timedelta(days=400))
    audit.record(trail, "page_view", "new", "analyst", at=now - timedelta(days=300))
    result = run_cli("audit", "--purge", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Purged 1 event(s) older than 365 days from {trail}.\n"
    assert list(audit.read_events(trail)["user_name"]) == ["new"]


@pytest.mark.parametrize(
    ("args", "stdin", "stderr"),
    [
        (
            ["users", "set-role", "ana", "boss"],
            "",
            "Error: unknown role 'boss'; the roles are analyst, commander, "
            "organizer, admin\n",
        ),
        (
            ["users", "add", "bob", "--role", "analyst", "--password-stdin"],
            "\n",
            "Error: the password for 'bob' is empty; type a password\n",
        ),
        (
            ["audit", "--since", "last week"],
            "",
            "Error: --since was 'last week'; expected a date like 2025-01-31\n",
        ),
    ],
)
def test_bad_input_is_one_error_line(config, args, stdin, stderr):
    _add(config, "ana", "analyst")
    result = run_cli(*args, "--config", str(config), stdin=stdin)
    assert (result.returncode, result.stderr) == (1, stderr)


def test_a_corrupt_user_file_is_an_error_with_the_fix(config, tmp_path):
    (tmp_path / "users.json").write_bytes(b"\x00\xffnot json")
    result = run_cli("users", "list", "--config", str(config))
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"Error: {tmp_path / 'users.json'} is not a beatprofile user file (cannot be "
        "read as JSON"
    )
    assert result.stderr.endswith(
        "restore it from backup or remove it and add users again with "
        "`beatprofile users add`\n"
    )


@pytest.mark.parametrize(
    "command",
    ["users add", "users list", "users remove", "users set-role", "users unlock",
     "audit"],
)  # fmt: skip
def test_the_new_commands_have_help_with_an_example(command):
    result = run_cli(*command.split(), "--help")
    assert result.returncode == 0
    assert f"Example: beatprofile {command}" in result.stdout


def test_a_cli_packet_export_is_checked_and_audited(sample_store, tmp_path):
    pdf = tmp_path / "packet.pdf"
    result = run_cli(
        "report", "packet", "--week", "2019-12-29", "--out", str(pdf),
        "--store", str(sample_store),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    trail = sample_store.with_name(f"{sample_store.stem}-audit.duckdb")
    row = audit.read_events(trail).iloc[-1]
    assert (row["event"], row["role"], row["target"]) == ("export", "analyst", str(pdf))
    detail = json.loads(row["detail"])
    assert detail["action"] == "export_packet"
    assert detail["pages"] > 0 and detail["week_end"] == "2019-12-29"
