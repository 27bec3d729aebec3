"""One update of a store at a time, across real processes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines.errors import StoreError
from pipelines.store.writer import update_lock_path, updating

REPO = Path(__file__).resolve().parents[2]
HOLD = """
import sys, time
from pathlib import Path
from pipelines.store.writer import updating
with updating(Path(sys.argv[1]), wait_seconds=0):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold_lock(store: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the store's update lock for ``seconds``."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(store), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_update_refuses_naming_the_holder(tmp_path):
    store = tmp_path / "beatprofile.duckdb"
    holder = hold_lock(store, 30)
    try:
        started = time.monotonic()
        with pytest.raises(StoreError) as caught:
            with updating(store, wait_seconds=0.5):
                pytest.fail("entered while another process updates the store")
        assert 0.5 <= time.monotonic() - started < 5
        message = str(caught.value)
        assert re.fullmatch(
            rf"the store {re.escape(str(store))} is being updated by process "
            rf"{holder.pid} since \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\S* \(-c \S+ 30\); "
            r"waited 0\.5 s\. Wait for it to finish, or run again with a longer "
            r"--wait SECONDS",
            message,
        ), message
    finally:
        holder.kill()
        holder.wait()


def test_a_second_update_waits_for_the_first_to_finish(tmp_path):
    store = tmp_path / "beatprofile.duckdb"
    holder = hold_lock(store, 1.5)
    started = time.monotonic()
    with updating(store, wait_seconds=30):
        waited = time.monotonic() - started
        assert holder.poll() is not None  # the first one had finished
    holder.wait()
    assert 0.5 < waited < 30


def test_kill_9_of_the_holder_leaves_no_stale_lock(tmp_path):
    store = tmp_path / "beatprofile.duckdb"
    holder = hold_lock(store, 300)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert update_lock_path(store).exists()  # the file stays; its lock does not
    started = time.monotonic()
    with updating(store, wait_seconds=0):
        assert time.monotonic() - started < 1


def test_the_lock_is_reentrant_within_one_process(tmp_path):
    store = tmp_path / "beatprofile.duckdb"
    with updating(store, wait_seconds=0):
        with updating(store, wait_seconds=0):
            pass
        holder_blocked = subprocess.run(
            [sys.executable, "-c", HOLD, str(store), "0"],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        assert "being updated by process" in holder_blocked.stderr
    assert hold_lock(store, 0).wait() == 0  # released on leaving the outer block
