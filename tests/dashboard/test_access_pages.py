"""Every page x role under AppTest, signed in through the real sign-in form with
real local accounts (argon2 file in tmp) and a real audit file."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from dashboard import state
from dashboard.access import router
from pipelines.access import audit, policy
from tests.dashboard.access_helpers import (
    PASSWORDS,
    USER_OF_ROLE,
    local_config,
    new_app,
    open_url_path,
    registered_paths,
    sign_in,
)

ALL_PAGES = {spec.key for spec in router.CATALOGUE}
# Export buttons per page, by the policy action each needs.
BUTTONS = {
    "hotspots": ("export_incidents", 3),
    "sector_summary": ("export_packet", 1),
    "watch_meeting": ("export_watch", 2),
}


@pytest.fixture
def local_app(tmp_path, sample_store, monkeypatch):
    config = local_config(tmp_path)
    monkeypatch.setenv("BEATPROFILE_CONFIG", str(config))
    monkeypatch.setenv("BEATPROFILE_STORE", str(sample_store))
    return new_app(), tmp_path / "audit.duckdb"


def test_signed_out_navigation_holds_only_the_sign_in_page(local_app):
    at, audit_file = local_app
    at.run()
    assert not at.exception
    assert registered_paths(at, ALL_PAGES | {"sign_in"}) == {"sign_in"}
    assert at.title[0].value == "Sign in to beatprofile"
    open_url_path(at, "data_quality")  # a typed URL falls back to sign-in
    assert at.title[0].value == "Sign in to beatprofile"
    assert not at.error


@pytest.mark.parametrize("role", policy.ROLES)
def test_visible_pages_are_exactly_the_roles_and_the_rest_are_hidden(role):
    plan = router.role_plan(role)
    visible = {spec.key for spec, listed in plan if listed}
    hidden = {spec.key for spec, listed in plan if not listed}
    assert visible == policy.pages_for(role)
    assert hidden == ALL_PAGES - policy.pages_for(role)


@pytest.mark.parametrize("role", policy.ROLES)
def test_every_page_opens_or_refuses_for_each_role(local_app, role):
    at, audit_file = local_app
    name = USER_OF_ROLE[role]
    sign_in(at.run(), name, PASSWORDS[name][1])
    assert not at.exception
    assert registered_paths(at, ALL_PAGES | {"sign_in"}) == ALL_PAGES
    for key in sorted(ALL_PAGES):
        open_url_path(at, key)
        assert not at.exception, (role, key)
        errors = " ".join(e.value for e in at.error)
        if policy.may_view(role, key):
            assert "may not open" not in errors, (role, key, errors)
            assert at.title or at.info, (role, key)  # the page drew
        else:
            assert f"your role {role} may not open" in errors, (role, key)
            assert "ask an admin" in errors
            # Nothing of the page ran: no title, table, chart or button.
            assert not (at.title or at.dataframe or at.get("download_button"))
        if key == "watch_meeting" and policy.may_view(role, key):
            at.selectbox(key=f"{state.WATCH_AREA}.neighborhood").select_index(0).run()
            assert not at.exception
            # Organiser forms only for a role that may edit them.
            forms = {b.key for b in at.button} & {state.CONCERN_SAVE, state.PLAN_SAVE}
            assert bool(forms) == policy.can(role, "edit_forms"), (role, forms)
        if key in BUTTONS:
            action, count = BUTTONS[key]
            expected = (
                count if policy.may_view(role, key) and policy.can(role, action) else 0
            )
            assert len(at.get("download_button")) == expected, (role, key)
    events = audit.read_events(audit_file, user=name)
    denied = set(events.loc[events["event"] == "access_denied", "target"])
    viewed = set(events.loc[events["event"] == "page_view", "target"])
    assert denied == ALL_PAGES - policy.pages_for(role)
    assert viewed == policy.pages_for(role)
    assert (events["role"] == role).all()
    assert events["event"].iloc[0] == "sign_in_ok"


def test_page_view_rows_carry_the_filter_values(local_app):
    at, audit_file = local_app
    sign_in(at.run(), "ann", PASSWORDS["ann"][1])
    at.multiselect(key="_w.categories").set_value(["burglary"]).run()
    views = audit.read_events(audit_file, user="ann")
    views = views[views["event"] == "page_view"]
    last = json.loads(views["detail"].iloc[-1])
    assert views["target"].iloc[-1] == "overview"
    assert last["categories"] == ["burglary"] and last["level"] == "neighborhood"
    assert "start" in last and "end" in last


def test_five_wrong_passwords_lock_and_the_right_one_is_then_refused(local_app):
    at, audit_file = local_app
    at.run()
    for _ in range(5):
        sign_in(at, "cmd", "wrong")
    assert "locked" in at.error[0].value.lower()
    sign_in(at, "cmd", PASSWORDS["cmd"][1])
    assert at.title[0].value == "Sign in to beatprofile"
    assert "locked" in at.error[0].value.lower()
    events = list(audit.read_events(audit_file, user="cmd")["event"])
    assert events == ["sign_in_failed"] * 4 + ["lockout", "sign_in_failed"]


def test_idle_session_is_signed_out_and_audited(local_app):
    at, audit_file = local_app
    sign_in(at.run(), "org", PASSWORDS["org"][1])
    assert at.session_state[state.AUTH_USER] == "org"
    at.session_state[state.AUTH_LAST_SEEN] = datetime.now().astimezone() - timedelta(
        minutes=31
    )
    at.run()
    assert at.title[0].value == "Sign in to beatprofile"
    assert "Signed out after 30 idle minutes" in at.info[0].value
    events = audit.read_events(audit_file, user="org")
    last = events.iloc[-1]
    assert (last["event"], last["outcome"]) == ("sign_out", "idle")


def test_sign_out_button_ends_the_session_with_an_audit_row(local_app):
    at, audit_file = local_app
    sign_in(at.run(), "adm", PASSWORDS["adm"][1])
    at.sidebar.button(key="signin.logout").click().run()
    assert at.title[0].value == "Sign in to beatprofile"
    assert audit.read_events(audit_file, user="adm")["event"].iloc[-1] == "sign_out"
