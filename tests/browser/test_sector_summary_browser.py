"""The sector summary page of the real sample in headless Chromium: the weekly
packet is drawn when its button is clicked and downloads as a PDF."""

from __future__ import annotations

import pytest

from pipelines.catalog import DASHBOARD_APP
from pipelines.render.assets import STATIC_DIR, ensure_map_assets
from tests.browser.harness import GuardedPage, save_screenshot, wait_for_app_idle

pytestmark = pytest.mark.browser


def test_weekly_packet_downloads_as_a_pdf_when_clicked(
    sample_store, streamlit_server, browser_page: GuardedPage, tmp_path
):
    ensure_map_assets(STATIC_DIR)
    url = streamlit_server(DASHBOARD_APP, env={"BEATPROFILE_STORE": str(sample_store)})
    page = browser_page.page
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.goto(url + "/sector_summary")
    wait_for_app_idle(page)
    button = page.get_by_role("button", name="Weekly packet (PDF)")
    button.wait_for(timeout=60_000)
    # The CompStat counts table and, below it, the calls (CAD) table: every
    # CAD column in view at 1600 px without scrolling sideways.
    save_screenshot(page, "sector_summary_sample_1600")
    with page.expect_download(timeout=120_000) as download:
        button.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("packet_") and saved.suffix == ".pdf"
    data = saved.read_bytes()
    assert data.startswith(b"%PDF")
    assert data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 2
