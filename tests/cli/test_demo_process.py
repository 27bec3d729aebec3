"""`beatprofile demo` as a user runs it: it says where its store is, and a
SIGTERM to it (what a service manager or `kill` sends) stops its Streamlit
server too, so the port is free again."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.browser.harness import free_port

REPO = Path(__file__).resolve().parents[2]


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait_healthy(proc: subprocess.Popen, port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"demo exited early with {proc.returncode}"
        with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError):
            url = f"http://127.0.0.1:{port}/_stcore/health"
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        time.sleep(0.3)
    raise AssertionError(f"demo not healthy on port {port} after {timeout:.0f}s")


def test_sigterm_to_the_demo_stops_its_streamlit_server(sample_store, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "BEATPROFILE_STORE": str(sample_store),
    }
    log = tmp_path / "demo.log"
    with open(log, "wb") as out:
        # Its own session, so the cleanup below can reach anything left behind.
        demo = subprocess.Popen(
            [sys.executable, "-m", "beatprofile", "demo", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_healthy(demo, port)
        demo.send_signal(signal.SIGTERM)  # the parent only, as `kill PID` does
        demo.wait(timeout=15)
        deadline = time.monotonic() + 5
        while _listening(port) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _listening(port), (
            f"port {port} still answers after the demo got SIGTERM; log:\n"
            + log.read_text(errors="replace")[-2000:]
        )
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(demo.pid, signal.SIGKILL)
    printed = log.read_text(errors="replace")
    assert f"Store: {sample_store}" in printed
    assert f"Dashboard: http://127.0.0.1:{port}" in printed
