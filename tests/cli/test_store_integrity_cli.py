"""The CLI on store integrity: crash leftovers, re-ingest, unsafe settings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.cli.test_cli import run_cli

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "sample"
JUNE = SAMPLE / "slmpd" / "june2019.csv.gz"
PROFILE = REPO / "profiles" / "stlouis_slmpd.toml"


def _config(tmp_path: Path, extra: str = "") -> Path:
    """The sample config reading June 2019 only, with absolute paths."""
    config = tmp_path / "beatprofile.toml"
    config.write_text(
        (SAMPLE / "beatprofile.toml")
        .read_text()
        .replace('"slmpd/*.csv.gz"', f'"{JUNE}"')
        .replace('"../../profiles/', f'"{REPO}/profiles/')
        .replace('polygons = "', f'polygons = "{SAMPLE}/')
        .replace('file = "population', f'file = "{SAMPLE}/population')
        + extra
    )
    return config


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _leftovers(store: Path) -> tuple[Path, Path, Path]:
    dead = store.with_name(f".{store.name}.building-{_dead_pid()}")
    dead.write_bytes(b"x" * 1000)
    Path(str(dead) + ".wal").write_bytes(b"y" * 500)
    live = store.with_name(f".{store.name}.building-{os.getpid()}")
    live.write_bytes(b"z")
    return dead, Path(str(dead) + ".wal"), live


def test_build_removes_leftovers_of_dead_builds_and_says_so(tmp_path):
    store = tmp_path / "s.duckdb"
    dead, wal, live = _leftovers(store)
    pid = dead.name.rsplit("-", 1)[1]
    result = run_cli("build", "--config", str(_config(tmp_path)), "--store", str(store))
    assert result.returncode == 0, result.stderr
    assert (
        f"Removed {dead.name} and its WAL (1.5 kB), left by build process {pid}, "
        "which ended without finishing." in result.stdout
    )
    assert not dead.exists() and not wal.exists()
    assert live.exists()  # that process is still running: not ours to touch
    assert live.name not in result.stdout


def test_check_reports_leftovers_without_removing_them(tmp_path):
    store = tmp_path / "s.duckdb"
    dead, wal, live = _leftovers(store)
    pid = dead.name.rsplit("-", 1)[1]
    result = run_cli(
        "check",
        str(PROFILE),
        str(JUNE),
        "--config",
        str(_config(tmp_path)),
        env={"BEATPROFILE_STORE": str(store)},
    )
    assert result.returncode == 0, result.stderr
    assert (
        f"Found {dead.name} and its WAL (1.5 kB), left by build process {pid}, "
        "which ended without finishing; the next build removes it." in result.stdout
    )
    assert dead.exists() and wal.exists() and live.exists()


def test_ingest_of_an_already_loaded_file_changes_nothing_and_says_so(tmp_path):
    store = tmp_path / "s.duckdb"
    config = str(_config(tmp_path))
    first = run_cli("build", "--config", config, "--store", str(store))
    assert first.returncode == 0, first.stderr
    before = store.stat()
    again = run_cli(
        "ingest",
        str(JUNE),
        "--profile",
        str(PROFILE),
        "--config",
        config,
        "--store",
        str(store),
    )
    assert again.returncode == 0, again.stderr
    assert re.fullmatch(
        rf"{re.escape(JUNE.name)}: already loaded on \d{{4}}-\d\d-\d\d \d\d:\d\d; "
        r"nothing to do\.\n",
        again.stdout,
    ), again.stdout
    after = store.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_public_min_count_below_2_is_refused(tmp_path):
    config = _config(tmp_path)
    config.write_text(config.read_text().replace("min_count = 3", "min_count = 0"))
    result = run_cli("build", "--config", str(config), "--store", str(tmp_path / "s"))
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: {config}: [public] min_count was 0 but must be at least 2: below "
        "that, public output shows counts of a single incident; set min_count = 3 "
        "(the default) or higher\n"
    )
