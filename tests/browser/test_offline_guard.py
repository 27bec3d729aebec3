"""Offline is offline: the guard fails a test on an off-machine request, the
app's page icons never make Streamlit fetch one, and Streamlit's own static
files name no server outside this machine. Fast; no browser is started."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit

from dashboard.access import router
from tests.browser.harness import BlockedRequest, GuardedPage

STREAMLIT_STATIC = Path(streamlit.__file__).resolve().parent / "static"
_EXTERNAL_URL = re.compile(
    r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//"""
)


def test_the_guard_fails_listing_every_off_machine_url():
    guarded = GuardedPage(
        page=None,  # type: ignore[arg-type]  # settle_ms=0 never touches the page
        blocked=[
            BlockedRequest("https://fonts.gstatic.com/s/i/x/24px.svg", "other"),
            BlockedRequest("https://cdn.example.org/leaflet.js", "script"),
        ],
    )
    with pytest.raises(AssertionError) as caught:
        guarded.assert_stayed_local(settle_ms=0)
    message = str(caught.value)
    assert "2 URL(s) off this machine" in message
    assert "[other] https://fonts.gstatic.com/s/i/x/24px.svg" in message
    assert "[script] https://cdn.example.org/leaflet.js" in message
    GuardedPage(page=None, blocked=[]).assert_stayed_local(settle_ms=0)  # type: ignore[arg-type]


@pytest.mark.parametrize("spec", router.CATALOGUE, ids=lambda s: s.key)
def test_no_page_icon_is_a_material_icon(spec: router.PageSpec):
    # Streamlit 1.67 sets the open page's icon as the tab icon; a Material one
    # is then fetched from fonts.gstatic.com (an emoji is an inline data: URL).
    assert spec.icon and not spec.icon.startswith(":material"), spec


def test_no_dashboard_code_sets_a_material_page_icon():
    dashboard = Path(router.__file__).resolve().parents[1]
    offenders = [
        f"{path.relative_to(dashboard)}:{n}"
        for path in dashboard.rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"""(page_icon|st\.Page\(.*icon)\s*=?\s*.*["']:material/""", line)
    ]
    assert offenders == []


def test_streamlit_static_files_name_no_outside_server():
    # The page Streamlit serves, and its style sheets, load only local files
    # (fonts, including the Material Symbols icon font, are in static/media).
    files = [
        STREAMLIT_STATIC / "index.html",
        *STREAMLIT_STATIC.glob("static/css/*.css"),
    ]
    assert len(files) > 1
    offenders = [
        f"{path.name}: {match.group(0)}"
        for path in files
        for match in _EXTERNAL_URL.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    assert list(STREAMLIT_STATIC.glob("static/media/MaterialSymbols-Rounded*.woff2"))
