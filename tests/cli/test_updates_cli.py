"""``ingest`` of files already loaded, the drop folder, and two updates at once,
through the entry point on real St. Louis (and one Chicago) exports."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.store.writer import update_lock_path
from tests.cli.test_cli import run_cli
from tests.conftest import requires_shared_data
from tests.update_helpers import (
    CHICAGO,
    PROFILE,
    RAW,
    build_base,
    copy_department,
    table_differences,
)

pytestmark = requires_shared_data()
LINE = (
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d (?P<file>\S+) (?P<outcome>loaded|already "
    r"loaded|rejected) rows=(?P<rows>\d+) seconds=\d+\.\d(?: reason: (?P<why>.*))?"
)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    folder = tmp_path_factory.mktemp("base") / "dept"
    build_base(folder)
    return folder


@pytest.fixture
def dept(base, tmp_path):
    return copy_department(base, tmp_path / "dept")


def ingest(settings, *args: str) -> subprocess.CompletedProcess:
    return run_cli("ingest", *args, "--config", str(settings.config_path))


def test_ingest_of_a_loaded_file_says_when_and_changes_nothing(dept, tmp_path):
    before = dept.store_path.read_bytes()
    exports = dept.config_path.parent / "exports"
    renamed = tmp_path / "reexport.csv"
    shutil.copy(exports / "october2019.csv", renamed)
    started = time.monotonic()
    result = ingest(
        dept, str(exports / "october2019.csv"), str(renamed), "--profile", str(PROFILE)
    )
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(
        r"october2019\.csv: already loaded on \d{4}-\d\d-\d\d \d\d:\d\d; nothing to "
        r"do\.\nreexport\.csv: same content as october2019\.csv, already loaded on "
        r"\S+ \S+ as october2019\.csv; nothing to do\.\n",
        result.stdout,
    ), result.stdout
    assert result.stderr == ""
    assert dept.store_path.read_bytes() == before  # no swap, no new file
    assert not [p for p in dept.store_path.parent.iterdir() if ".building-" in p.name]
    assert seconds < 10  # measured ~1 s; the full path took 5-12 s


def test_a_corrected_reexport_of_the_same_name_is_loaded(dept, tmp_path):
    corrected = tmp_path / "october2019.csv"
    lines = (RAW / "october2019.csv").read_bytes().splitlines(keepends=True)
    corrected.write_bytes(b"".join(lines[:-1]))
    result = ingest(dept, str(corrected), "--profile", str(PROFILE))
    assert result.returncode == 0, result.stderr
    assert "already loaded" not in result.stdout
    assert result.stdout.startswith(f"Store {dept.store_path}: read 8,565 rows")


def test_ingest_needs_files_and_a_profile_or_a_drop_folder(dept):
    result = ingest(dept)
    assert result.returncode == 1
    assert result.stderr == (
        "Error: name the export files and their --profile (e.g. beatprofile ingest "
        "january2020.csv --profile profiles/stlouis_slmpd.toml), or give "
        "--from-dir DIR\n"
    )
    both = ingest(dept, "x.csv", "--from-dir", "drop")
    assert both.returncode == 1
    assert (
        both.stderr == "Error: give either export files or --from-dir DIR, not both\n"
    )


def drop(dept, name: str, data: bytes) -> Path:
    path = dept.config_path.parent / "drop" / name
    path.write_bytes(data)
    return path


def test_drop_folder_rejects_bad_files_and_leaves_the_store_unchanged(dept, tmp_path):
    folder = dept.config_path.parent / "drop"
    december = (RAW / "december2019.csv").read_bytes()
    drop(dept, "december2019.csv", december[: len(december) // 2])  # truncated
    drop(dept, CHICAGO.name, CHICAGO.read_bytes())  # matches the pattern: wrong layout
    drop(dept, "notes.txt", b"not an export\n")  # matches no pattern
    drop(dept, "january2020.csv.part", december)  # still downloading
    drop(dept, ".december2019.csv.swp", december)  # an editor's file
    before = tmp_path / "before.duckdb"
    shutil.copy(dept.store_path, before)

    result = ingest(dept, "--from-dir", str(folder), "--settle", "0")

    assert result.returncode == 1
    lines = [re.fullmatch(LINE, line) for line in result.stdout.splitlines()]
    assert all(lines), result.stdout
    assert sorted((m["file"], m["outcome"], m["rows"]) for m in lines) == [
        ("december2019.csv", "rejected", "0"),
        (CHICAGO.name, "rejected", "0"),
        ("notes.txt", "rejected", "0"),
    ]
    assert result.stderr == (
        f"Error: 3 of 3 files in {folder} were rejected; each one's reason is in "
        f"{folder / 'rejected'}/<file>.reason.txt\n"
    )
    rejected = folder / "rejected"
    reasons = {p.name: p.read_text() for p in rejected.iterdir() if p.suffix == ".txt"}
    assert reasons["december2019.csv.reason.txt"].startswith(
        "Error: december2019.csv: the file looks truncated: its last line has "
    )
    assert "column 'Complaint' not found" in reasons[f"{CHICAGO.name}.reason.txt"]
    assert reasons["notes.txt.reason.txt"].startswith(
        "Error: notes.txt: no [[sources]] file pattern of "
        f"{dept.config_path} matches this file name (patterns: "
        "'*[0-9][0-9][0-9][0-9].csv' (stlouis_slmpd.toml)); rename the file or "
    )
    assert sorted(p.name for p in folder.iterdir()) == [
        ".december2019.csv.swp",
        "january2020.csv.part",
        "rejected",
    ]
    assert table_differences(before, dept.store_path) == {}
    assert dept.store_path.read_bytes() == before.read_bytes()


def test_drop_folder_loads_a_new_month_and_files_a_repeat(dept):
    folder = dept.config_path.parent / "drop"
    drop(dept, "november2019.csv", (RAW / "november2019.csv").read_bytes())
    drop(dept, "reexport-october2019.csv", (RAW / "october2019.csv").read_bytes())
    result = ingest(dept, "--from-dir", str(folder), "--settle", "0")
    matches = [re.fullmatch(LINE, line) for line in result.stdout.splitlines()]
    assert all(matches), result.stdout
    got = {m["file"]: (m["outcome"], m["rows"]) for m in matches}
    assert result.returncode == 0, result.stderr
    assert got == {
        "november2019.csv": ("loaded", "3803"),
        "reexport-october2019.csv": ("already loaded", "4283"),
    }
    assert sorted(p.name for p in (folder / "loaded").iterdir()) == [
        "november2019.csv",
        "reexport-october2019.csv",
    ]
    assert sorted(p.name for p in folder.iterdir()) == ["loaded"]
    con = duckdb.connect(str(dept.store_path), read_only=True)
    files = dict(con.execute("SELECT file, rows FROM files").fetchall())
    con.close()
    assert files == {"october2019.csv": 4283, "november2019.csv": 3803}


def test_a_file_still_being_written_is_left_for_the_next_pass(dept):
    folder = dept.config_path.parent / "drop"
    drop(dept, "november2019.csv", (RAW / "november2019.csv").read_bytes())
    result = ingest(dept, "--from-dir", str(folder), "--settle", "3600")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert sorted(p.name for p in folder.iterdir()) == ["november2019.csv"]


def test_two_updates_at_once_the_second_refuses_and_the_store_is_whole(dept):
    exports = dept.config_path.parent / "exports"
    shutil.copy(RAW / "november2019.csv", exports / "november2019.csv")
    first = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "beatprofile",
            "build",
            "--config",
            str(dept.config_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lock = update_lock_path(dept.store_path)
    deadline = time.monotonic() + 60
    while not (lock.is_file() and lock.read_text().startswith(f"{first.pid}\n")):
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.05)
    second = run_cli("build", "--config", str(dept.config_path), "--wait", "0")
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    assert second.returncode == 1
    assert re.fullmatch(
        rf"Error: the store {re.escape(str(dept.store_path))} is being updated by "
        rf"process {first.pid} since \S+ \(beatprofile build --config "
        rf"{re.escape(str(dept.config_path))}\); waited 0 s\. Wait for it to "
        r"finish, or run again with a longer --wait SECONDS\n",
        second.stderr,
    ), second.stderr
    con = duckdb.connect(str(dept.store_path), read_only=True)
    assert con.execute("SELECT sum(rows) FROM files").fetchone()[0] == 4283 + 3803
    con.close()
    assert os.listdir(dept.store_path.parent) == [
        n for n in os.listdir(dept.store_path.parent) if ".building-" not in n
    ]


def test_watch_loads_a_file_dropped_between_two_looks(dept):
    folder = dept.config_path.parent / "drop"
    drop(dept, "november2019.csv", (RAW / "november2019.csv").read_bytes())
    result = run_cli(
        "watch",
        str(folder),
        "--config",
        str(dept.config_path),
        "--settle",
        "0",
        "--interval",
        "0",
        "--passes",
        "2",
    )
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()  # the second look finds nothing new
    assert re.fullmatch(LINE, line)["outcome"] == "loaded"
    assert (folder / "loaded" / "november2019.csv").is_file()


def test_ingest_of_a_loaded_file_imports_no_analysis_library(dept):
    """What keeps it under a second: pandas, geopandas, pyproj are never imported."""
    script = (
        "import sys\n"
        "from beatprofile.cli import main\n"
        "sys.argv = ['beatprofile', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('pandas', 'geopandas', 'pyproj', 'numpy') "
        "if m in sys.modules))\n"
    )
    exports = dept.config_path.parent / "exports"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            "ingest",
            str(exports / "october2019.csv"),
            "--profile",
            str(PROFILE),
            "--config",
            str(dept.config_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]", result.stdout
    assert "already loaded on" in result.stdout
