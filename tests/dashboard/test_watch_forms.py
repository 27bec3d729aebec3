"""The organisers' forms on the watch-meeting page, driven under AppTest.

Each test writes to its own copy of the sample store (never the session's).
"""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
import pytest

from dashboard import state
from pipelines.community.watch_report import build_watch_report
from pipelines.render.offline_export import watch_meeting_html
from pipelines.render.watch_export import figure_texts, static_figure
from tests.dashboard.watch_helpers import open_watch_page, page_payloads, watch_router
from tests.pipelines.watch_helpers import AREA, make_watch_store

ANALYST = {"level": "neighborhood", "area": AREA}
PRESENT = {"mode": "present", **ANALYST}
CONCERN_NOTE = "Ms Jones at 4100 Hartford St says the van is back"
PLAN_NOTE = "Informant R. Diaz: fence operates from the corner shop"
RESPONSE_TEXT = "Plain-clothes detail outside 3500 Arsenal St"
PLAN_TITLE = "Robberies near the park"
SECRET_FRAGMENTS = (
    CONCERN_NOTE,
    "Ms Jones",
    "4100 Hartford",
    PLAN_NOTE,
    "R. Diaz",
    "corner shop",
    RESPONSE_TEXT,
    "Plain-clothes",
    "3500 Arsenal",
    PLAN_TITLE,
)


@pytest.fixture(scope="module")
def watch_store(sample_store, tmp_path_factory):
    """The sample with concerns and a plan (made once; tests copy it)."""
    return make_watch_store(sample_store, tmp_path_factory.mktemp("forms") / "w.duckdb")


@pytest.fixture
def store(watch_store, tmp_path, monkeypatch):
    """A private copy of the watch store, shown by the app."""
    path = tmp_path / "store.duckdb"
    shutil.copyfile(watch_store, path)
    monkeypatch.setenv("BEATPROFILE_STORE", str(path))
    return path


@pytest.fixture
def plain_store(sample_store, tmp_path, monkeypatch):
    """A private copy of the sample store without concerns or plans."""
    path = tmp_path / "plain.duckdb"
    shutil.copyfile(sample_store, path)
    monkeypatch.setenv("BEATPROFILE_STORE", str(path))
    return path


@pytest.fixture
def router(tmp_path):
    return watch_router(tmp_path / "router")


def _rows(store, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _text(at) -> str:  # noqa: ANN001 - AppTest
    return " ".join(m.value for m in at.markdown)


def _add_plan(at, title: str, categories: list[str], notes: str = "") -> None:  # noqa: ANN001
    at.text_input(key=state.PLAN_TITLE).set_value(title)
    at.multiselect(key=state.PLAN_CATEGORIES).set_value(categories)
    at.text_area(key=state.PLAN_NOTES).set_value(notes)
    at.button(key=state.PLAN_SAVE).click().run()


def _add_response(at, text: str, start: date, end: date | None = None) -> None:  # noqa: ANN001
    at.text_input(key=state.RESPONSE_DESCRIPTION).set_value(text)
    at.date_input(key=state.RESPONSE_START).set_value(start)
    at.date_input(key=state.RESPONSE_END).set_value(end)
    at.button(key=state.RESPONSE_SAVE).click().run()


def test_the_status_form_resolves_a_concern_and_the_page_shows_it(router, store):
    (theft_id,) = _rows(
        store,
        "SELECT concern_id FROM watch_concerns WHERE category = 'theft from vehicle'",
    )[0]
    at = open_watch_page(router, ANALYST)
    assert "**Thefts from vehicles** (open)" in _text(at)
    at.selectbox(key=state.STATUS_CONCERN).set_value(theft_id)
    at.selectbox(key=state.STATUS_VALUE).set_value("resolved")
    at.button(key=state.STATUS_SAVE).click().run()

    assert not at.exception and not at.error
    assert "Status set to 'resolved'" in at.success[0].value
    assert _rows(
        store, "SELECT status FROM watch_concerns WHERE concern_id = ?", [theft_id]
    ) == [("resolved",)]
    assert _rows(
        store,
        "SELECT count(*) FROM community_priorities WHERE area_id = ? "
        "AND category = 'theft from vehicle'",
        [AREA],
    ) == [(0,)]
    # The caches were cleared: the public panel and the list show the new status.
    assert "**Thefts from vehicles** (resolved)" in _text(at)
    listed = at.dataframe[0].value
    assert listed.loc[
        listed["category"] == "theft from vehicle", "status"
    ].tolist() == ["resolved"]


def test_the_concern_form_refuses_a_note_that_is_too_long(router, store):
    at = open_watch_page(router, ANALYST)
    at.text_area(key=state.CONCERN_NOTE).set_value("x" * 2001)
    at.button(key=state.CONCERN_SAVE).click().run()
    assert not at.exception
    assert at.error[0].value.startswith("Not saved: form: row 1: note has 2001")
    assert "at most 2000" in at.error[0].value
    assert _rows(store, "SELECT count(*) FROM watch_concerns") == [(4,)]
    assert at.text_area(key=state.CONCERN_NOTE).value == "x" * 2001  # kept to fix


def test_plan_and_response_forms_store_a_plan_and_show_its_assessment(
    router, plain_store
):
    at = open_watch_page(router, ANALYST)
    assert "No beat plan for this area yet." in [i.value for i in at.info]
    _add_plan(at, "Break-ins on Arsenal", ["burglary", "theft"], "Rear doors forced")
    assert not at.exception and not at.error
    assert "Plan 'Break-ins on Arsenal' saved" in at.success[0].value
    plans = _rows(
        plain_store,
        "SELECT plan_id, level, area_id, title, categories, analysis_notes "
        "FROM beat_plans",
    )
    assert [p[1:] for p in plans] == [
        (
            "neighborhood",
            AREA,
            "Break-ins on Arsenal",
            ["burglary", "theft"],
            "Rear doors forced",
        )
    ]
    assert at.subheader[0].value == "Break\\-ins on Arsenal"
    assert any("has no response yet" in i.value for i in at.info)
    assert at.text_input(key=state.PLAN_TITLE).value == ""  # form reset after saving

    _add_response(at, "Door-knocking and target hardening", date(2019, 7, 1))
    assert not at.exception and not at.error
    assert "Response saved" in at.success[0].value
    assert _rows(
        plain_store,
        "SELECT plan_id, description, start_date, end_date FROM plan_responses",
    ) == [(plans[0][0], "Door-knocking and target hardening", date(2019, 7, 1), None)]
    text = _text(at)
    assert "01 Jul 2019 \\(ongoing\\): Door\\-knocking" in text
    assert "exact Poisson test" in text and "**Displacement \\(WDQ\\)**: WDQ" in text
    maps = [el for el in at.main if el.type == "component_instance"]
    assert len(maps) == 2  # the public map and the assessment map


def test_plan_forms_show_what_was_wrong_and_store_nothing(router, plain_store):
    at = open_watch_page(router, ANALYST)
    _add_plan(at, "Car break-ins", [])
    assert not at.exception
    assert at.error[0].value.startswith("Not saved: plan categories were []")
    assert "expected to be one or more of" in at.error[0].value
    assert at.text_input(key=state.PLAN_TITLE).value == "Car break-ins"
    with duckdb.connect(str(plain_store), read_only=True) as con:
        assert con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'beat_plans'"
        ).fetchone() == (0,) or con.execute(
            "SELECT count(*) FROM beat_plans"
        ).fetchone() == (0,)

    _add_plan(at, "   ", ["theft"])
    assert "Not saved: a plan needs a title" in at.error[0].value

    _add_plan(at, "Car break-ins", ["theft from vehicle"])
    _add_response(at, "Patrols", date(2019, 7, 1), date(2019, 6, 1))
    assert "Not saved: response end 2019-06-01 is before its start 2019-07-01" in (
        at.error[0].value
    )
    _add_response(at, "  ", date(2019, 7, 1))
    assert "Not saved: a response needs a description" in at.error[0].value
    assert _rows(plain_store, "SELECT count(*) FROM plan_responses") == [(0,)]


def test_notes_typed_into_the_forms_never_reach_presentation_mode(router, store):
    at = open_watch_page(router, ANALYST)
    at.date_input(key=state.CONCERN_DATE).set_value(date(2019, 12, 20))
    at.selectbox(key=state.CONCERN_CATEGORY).set_value("robbery")
    at.text_area(key=state.CONCERN_NOTE).set_value(CONCERN_NOTE)
    at.button(key=state.CONCERN_SAVE).click().run()
    _add_plan(at, PLAN_TITLE, ["robbery"], PLAN_NOTE)
    _add_response(at, RESPONSE_TEXT, date(2019, 8, 1))
    assert not at.exception and not at.error
    assert CONCERN_NOTE in at.dataframe[0].value["note"].tolist()  # stored

    shown = open_watch_page(router, PRESENT)
    assert not shown.exception
    p = page_payloads(shown)
    public = "\n".join(
        p.maps
        + p.markdown
        + p.chart_specs
        + [f.to_csv() for f in p.chart_data + p.frames]
    )
    assert "Last meeting: 20 Dec 2019" in public  # the new concern is counted...
    with duckdb.connect(str(store), read_only=True) as con:
        report = build_watch_report(con, "neighborhood", AREA)
    exports = watch_meeting_html(report) + "\n".join(
        figure_texts(static_figure(report))
    )
    # Markdown escapes "-" and "."; compare without the backslashes.
    public, exports = public.replace("\\", ""), exports.replace("\\", "")
    for secret in SECRET_FRAGMENTS:
        assert secret not in public, secret
        assert secret not in exports, secret
