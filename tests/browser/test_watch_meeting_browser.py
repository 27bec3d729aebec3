"""Presentation mode at 1920x1080 in headless Chromium, with the internet blocked.

Screenshots go to ``artifacts/screenshots/watch_meeting_*.png``; text sizes are
measured in the browser (computed ``font-size``), not assumed from the CSS.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb
import pytest

from pipelines.community.watch_report import build_watch_report
from pipelines.render.assets import STATIC_DIR, ensure_map_assets
from pipelines.render.offline_export import watch_meeting_html
from tests.browser.harness import (
    MAP_IFRAME_TITLE,
    SCREENSHOT_DIR,
    GuardedPage,
    map_frame,
    wait_for_app_idle,
)
from tests.dashboard.watch_helpers import watch_router
from tests.pipelines.watch_helpers import AREA, make_watch_store

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

pytestmark = pytest.mark.browser

FULL_HD: ViewportSize = {"width": 1920, "height": 1080}
MIN_PX = 24.0
PRESENT = f"/watch_meeting?mode=present&level=neighborhood&area={AREA}"
_SIZES = """(selector) => [...document.querySelectorAll(selector)]
    .filter(e => e.offsetParent !== null && e.innerText.trim())
    .map(e => [e.innerText.trim().slice(0, 40),
               parseFloat(getComputedStyle(e).fontSize)])"""

_BOXES = """() => [...document.querySelectorAll('.bp-area-label, .leaflet-control')]
    .filter(e => e.offsetParent !== null)
    .map(e => { const r = e.getBoundingClientRect();
        return {text: e.innerText.trim().replace(/\\n/g, ' '),
                label: e.classList.contains('bp-area-label'),
                left: r.left, right: r.right, top: r.top, bottom: r.bottom}; })"""


@pytest.fixture(scope="module")
def store(sample_store, tmp_path_factory):
    return make_watch_store(
        sample_store, tmp_path_factory.mktemp("browser") / "s.duckdb"
    )


@pytest.fixture
def watch_url(store, streamlit_server, tmp_path) -> str:
    ensure_map_assets(STATIC_DIR)
    router = watch_router(tmp_path / "router")
    return streamlit_server(router, env={"BEATPROFILE_STORE": str(store)})


def _open_present(guarded: GuardedPage, url: str):
    page = guarded.page
    page.set_viewport_size(FULL_HD)
    page.goto(url + PRESENT)
    wait_for_app_idle(page)
    frame = map_frame(page)
    frame.wait_for_selector(".bp-area-label", timeout=60_000)
    page.wait_for_timeout(1500)  # labels re-centre once fonts and styles settle
    return page, frame


def _shot(page, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"))


def test_presentation_mode_is_legible_at_1920x1080_offline(
    watch_url: str, browser_page: GuardedPage
):
    page, frame = _open_present(browser_page, watch_url)
    _shot(page, "watch_meeting_1920")

    labels = frame.evaluate(_SIZES, ".bp-area-label")
    legend = frame.evaluate(_SIZES, ".bp-legend div")
    panel = page.evaluate(
        _SIZES, '[data-testid="stTabPanel"] [data-testid="stMarkdownContainer"] p'
    )
    tabs = page.evaluate(_SIZES, '[data-testid="stTab"] p')
    print("map labels", labels, "\nlegend", legend, "\npanel", panel, "\ntabs", tabs)
    # Labels that would overlap another are hidden (see test_labels_do_not_overlap).
    assert 6 <= len(labels) <= 8
    assert any(text.startswith("Tower Grove South") for text, _ in labels)
    assert len(legend) >= 3 and len(panel) >= 3 and len(tabs) == 3
    for what, sizes in (
        ("map label", labels),
        ("legend", legend),
        ("panel", panel),
        ("tab", tabs),
    ):
        small = [(text, px) for text, px in sizes if px < MIN_PX]
        assert not small, f"{what} text below {MIN_PX} px: {small}"

    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    assert not page.locator('[data-testid="stHeader"]').is_visible()
    # Map and panels fit on one 1080-pixel-high screen.
    iframe = page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    tab_panel = page.locator('[data-testid="stTabPanel"]').first.bounding_box()
    assert iframe and tab_panel
    assert iframe["y"] + iframe["height"] <= FULL_HD["height"]
    assert iframe["width"] >= 1200
    assert frame.locator("path.leaflet-interactive").count() == 8
    assert browser_page.blocked_of_type("script", "stylesheet", "fetch", "xhr") == []


def test_labels_sit_on_their_areas(watch_url: str, browser_page: GuardedPage):
    page, frame = _open_present(browser_page, watch_url)
    inside = frame.evaluate("""() => {
        const paths = [...document.querySelectorAll('path.leaflet-interactive')]
            .map(p => p.getBoundingClientRect());
        return [...document.querySelectorAll('.bp-area-label')]
            .filter(l => l.offsetParent !== null).map(l => {
            const b = l.getBoundingClientRect();
            const x = b.x + b.width / 2, y = b.y + b.height / 2;
            return paths.some(
                p => x >= p.x && x <= p.right && y >= p.y && y <= p.bottom);
        }); }""")
    assert inside and all(inside)


def test_labels_do_not_overlap_each_other_or_the_legend(
    watch_url: str, browser_page: GuardedPage
):
    _, frame = _open_present(browser_page, watch_url)
    boxes = frame.evaluate(_BOXES)
    print("label boxes", boxes)
    labels = [b for b in boxes if b["label"]]
    assert any(b["text"].startswith("Tower Grove South") for b in labels)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if a["label"] or b["label"]:
                assert not _overlap(a, b), (a["text"], b["text"])


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    )


def test_panels_are_reached_with_the_keyboard(
    watch_url: str, browser_page: GuardedPage
):
    page, _ = _open_present(browser_page, watch_url)
    tabs = page.locator('[data-testid="stTab"]')
    tabs.first.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(800)
    assert tabs.nth(1).get_attribute("aria-selected") == "true"
    page.wait_for_selector(
        '[data-testid="stTabPanel"] canvas, [data-testid="stTabPanel"] svg.marks',
        timeout=30_000,
    )
    page.wait_for_timeout(800)
    _shot(page, "watch_meeting_1920_trend")
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(800)
    assert tabs.nth(2).get_attribute("aria-selected") == "true"
    assert page.get_by_text("Last meeting: 12 Nov 2019").is_visible()
    _shot(page, "watch_meeting_1920_last_meeting")


def test_analyst_view_shows_the_organiser_forms(
    watch_url: str, browser_page: GuardedPage
):
    page = browser_page.page
    # Tall enough for both open expanders: Streamlit scrolls its main block
    # itself, so a full-page screenshot would show one window's worth only.
    page.set_viewport_size({"width": 1920, "height": 4200})
    page.goto(watch_url + PRESENT.replace("mode=present&", ""))
    wait_for_app_idle(page)
    for title in ("Concerns raised at meetings", "Beat plans for this area"):
        page.get_by_text(title).click()
    page.get_by_text("Change a concern's status").wait_for(timeout=30_000)
    page.get_by_text("Add a response to a plan").wait_for(timeout=60_000)
    page.wait_for_function(  # the public map and the plan's assessment map
        f"""() => [...document.querySelectorAll('iframe[title="{MAP_IFRAME_TITLE}"]')]
            .filter(f => f.getBoundingClientRect().height > 100).length >= 2""",
        timeout=60_000,
    )
    page.wait_for_timeout(2500)
    _shot(page, "watch_meeting_analyst_forms")
    for label in (
        "New status",
        "Plan title",
        "Problems the plan tackles",
        "Start date",
    ):
        assert page.get_by_text(label, exact=True).first.is_visible()


def test_offline_html_export_draws_the_map_with_no_network(
    store, browser_page: GuardedPage
):
    with duckdb.connect(str(store), read_only=True) as con:
        html = watch_meeting_html(build_watch_report(con, "neighborhood", AREA))
    page = browser_page.page
    page.set_viewport_size(FULL_HD)
    page.set_content(html)
    page.wait_for_selector("path.leaflet-interactive", timeout=30_000)
    page.wait_for_timeout(800)
    assert page.locator("path.leaflet-interactive").count() == 8
    sizes = page.evaluate(_SIZES, ".bp-area-label, .bp-legend div, .bp-panel li")
    assert sizes and min(px for _, px in sizes) >= MIN_PX
    _shot(page, "watch_meeting_export_1920")
    assert browser_page.blocked == []
