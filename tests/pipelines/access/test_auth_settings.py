"""``[auth]`` and ``[audit]`` in beatprofile.toml."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.errors import ConfigError
from pipelines.settings import AuthSettings, load_settings

BASE = """
[department]
analysis_crs = "EPSG:26996"
[store]
path = "store/beatprofile.duckdb"
[[levels]]
name = "beat"
polygons = "beats.geojson"
"""


def _config(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "beatprofile.toml"
    path.write_text(extra + BASE, encoding="utf-8")
    return path


def test_without_auth_or_audit_sections_the_defaults_apply(tmp_path):
    settings = load_settings(_config(tmp_path, ""))
    assert settings.auth == AuthSettings(
        method="none", users_file=tmp_path / "beatprofile-users.json"
    )
    assert (settings.auth.idle_minutes, settings.auth.lockout_attempts) == (30, 5)
    assert settings.auth.lockout_minutes == 15
    assert settings.audit_path == tmp_path / "store" / "beatprofile-audit.duckdb"
    assert settings.audit_retention_days == 365


def test_the_audit_file_follows_a_store_given_on_the_command_line(tmp_path):
    settings = load_settings(_config(tmp_path, ""), store=tmp_path / "x" / "s.duckdb")
    assert settings.audit_path == tmp_path / "x" / "s-audit.duckdb"


def test_the_documented_auth_and_audit_sections_are_read(tmp_path):
    settings = load_settings(
        _config(
            tmp_path,
            """
[auth]
method = "local"
users_file = "accounts/users.json"
idle_minutes = 20
lockout_attempts = 3
lockout_minutes = 60
[auth.oidc]
role_claim = "roles"
[auth.oidc.roles]
analyst = ["pau-analysts", "crime-analysts"]
commander = "watch-commanders"
admin = ["beatprofile-admins"]
[audit]
path = "audit/trail.duckdb"
retention_days = 730
""",
        )
    )
    assert settings.auth == AuthSettings(
        method="local",
        users_file=tmp_path / "accounts" / "users.json",
        idle_minutes=20,
        lockout_attempts=3,
        lockout_minutes=60,
        oidc_role_claim="roles",
        oidc_roles={
            "analyst": ("pau-analysts", "crime-analysts"),
            "commander": ("watch-commanders",),
            "admin": ("beatprofile-admins",),
        },
    )
    assert settings.audit_path == tmp_path / "audit" / "trail.duckdb"
    assert settings.audit_retention_days == 730


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            '[auth.oidc.roles]\nchief = ["command-staff"]\n',
            "[auth.oidc.roles] has an unknown role 'chief'; the roles are analyst, "
            "commander, organizer, admin; rename or remove that key",
        ),
        (
            "[auth.oidc.roles]\nanalyst = [3]\n",
            "[auth.oidc.roles] `analyst` must be a group name or a list of them",
        ),
        (
            '[auth]\nmethod = "ldap"\n',
            "[auth] `method` was 'ldap' but is expected to be one of: local, oidc, "
            "none",
        ),
        (
            "[auth]\nlockout_attempts = 0\n",
            "[auth] `lockout_attempts` was 0 but is expected to be a whole number of "
            "at least 1",
        ),
        (
            "[auth]\nidle_minutes = 2.5\n",
            "[auth] `idle_minutes` was 2.5 but is expected to be a whole number",
        ),
        (
            "[audit]\nretention_days = true\n",
            "[audit] `retention_days` was True but is expected to be a whole number",
        ),
        ('auth = "local"\n', "`auth` must be a table [auth]; found 'local'"),
    ],
)
def test_bad_auth_settings_are_config_errors_naming_file_and_key(
    tmp_path, extra, message
):
    config = _config(tmp_path, extra)
    with pytest.raises(ConfigError, match=re.escape(f"{config}: {message}")):
        load_settings(config)
