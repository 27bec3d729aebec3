"""The watch-meeting page under AppTest on the sample with concerns and a plan."""

from __future__ import annotations

import json
import re
from datetime import date

import duckdb
import pytest

from dashboard import state
from tests.dashboard.watch_helpers import open_watch_page, page_payloads, watch_router
from tests.pipelines.watch_helpers import AREA, PLAN_TITLE, make_watch_store

PRESENT = {"mode": "present", "level": "neighborhood", "area": AREA}


@pytest.fixture(scope="module")
def store(sample_store, tmp_path_factory):
    return make_watch_store(sample_store, tmp_path_factory.mktemp("page") / "s.duckdb")


@pytest.fixture
def router(store, tmp_path, monkeypatch):
    monkeypatch.setenv("BEATPROFILE_STORE", str(store))
    return watch_router(tmp_path / "router")


def test_presentation_mode_shows_map_and_three_panels_and_no_tools(router):
    at = open_watch_page(router, PRESENT)
    assert not at.exception
    assert at.title[0].value == "Tower Grove South"
    assert [t.label for t in at.tabs] == ["Top problems", "Trend", "Last meeting"]
    maps = [el for el in at.main if el.type == "component_instance"]
    assert len(maps) == 1
    script = json.loads(maps[0].proto.json_args)["script"]
    assert len(re.findall(r'"type": ?"Feature"', script)) == 8
    assert at.expander == [] and at.get("download_button") == []
    css = at.markdown[0].value
    assert '[data-testid="stSidebar"]' in css and "display: none" in css
    assert "font-size: 28px" in css


def test_analyst_mode_keeps_the_tools_and_a_link_to_presentation_mode(router):
    at = open_watch_page(router, {"level": "neighborhood", "area": AREA})
    assert not at.exception
    assert '[data-testid="stSidebar"]' not in at.markdown[0].value
    assert any("mode=present" in m.value for m in at.markdown)
    assert len(at.expander) == 2 and len(at.get("download_button")) >= 2


def test_trend_chart_uses_projector_sized_fonts(router):
    spec = json.loads(page_payloads(open_watch_page(router, PRESENT)).chart_specs[0])
    assert spec["config"]["axis"]["labelFontSize"] >= 24
    assert spec["config"]["axis"]["titleFontSize"] >= 24
    assert all(layer["mark"].get("fontSize", 24) >= 20 for layer in spec["layer"])


def test_last_meeting_panel_lists_public_concerns_only(router):
    at = open_watch_page(router, PRESENT)
    text = " ".join(m.value for m in at.markdown)
    assert "Last meeting: 12 Nov 2019" in text
    assert "Thefts from vehicles" in text and "Break\\-ins \\(burglary\\)" in text
    assert "domestic" not in text.lower() and "NEWSTEAD" not in text


def test_the_form_records_a_concern_in_the_store(router, store):
    at = open_watch_page(router, {"level": "neighborhood", "area": AREA})
    at.date_input(key="watch.concern.date").set_value(date(2019, 12, 20))
    at.selectbox(key="watch.concern.category").set_value("robbery")
    at.text_area(key="watch.concern.note").set_value("Seen near the park")
    at.button(key=state.CONCERN_SAVE).click().run()
    assert not at.exception
    assert "Concern saved" in at.success[0].value
    with duckdb.connect(str(store), read_only=True) as con:
        row = con.execute(
            "SELECT category, note, status FROM watch_concerns "
            "WHERE meeting_date = '2019-12-20'"
        ).fetchone()
        priority = con.execute(
            "SELECT priority FROM community_priorities WHERE "
            "area_id = ? AND category = 'robbery'",
            [AREA],
        ).fetchone()
    assert row == ("robbery", "Seen near the park", "open") and priority == (1.0,)
    at.run()
    assert any("Last meeting: 20 Dec 2019" in m.value for m in at.markdown)


def test_beat_plan_shows_assessment_with_wdq_and_map(router):
    at = open_watch_page(router, {"level": "neighborhood", "area": AREA})
    assert not at.exception
    assert at.subheader[0].value == PLAN_TITLE
    text = " ".join(m.value for m in at.markdown)
    assert "exact Poisson test" in text and "**Displacement \\(WDQ\\)**: WDQ" in text
    maps = [el for el in at.main if el.type == "component_instance"]
    assert len(maps) == 2
    assessment = json.loads(maps[1].proto.json_args)["script"]
    assert all(role in assessment for role in ('"target"', '"buffer"', '"control"'))


def test_without_an_area_the_page_asks_for_one(router):
    at = open_watch_page(router, {"mode": "present"})
    assert not at.exception
    assert "Choose a neighborhood" in at.info[0].value


def test_district_level_works(router):
    at = open_watch_page(router, {"mode": "present", "level": "district", "area": "3"})
    assert not at.exception
    assert at.title[0].value == "District 3"  # unnamed areas read "District 3"
