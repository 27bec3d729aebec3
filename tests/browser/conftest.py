"""Fixtures for browser tests: a Streamlit server factory and a guarded Chromium page.

Tests here should carry ``@pytest.mark.browser``; they are skipped when
``/usr/bin/chromium`` or Playwright is missing.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from tests.browser.harness import (
    CHROMIUM,
    GuardedPage,
    launch_chromium,
    open_guarded_page,
    start_streamlit,
)

StartServer = Callable[..., str]

# A test that provokes an off-machine request on purpose (a control for the
# guard) carries this marker; every other test using ``browser_page`` fails if
# the page asked for anything off this machine.
OFFSITE_MARKER = "expects_offsite_requests"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{OFFSITE_MARKER}: the browser test provokes blocked off-machine requests "
        "on purpose; the harness does not fail it for them",
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """After a test body passes, fail it if its ``browser_page`` left the machine.

    A check here (not in fixture teardown) reports a test FAILURE listing the
    URLs, rather than an error in teardown.
    """
    result = yield
    guarded = getattr(item, "funcargs", {}).get("browser_page")
    if isinstance(guarded, GuardedPage) and not item.get_closest_marker(
        OFFSITE_MARKER
    ):
        guarded.assert_stayed_local()
    return result


@pytest.fixture
def streamlit_server() -> Iterator[StartServer]:
    """Factory: ``streamlit_server(app_path, env=None)`` starts an app, returns its URL.

    Every server started is stopped (its process group terminated) at teardown.
    """
    with contextlib.ExitStack() as stack:

        def start(app_path: Path, env: Mapping[str, str] | None = None) -> str:
            return stack.enter_context(start_streamlit(Path(app_path), env))

        yield start


@pytest.fixture(scope="session")
def chromium_browser():
    """One headless system Chromium per session, or skip if it cannot run."""
    if not CHROMIUM.exists():
        # In CI a missing browser is a failure, not a silent skip.
        (pytest.fail if os.environ.get("CI") else pytest.skip)(
            f"browser test needs Chromium at {CHROMIUM}; apt-get install chromium"
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="browser test needs the playwright package"
    )
    with sync_api.sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium_browser) -> Iterator[GuardedPage]:
    """A fresh page where non-local requests are aborted and recorded in
    ``.blocked``; the test fails if any were made (see ``pytest_runtest_call``)."""
    context, guarded = open_guarded_page(chromium_browser)
    try:
        yield guarded
    finally:
        context.close()
