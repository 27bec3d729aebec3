"""The policy table, walked for every role x page and role x action against the
grants of issue 14 written out by hand here (not derived from the module)."""

from __future__ import annotations

import pytest

from pipelines.access import policy
from pipelines.errors import AccessDenied, BeatprofileError, ConfigError

PAGES = [
    "overview",
    "area_profile",
    "hotspots",
    "backtest",
    "data_quality",
    "watch_meeting",
    "sector_summary",
    "audit",
    "users",
]
ACTIONS = [
    "incident_detail",
    "export_incidents",
    "export_packet",
    "export_watch",
    "export_plan",
    "edit_forms",
    "read_audit",
    "manage_users",
]
GRANTED_PAGES = {
    "analyst": {
        "overview",
        "area_profile",
        "hotspots",
        "backtest",
        "data_quality",
        "watch_meeting",
        "sector_summary",
    },
    "commander": {"sector_summary", "area_profile", "hotspots"},
    "organizer": {"watch_meeting"},
    "admin": {"audit", "users"},
}
GRANTED_ACTIONS = {
    "analyst": {
        "incident_detail",
        "export_incidents",
        "export_packet",
        "export_watch",
        "export_plan",
        "edit_forms",
    },
    "commander": {"export_packet"},
    "organizer": {"edit_forms", "export_watch"},
    "admin": {"read_audit", "manage_users"},
}


def test_the_module_knows_exactly_the_roles_pages_and_actions_of_the_issue():
    assert policy.ROLES == ("analyst", "commander", "organizer", "admin")
    assert set(policy.PAGES) == set(PAGES)
    assert set(policy.ACTIONS) == set(ACTIONS)
    assert policy.NO_SIGN_IN_ROLE == "analyst"


@pytest.mark.parametrize("role", list(GRANTED_PAGES))
@pytest.mark.parametrize("page", PAGES)
def test_every_role_sees_exactly_its_pages(role, page):
    assert policy.may_view(role, page) is (page in GRANTED_PAGES[role])


@pytest.mark.parametrize("role", list(GRANTED_PAGES))
def test_pages_for_lists_exactly_the_granted_pages(role):
    assert policy.pages_for(role) == frozenset(GRANTED_PAGES[role])


@pytest.mark.parametrize("role", list(GRANTED_ACTIONS))
@pytest.mark.parametrize("action", ACTIONS)
def test_every_role_may_do_exactly_its_actions(role, action):
    granted = action in GRANTED_ACTIONS[role]
    assert policy.can(role, action) is granted
    if granted:
        policy.require(role, action, "x.csv")
    else:
        with pytest.raises(
            AccessDenied, match=f"role '{role}' may not .*\\({action}\\)"
        ):
            policy.require(role, action, "x.csv")


def test_a_refusal_names_role_action_target_and_who_to_ask():
    with pytest.raises(AccessDenied) as info:
        policy.require("commander", "export_incidents", "thefts.csv")
    message = str(info.value)
    assert message == (
        "role 'commander' may not export incidents (export_incidents) on thefts.csv; "
        "ask a beatprofile admin to change your role (`beatprofile users set-role`, "
        "or the group mapping in [auth.oidc.roles])"
    )
    assert isinstance(info.value, BeatprofileError)


@pytest.mark.parametrize(
    "call",
    [
        lambda: policy.pages_for("chief"),
        lambda: policy.may_view("chief", "overview"),
        lambda: policy.can("chief", "export_packet"),
        lambda: policy.require("chief", "export_packet"),
    ],
)
def test_an_unknown_role_is_a_config_error_listing_the_roles(call):
    with pytest.raises(
        ConfigError,
        match="unknown role 'chief'; the roles are analyst, commander, organizer, "
        "admin",
    ):
        call()


def test_an_unknown_page_or_action_key_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown page key 'maps'"):
        policy.may_view("analyst", "maps")
    with pytest.raises(ValueError, match="unknown action key 'export_all'"):
        policy.can("analyst", "export_all")
    with pytest.raises(ValueError, match="unknown action key 'export_all'"):
        policy.require("analyst", "export_all")
