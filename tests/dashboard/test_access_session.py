"""A scripted dashboard session writes every dashboard audit event type.

(``export`` needs a real download click: tests/browser/test_sign_in_browser.py.)
"""

from __future__ import annotations

import shutil

from dashboard import state
from pipelines.access import audit
from tests.dashboard.access_helpers import (
    PASSWORDS,
    local_config,
    new_app,
    open_url_path,
    sign_in,
)


def test_a_scripted_session_writes_each_dashboard_event(
    tmp_path, sample_store, monkeypatch
):
    store = tmp_path / "store.duckdb"
    shutil.copyfile(sample_store, store)  # the concern form writes to the store
    monkeypatch.setenv("BEATPROFILE_CONFIG", str(local_config(tmp_path)))
    monkeypatch.setenv("BEATPROFILE_STORE", str(store))
    audit_file = tmp_path / "audit.duckdb"

    at = new_app().run()
    for _ in range(5):
        sign_in(at, "cmd", "wrong")  # 4 sign_in_failed, then lockout
    sign_in(at, "ann", PASSWORDS["ann"][1])
    open_url_path(at, "data_quality")  # quarantined points: incident_list_view
    open_url_path(at, "users")  # refused: access_denied
    open_url_path(at, "watch_meeting")
    at.selectbox(key=f"{state.WATCH_AREA}.neighborhood").select_index(0).run()
    at.text_area(key=state.CONCERN_NOTE).set_value("cars speeding on the corner")
    at.button(key=state.CONCERN_SAVE).click().run()  # form_change
    assert not at.exception
    at.sidebar.button(key="signin.logout").click().run()  # sign_out

    sign_in(at, "adm", PASSWORDS["adm"][1])
    open_url_path(at, "users")
    at.text_input(key="users.add.name").set_value("newbie")
    at.text_input(key="users.add.password").set_value("newbie-pw-1")
    at.button(key="users.add.save").click().run()  # user_change
    assert not at.exception

    events = audit.read_events(audit_file)
    assert set(events["event"]) == set(audit.EVENTS) - {"export"}
    change = events[events["event"] == "user_change"].iloc[-1]
    assert (change["user_name"], change["target"]) == ("adm", "newbie")
    assert "newbie-pw-1" not in events.to_csv()  # no clear password in the trail
    form = events[events["event"] == "form_change"].iloc[-1]
    assert "speeding" not in form["detail"]  # never the organiser's note text
