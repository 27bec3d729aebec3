"""Headless-Chromium harness for Streamlit apps, with every non-local request blocked.

Start an app with :func:`start_streamlit` (a context manager that owns the
server's process group), open it in a :class:`GuardedPage` from
:func:`open_guarded_page`, then use :func:`wait_for_app_idle`,
:func:`map_frame` and :func:`save_screenshot`. The pytest fixtures in
``conftest.py`` wrap these.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from beatprofile.server import streamlit_command

if TYPE_CHECKING:
    from playwright.sync_api import (
        Browser,
        BrowserContext,
        Frame,
        Page,
        Route,
        ViewportSize,
    )

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MAP_IFRAME_TITLE = "streamlit_folium.st_folium"
IDLE_SELECTOR = '[data-testid="stApp"][data-test-script-state="notRunning"]'


@dataclass(frozen=True)
class BlockedRequest:
    """A request the browser tried to make off this machine."""

    url: str
    resource_type: str


@dataclass
class GuardedPage:
    """A Playwright page whose non-local requests are aborted and recorded."""

    page: Page
    blocked: list[BlockedRequest] = field(default_factory=list)

    def blocked_of_type(self, *resource_types: str) -> list[BlockedRequest]:
        """Blocked requests of the given Playwright resource types."""
        return [b for b in self.blocked if b.resource_type in resource_types]

    def assert_stayed_local(self, settle_ms: int = 250) -> None:
        """Fail, listing the URLs, if the page asked for anything off this machine.

        Waits ``settle_ms`` first so requests the page started last (fonts,
        images) reach the route handler and are recorded.
        """
        if settle_ms and not self.page.is_closed():
            self.page.wait_for_timeout(settle_ms)
        if self.blocked:
            lines = "\n".join(f"  [{b.resource_type}] {b.url}" for b in self.blocked)
            raise AssertionError(
                f"the page requested {len(self.blocked)} URL(s) off this machine "
                f"(nothing may be fetched from outside; all were blocked):\n{lines}"
            )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def start_streamlit(
    app_path: Path,
    env: Mapping[str, str] | None = None,
    log_path: Path | None = None,
    timeout: float = 60.0,
    args: Sequence[str] = (),
    port: int | None = None,
) -> Iterator[str]:
    """Run ``streamlit run app_path`` on a free local port; yield its base URL.

    ``args`` are extra Streamlit options (e.g. ``--secrets.files PATH``), put
    before any script arguments; ``port`` fixes the port (an OIDC redirect
    URI must name it before the server starts).

    The repo root is put on ``PYTHONPATH`` so the app can import the project.
    The server runs in its own process group, which is terminated on exit.
    """
    app_path = Path(app_path).resolve()
    port = port or free_port()
    cmd = streamlit_command(port, app=app_path)
    cmd[5:5] = list(args)  # after "python -m streamlit run APP"
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT), full_env.get("PYTHONPATH", "")) if p
    )
    if log_path is None:
        log_dir = REPO_ROOT / "artifacts" / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        log_path = log_dir / f"{app_path.stem}-{port}.streamlit.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd,
            cwd=app_path.parent,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(proc, base_url, log_path, timeout)
        yield base_url
    finally:
        _stop_group(proc)


def _wait_healthy(
    proc: subprocess.Popen[bytes], base_url: str, log_path: Path, timeout: float
) -> None:
    """Poll ``/_stcore/health`` until it answers ok, or fail with the server log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"streamlit exited with code {proc.returncode}; log {log_path}:\n"
                + log_path.read_text(errors="replace")[-3000:]
            )
        with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError):
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        time.sleep(0.2)
    raise TimeoutError(
        f"streamlit at {base_url} not healthy after {timeout:.0f}s; log {log_path}:\n"
        + log_path.read_text(errors="replace")[-3000:]
    )


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    """Terminate the server's own process group, then kill it if it lingers."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def launch_chromium(playwright_obj) -> Browser:  # noqa: ANN001 - Playwright type
    """Launch the system Chromium headless with networking side channels off."""
    return playwright_obj.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )


def open_guarded_page(
    browser: Browser, viewport: ViewportSize | None = None
) -> tuple[BrowserContext, GuardedPage]:
    """New context and page in which every non-local request is aborted and recorded."""
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
    guarded = GuardedPage(page=context.new_page())

    def handle(route: Route) -> None:
        request = route.request
        if is_local(request.url):
            route.continue_()
        else:
            guarded.blocked.append(BlockedRequest(request.url, request.resource_type))
            route.abort("blockedbyclient")

    context.route("**/*", handle)
    return context, guarded


def is_local(url: str) -> bool:
    """True for http(s)/ws(s) URLs on this machine and for inline data/blob URLs."""
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about"}:
        return True
    return (
        parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname in LOCAL_HOSTS
    )


def wait_for_app_idle(page: Page, timeout: float = 60_000) -> None:
    """Wait until Streamlit reports the script is not running."""
    page.wait_for_selector(IDLE_SELECTOR, timeout=timeout)


def map_frame(page: Page, timeout: float = 60_000) -> Frame:
    """The frame of the streamlit-folium map iframe."""
    selector = f'iframe[title="{MAP_IFRAME_TITLE}"]'
    handle = page.wait_for_selector(selector, state="attached", timeout=timeout)
    frame = handle.content_frame() if handle else None
    if frame is None:
        raise AssertionError(f"no frame for {selector}")
    return frame


def save_screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot to ``artifacts/screenshots/<name>.png``."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
