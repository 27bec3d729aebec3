"""No sign-in means loopback only: `serve` refuses other addresses, and a bare
`streamlit run dashboard/app.py` from the repo root binds 127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from beatprofile.commands.serve import check_address
from beatprofile.server import streamlit_command
from pipelines.catalog import SAMPLE_CONFIG
from pipelines.errors import ConfigError
from pipelines.settings import load_settings
from tests.browser.harness import free_port

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "beatprofile", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )


def test_serve_on_a_network_address_without_sign_in_refuses_with_the_fix(tmp_path):
    store = tmp_path / "store.duckdb"
    store.write_bytes(b"")  # serve only checks that a store exists before this
    result = run_cli("serve", "--store", str(store), "--address", "0.0.0.0")
    assert result.returncode == 1
    assert result.stdout + result.stderr == (
        "Error: refusing to serve on 0.0.0.0 with no sign-in ([auth] method is "
        f'"none" in {SAMPLE_CONFIG}): anyone who reaches that address would see '
        'incident details. Set [auth] method = "local" (and add users with '
        '`beatprofile users add`) or "oidc", serve on 127.0.0.1, or pass '
        "--insecure-no-auth\n"
    )


def test_insecure_no_auth_or_loopback_or_sign_in_lets_serve_start(tmp_path):
    settings = load_settings(SAMPLE_CONFIG, store=tmp_path / "s.duckdb")
    check_address(settings, "0.0.0.0", insecure_no_auth=True)
    check_address(settings, "127.0.0.1", insecure_no_auth=False)
    with pytest.raises(ConfigError, match="refusing to serve on 10.1.2.3"):
        check_address(settings, "10.1.2.3", insecure_no_auth=False)
    assert "--insecure-no-auth" in streamlit_command(8501, insecure_no_auth=True)
    assert "--insecure-no-auth" not in streamlit_command(8501)


def _listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as in /proc/net/tcp*) with a LISTEN socket on port."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError):
            for line in Path(table).read_text().splitlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                address, hex_port = local.split(":")
                if state == "0A" and int(hex_port, 16) == port:
                    found.add(address)
    return found


def test_streamlit_run_from_the_repo_root_listens_on_loopback_only():
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "dashboard/app.py",
            "--server.port",
            str(port),
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/_stcore/health", timeout=2
                )
                break
            time.sleep(0.3)
        else:
            pytest.fail("streamlit did not start")
        # 0100007F is 127.0.0.1 in /proc/net/tcp; 0.0.0.0 / :: would be all interfaces.
        assert _listening_addresses(port) == {"0100007F"}
        outside = socket.gethostbyname(socket.gethostname())
        if not outside.startswith("127."):
            with pytest.raises(OSError), socket.create_connection((outside, port), 2):
                pass
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
