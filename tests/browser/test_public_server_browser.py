"""``beatprofile serve --public`` in headless Chromium, with the internet blocked.

The server is started through the real command line with the full store's
path on it (``--store``) and in ``BEATPROFILE_STORE``: the Streamlit process
it starts must be told neither, must never hold the full store open, and must
answer only the public watch page, whatever URL is typed.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines.community.publish import publish_public_store
from pipelines.render.assets import STATIC_DIR, ensure_map_assets
from tests.browser.harness import (
    REPO_ROOT,
    SCREENSHOT_DIR,
    _stop_group,
    _wait_healthy,
    free_port,
    wait_for_app_idle,
)

pytestmark = pytest.mark.browser

ANALYST_URLS = [
    "/hotspots",
    "/overview",
    "/area_profile",
    "/data_quality",
    "/sector_summary",
    "/backtest",
    "/watch_meeting?mode=present",
]
ANALYST_TITLES = [
    "Hotspots",
    "Overview",
    "Data quality",
    "Sector summary",
    "Method back-test",
    "Planning and Analysis",
    "Commanders",
]


@pytest.fixture(scope="module")
def stores(sample_store, tmp_path_factory):
    folder = tmp_path_factory.mktemp("public-server")
    full = folder / "full.duckdb"
    full.write_bytes(sample_store.read_bytes())
    public = folder / "public.duckdb"
    publish_public_store(full, public)
    return full, public


@pytest.fixture
def public_server(stores, tmp_path):
    full, public = stores
    ensure_map_assets(STATIC_DIR)
    port = free_port()
    env = {**os.environ, "BEATPROFILE_STORE": str(full)}
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p
    )
    log_path = tmp_path / "serve-public.log"
    command = [
        sys.executable,
        "-m",
        "beatprofile",
        "serve",
        "--public",
        "--store",
        str(full),
        "--public-store",
        str(public),
        "--port",
        str(port),
    ]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            command,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_healthy(proc, f"http://127.0.0.1:{port}", log_path, 90)
        yield f"http://127.0.0.1:{port}", _streamlit_pid(proc.pid)
    finally:
        _stop_group(proc)


def _streamlit_pid(parent: int) -> int:
    """The ``streamlit run`` process the CLI started."""
    for _ in range(50):
        children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise AssertionError("serve --public started no child process")


def _open_files(pid: int) -> set[str]:
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            found.add(os.readlink(fd))
    return found


def test_public_server_answers_the_watch_page_and_no_analyst_page(
    public_server, stores, browser_page
):
    base, pid = public_server
    full, public = stores
    page = browser_page.page
    page.goto(f"{base}/?level=neighborhood&area=15")
    wait_for_app_idle(page)
    page.get_by_role("heading", name="Tower Grove South").wait_for(timeout=60_000)
    body = page.inner_text("body")
    assert "Tower Grove South" in body and "Not shown: offences" in body
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / "public_server_watch.png"))
    for url in ANALYST_URLS:
        page.goto(f"{base}{url}")
        wait_for_app_idle(page)
        page.get_by_text("Choose a neighborhood").first.wait_for(timeout=60_000)
        headings = page.locator("h1").all_inner_texts()
        assert not set(headings) & set(ANALYST_TITLES), (url, headings)
        body = page.inner_text("body")
        assert "Page not found" in body or "no corresponding file" in body, url
        assert page.locator('[data-testid="stSidebarNav"] a').count() == 0, url
    page.screenshot(path=str(SCREENSHOT_DIR / "public_server_hotspots_url.png"))
    assert not [b for b in browser_page.blocked if b.resource_type == "script"]

    # The process never opened the full store, and was never told where it is.
    opened = _open_files(pid)
    assert str(public.resolve()) in opened
    assert str(full) not in opened and str(full.resolve()) not in opened
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    environ = Path(f"/proc/{pid}/environ").read_bytes().decode()
    assert "dashboard/public_app.py" in " ".join(argv)
    assert str(full) not in " ".join(argv) and str(full) not in environ
    assert "BEATPROFILE_STORE" not in environ
