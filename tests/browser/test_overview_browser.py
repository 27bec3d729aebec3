"""The overview page of the real sample in headless Chromium, internet blocked."""

from __future__ import annotations

import pytest

from pipelines.catalog import DASHBOARD_APP
from pipelines.render.assets import STATIC_DIR, ensure_map_assets
from tests.browser.harness import (
    GuardedPage,
    map_frame,
    save_screenshot,
    wait_for_app_idle,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def overview_url(sample_store, streamlit_server) -> str:
    ensure_map_assets(STATIC_DIR)
    return streamlit_server(DASHBOARD_APP, env={"BEATPROFILE_STORE": str(sample_store)})


def open_map_page(page, url: str, height: int = 1000):
    """Load a page at 1600 px wide and return its map frame once polygons are drawn."""
    page.set_viewport_size({"width": 1600, "height": height})
    page.goto(url)
    wait_for_app_idle(page)
    frame = map_frame(page)
    frame.wait_for_selector("path.leaflet-interactive", timeout=60_000)
    return frame


def test_overview_map_draws_every_neighborhood_offline(
    overview_url: str, browser_page: GuardedPage
):
    page = browser_page.page
    frame = open_map_page(page, overview_url)
    assert frame.locator("path.leaflet-interactive").count() == 88
    assert frame.locator(".bp-legend").is_visible()
    page.wait_for_timeout(800)
    save_screenshot(page, "overview_sample")
    assert browser_page.blocked_of_type("script", "stylesheet", "fetch", "xhr") == []


def test_clicking_a_neighborhood_opens_its_profile(
    overview_url: str, browser_page: GuardedPage
):
    page = browser_page.page
    frame = open_map_page(page, overview_url)
    page.wait_for_timeout(500)
    polygon = frame.locator("path.leaflet-interactive").nth(40)
    box = polygon.bounding_box()
    assert box is not None
    polygon.click(position={"x": box["width"] / 2, "y": box["height"] / 2}, force=True)
    page.wait_for_selector("h1", timeout=60_000)
    page.wait_for_function(
        "() => !document.querySelector('h1') || "
        "document.querySelector('h1').innerText !== 'Overview'",
        timeout=60_000,
    )
    wait_for_app_idle(page)
    page.wait_for_timeout(1500)
    heading = page.locator("h1").first.inner_text()
    assert heading not in ("Overview", "")
    assert page.get_by_text("Latest 28 days and year to date").is_visible()
    save_screenshot(page, "area_profile_sample")


def test_data_quality_page_draws_outside_points_offline(
    overview_url: str, browser_page: GuardedPage
):
    page = browser_page.page
    frame = open_map_page(page, overview_url + "/data_quality", height=1400)
    assert frame.locator("path.leaflet-interactive").count() > 88
    page.wait_for_timeout(800)
    save_screenshot(page, "data_quality_sample")
    assert browser_page.blocked_of_type("script", "stylesheet", "fetch", "xhr") == []


def test_hotspot_page_draws_cells_and_outlines_offline(
    overview_url: str, browser_page: GuardedPage
):
    page = browser_page.page
    frame = open_map_page(page, overview_url + "/hotspots", height=1300)
    assert frame.locator("path.leaflet-interactive").count() > 88
    assert frame.locator(".bp-legend").is_visible()
    page.wait_for_timeout(800)
    save_screenshot(page, "hotspots_sample")
    assert browser_page.blocked_of_type("script", "stylesheet", "fetch", "xhr") == []


def test_backtest_page_draws_its_charts(overview_url: str, browser_page: GuardedPage):
    page = browser_page.page
    page.set_viewport_size({"width": 1600, "height": 1200})
    page.goto(overview_url + "/backtest")
    wait_for_app_idle(page)
    page.wait_for_selector("canvas, svg.marks", timeout=60_000)
    page.wait_for_timeout(1000)
    save_screenshot(page, "backtest_sample")
    assert page.get_by_text("Method back-test").first.is_visible()
