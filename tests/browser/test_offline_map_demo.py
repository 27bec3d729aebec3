"""Proof that a choropleth renders in Streamlit with every external request blocked."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pipelines.render.assets import ensure_map_assets
from tests.browser.harness import (
    MAP_IFRAME_TITLE,
    GuardedPage,
    map_frame,
    save_screenshot,
    wait_for_app_idle,
)

if TYPE_CHECKING:
    from playwright.sync_api import Frame, Page

pytestmark = pytest.mark.browser

MAP_HEIGHT = 420

DEMO_APP = textwrap.dedent(
    f"""
    import geopandas as gpd
    import streamlit as st
    from shapely.geometry import box
    from streamlit_folium import st_folium

    from pipelines.render.maps import make_choropleth

    MARKUP = "<b>bold</b> <img src=x onerror=alert(1)>"
    rows = []
    for i in range(9):
        r, c = divmod(i, 3)
        x, y = -122.40 + c * 0.01, 37.70 + r * 0.01
        rows.append({{
            "area_id": f"A{{i}}",
            "name": MARKUP if i == 4 else f"Area {{i}}",
            "incidents": float(i + 1),
            "geometry": box(x, y, x + 0.01, y + 0.01),
        }})
    areas = gpd.GeoDataFrame(rows, crs="EPSG:4326")
    st.title("Offline map demo")
    m = make_choropleth(
        areas, "incidents", "name", "area_id", [("incidents", "Incidents")],
        legend_title="Incidents", highlight_id="A0",
    )
    st_folium(m, height={MAP_HEIGHT}, width=700, returned_objects=[], key="demo")
    """
)


@pytest.fixture
def demo_app(tmp_path: Path) -> Path:
    app = tmp_path / "demo_app.py"
    app.write_text(DEMO_APP)
    ensure_map_assets(tmp_path / "static")
    return app


def open_demo_map(browser_page: GuardedPage, url: str) -> tuple[Page, Frame]:
    """Open the demo app at ``url`` and wait until its map has drawn the areas."""
    page = browser_page.page
    page.goto(url)
    wait_for_app_idle(page)
    frame = map_frame(page)
    frame.wait_for_selector("path.leaflet-interactive", timeout=60_000)
    return page, frame


def test_choropleth_renders_with_internet_blocked(
    demo_app: Path, streamlit_server, browser_page: GuardedPage
):
    page, frame = open_demo_map(browser_page, streamlit_server(demo_app))

    iframe_box = page.locator(f'iframe[title="{MAP_IFRAME_TITLE}"]').bounding_box()
    assert iframe_box is not None and iframe_box["height"] >= MAP_HEIGHT * 0.9
    assert frame.locator("path.leaflet-interactive").count() >= 9
    assert frame.locator(".leaflet-control-container .bp-legend").is_visible()
    page.wait_for_timeout(500)  # let fitBounds settle before the screenshot
    save_screenshot(page, "offline_map_demo")

    assert browser_page.blocked_of_type("script", "stylesheet") == []
    loaded = frame.evaluate("typeof L !== 'undefined' && L.version")
    assert loaded == "1.9.4"


def test_tooltip_shows_markup_in_a_name_as_text(
    demo_app: Path, streamlit_server, browser_page: GuardedPage
):
    page, frame = open_demo_map(browser_page, streamlit_server(demo_app))

    # fitBounds centres the grid, so the map centre lies in the middle square (A4).
    box = frame.locator("#map_div").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2 + 5, box["y"] + box["height"] / 2 + 5)
    tooltip = frame.wait_for_selector(".foliumtooltip", timeout=10_000)
    assert tooltip is not None
    text = tooltip.inner_text()
    assert "<b>bold</b>" in text
    assert tooltip.query_selector("b, img") is None
    save_screenshot(page, "offline_map_tooltip")


CDN_APP = textwrap.dedent(
    """
    import folium
    from streamlit_folium import st_folium

    st_folium(folium.Map(location=[37.7, -122.4], tiles=None), height=300, key="cdn")
    """
)


@pytest.mark.expects_offsite_requests
def test_folium_cdn_defaults_are_blocked_and_leave_no_map(
    tmp_path: Path, streamlit_server, browser_page: GuardedPage
):
    # Control for the test above: the guard really blocks folium's CDN scripts.
    app = tmp_path / "cdn_app.py"
    app.write_text(CDN_APP)
    page = browser_page.page
    page.goto(streamlit_server(app))
    wait_for_app_idle(page)
    frame = map_frame(page)
    for _ in range(100):  # the component requests its scripts once it has rendered
        if browser_page.blocked_of_type("script"):
            break
        page.wait_for_timeout(100)
    blocked = [b.url for b in browser_page.blocked_of_type("script")]
    assert any("leaflet" in url and "cdn" in url for url in blocked)
    assert frame.locator(".leaflet-container").count() == 0
