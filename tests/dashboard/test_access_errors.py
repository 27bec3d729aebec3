"""Bad sign-in configuration: an Error box with the fix, never a traceback and
never a silent fall back to no sign-in."""

from __future__ import annotations

import pytest

from dashboard.access.identity import role_from_claim
from tests.dashboard.access_helpers import local_config, new_app, write_config

OIDC = (
    '[auth]\nmethod = "oidc"\n[auth.oidc]\nrole_claim = "groups"\n'
    '[auth.oidc.roles]\ncommander = ["watch-commanders"]\n'
)


@pytest.fixture
def env(sample_store, monkeypatch):
    monkeypatch.setenv("BEATPROFILE_STORE", str(sample_store))

    def use(config):  # noqa: ANN001, ANN202
        monkeypatch.setenv("BEATPROFILE_CONFIG", str(config))
        return new_app()

    return use


def _only_an_error(at) -> str:  # noqa: ANN001
    assert not at.exception
    assert len(at.error) == 1
    assert not at.title and not at.dataframe  # no page, no sign-in fallback
    return at.error[0].value


def test_missing_secrets_with_oidc_is_an_error_naming_the_keys(env, tmp_path):
    at = env(write_config(tmp_path, OIDC))
    at.run()
    message = _only_an_error(at)
    assert message.startswith(f"Error: {tmp_path / 'beatprofile.toml'}: [auth] method")
    assert "secrets.toml has no [auth] redirect_uri, cookie_secret" in message
    assert "server_metadata_url" in message


def test_incomplete_secrets_name_what_is_missing(env, tmp_path):
    at = env(write_config(tmp_path, OIDC))
    at.secrets["auth"] = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback"}
    at.run()
    message = _only_an_error(at)
    assert "has no [auth] cookie_secret, client_id, client_secret" in message
    assert "redirect_uri," not in message


def test_unknown_role_in_the_claim_mapping_is_an_error(env, tmp_path):
    at = env(write_config(tmp_path, OIDC.replace("commander =", "sergeant =")))
    at.run()
    message = _only_an_error(at)
    assert message.startswith("Error: ")
    assert "sergeant" in message and "analyst" in message  # found, and allowed


def test_unknown_method_is_an_error(env, tmp_path):
    at = env(write_config(tmp_path, '[auth]\nmethod = "ldap"\n'))
    at.run()
    message = _only_an_error(at)
    assert "ldap" in message and "local" in message and "oidc" in message


def test_corrupt_user_file_is_an_error_at_sign_in(env, tmp_path):
    config = local_config(tmp_path)
    (tmp_path / "users.json").write_text("{not json", encoding="utf-8")
    at = env(config)
    at.run()
    assert at.title[0].value == "Sign in to beatprofile"
    at.text_input(key="signin.name").input("ann")
    at.text_input(key="signin.password").input("ann-pw-1")
    at.button(key="signin.submit").click().run()
    assert not at.exception
    message = at.error[0].value
    assert message.startswith(f"Error: {tmp_path / 'users.json'} is not a beatprofile")
    assert "beatprofile users add" in message
    assert "Signed in as" not in " ".join(c.value for c in at.sidebar.caption)


def test_no_sign_in_demo_shows_the_loopback_banner(env, tmp_path):
    at = env(write_config(tmp_path, ""))
    at.run()
    assert not at.exception
    assert "No sign-in: this dashboard is only reachable from this computer" in (
        at.warning[0].value
    )
    assert at.title[0].value == "Overview"


def test_no_sign_in_app_on_a_network_address_refuses(env, tmp_path):
    at = env(write_config(tmp_path, ""))
    from streamlit import config

    old = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    try:
        at.run()
    finally:
        config.set_option("server.address", old)
    message = _only_an_error(at)
    assert message.startswith("Error: the dashboard listens on 0.0.0.0 with no sign-in")
    assert 'method = "local"' in message


@pytest.mark.parametrize(
    ("claim", "role"),
    [
        (["watch-commanders"], "commander"),
        ("watch-commanders", "commander"),  # a single string claim
        (["pau-analysts", "beatprofile-admins"], "analyst"),  # first in ROLES
        (["someone-else"], None),  # no role: refused, never a default
        (None, None),
    ],
)
def test_role_from_claim(claim, role):
    mapping = {
        "analyst": ["pau-analysts"],
        "commander": ["watch-commanders"],
        "admin": ["beatprofile-admins"],
    }
    assert role_from_claim(claim, mapping) == role
