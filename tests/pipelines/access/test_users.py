"""Local accounts: argon2 hashes, the lockout, corrupt files."""

from __future__ import annotations

import json
import logging
import os
import re
from datetime import UTC, datetime, timedelta

import pytest

from pipelines.access import users
from pipelines.errors import ConfigError
from pipelines.settings import AuthSettings

PASSWORD = "correct horse battery staple"
NOON = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
AUTH = AuthSettings(method="local", lockout_attempts=5, lockout_minutes=15)


@pytest.fixture
def user_file(tmp_path):
    path = tmp_path / "users.json"
    users.add_user(path, "ana", "analyst", PASSWORD)
    return path


def test_the_file_holds_an_argon2id_hash_and_never_the_password(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    path = tmp_path / "users.json"
    users.add_user(path, "ana", "analyst", PASSWORD)
    users.verify(path, "ana", PASSWORD, NOON, AUTH)
    users.verify(path, "ana", PASSWORD + "x", NOON, AUTH)
    entry = json.loads(path.read_text())["users"]["ana"]
    assert entry["hash"].startswith("$argon2id$")
    assert PASSWORD not in path.read_text()
    assert caplog.records, "the account functions log what they do"
    assert PASSWORD not in caplog.text
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert not list(tmp_path.glob(".users.json.tmp-*"))


def test_the_right_password_signs_in_with_the_role(user_file):
    result = users.verify(user_file, "ana", PASSWORD, NOON, AUTH)
    assert (result.outcome, result.role) == ("ok", "analyst")


def test_a_wrong_password_and_an_unknown_user_get_the_same_message(user_file):
    wrong = users.verify(user_file, "ana", "nope", NOON, AUTH)
    unknown = users.verify(user_file, "bob", PASSWORD, NOON, AUTH)
    assert (wrong.outcome, unknown.outcome) == ("bad_password", "unknown_user")
    assert wrong.message == unknown.message == "Wrong user name or password."
    assert wrong.role is unknown.role is None


def test_five_wrong_passwords_lock_and_the_sixth_try_is_refused_even_if_right(
    user_file,
):
    outcomes = [
        users.verify(user_file, "ana", f"wrong {i}", NOON + timedelta(seconds=i), AUTH)
        for i in range(5)
    ]
    assert [o.outcome for o in outcomes] == ["bad_password"] * 4 + ["locked_now"]
    sixth = users.verify(user_file, "ana", PASSWORD, NOON + timedelta(minutes=1), AUTH)
    assert (sixth.outcome, sixth.role) == ("locked", None)
    assert "locked until" in sixth.message
    still = users.verify(user_file, "ana", PASSWORD, NOON + timedelta(minutes=14), AUTH)
    assert still.outcome == "locked"


def test_after_fifteen_minutes_the_right_password_works_and_resets_the_count(
    user_file,
):
    for _i in range(5):
        users.verify(user_file, "ana", "wrong", NOON, AUTH)
    later = NOON + timedelta(minutes=15, seconds=1)
    assert users.verify(user_file, "ana", PASSWORD, later, AUTH).outcome == "ok"
    (record,) = users.list_users(user_file)
    assert (record.failed, record.locked_until) == (0, None)
    # a fresh count: four more wrong passwords do not lock again
    for _i in range(4):
        result = users.verify(user_file, "ana", "wrong", later, AUTH)
    assert result.outcome == "bad_password"


def test_success_resets_the_failed_count(user_file):
    for _ in range(4):
        users.verify(user_file, "ana", "wrong", NOON, AUTH)
    assert users.list_users(user_file)[0].failed == 4
    users.verify(user_file, "ana", PASSWORD, NOON, AUTH)
    assert users.list_users(user_file)[0].failed == 0
    assert users.verify(user_file, "ana", "wrong", NOON, AUTH).outcome == "bad_password"


def test_the_lockout_follows_the_settings(user_file):
    strict = AuthSettings(method="local", lockout_attempts=2, lockout_minutes=60)
    users.verify(user_file, "ana", "wrong", NOON, strict)
    assert users.verify(user_file, "ana", "wrong", NOON, strict).outcome == "locked_now"
    at_59 = NOON + timedelta(minutes=59)
    assert users.verify(user_file, "ana", PASSWORD, at_59, strict).outcome == "locked"


def test_unlock_opens_a_locked_account_at_once(user_file):
    for _ in range(5):
        users.verify(user_file, "ana", "wrong", NOON, AUTH)
    users.unlock(user_file, "ana")
    assert users.verify(user_file, "ana", PASSWORD, NOON, AUTH).outcome == "ok"


def test_set_role_remove_and_list(user_file):
    users.add_user(user_file, "cmd", "commander", "another pass")
    users.set_role(user_file, "ana", "admin")
    assert [(r.name, r.role) for r in users.list_users(user_file)] == [
        ("ana", "admin"),
        ("cmd", "commander"),
    ]
    users.remove_user(user_file, "cmd")
    assert [r.name for r in users.list_users(user_file)] == ["ana"]


@pytest.mark.parametrize(
    ("name", "role", "password", "message"),
    [
        ("ana", "analyst", "pw", "user 'ana' already exists in .*users.json"),
        ("bob", "chief", "pw", "unknown role 'chief'; the roles are analyst, "),
        ("bob", "analyst", "", "the password for 'bob' is empty"),
        ("b ob", "analyst", "pw", "user name 'b ob' is not valid: use 1 to 64"),
    ],
)
def test_add_user_refuses_bad_input(user_file, name, role, password, message):
    with pytest.raises(ConfigError, match=message):
        users.add_user(user_file, name, role, password)


def test_changing_an_unknown_user_names_the_known_ones(user_file):
    with pytest.raises(ConfigError, match=r"no user 'bob' in .* \(users: ana\)"):
        users.set_role(user_file, "bob", "admin")
    with pytest.raises(ConfigError, match="no user 'bob'"):
        users.remove_user(user_file, "bob")
    with pytest.raises(ConfigError, match="no user 'bob'"):
        users.unlock(user_file, "bob")


def test_signing_in_without_a_user_file_is_an_error_not_an_open_door(tmp_path):
    with pytest.raises(
        ConfigError,
        match="there is no user file at .*missing.json; add the first user with "
        "`beatprofile users add NAME --role admin`",
    ):
        users.verify(tmp_path / "missing.json", "ana", PASSWORD, NOON, AUTH)


FIX = (
    r"restore it from backup or remove it and add users again with "
    r"`beatprofile users add`"
)


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"\x89PNG\x00\xff\xfe garbage", "cannot be read as JSON"),
        (b'{"version": 1, "users": {"ana"', "cannot be read as JSON"),
        (b"[1, 2, 3]", 'expected {"version": 1, "users": {...}}'),
        (b'{"version": 2, "users": {}}', 'expected {"version": 1'),
        (b'{"version": 1, "users": []}', "`users` is not a table of accounts"),
        (b'{"version": 1, "users": {"ana": "x"}}', "account 'ana' is not a table"),
        (
            b'{"version": 1, "users": {"ana": {"role": "analyst", "failed": 0, '
            b'"created": "2025-01-01"}}}',
            "account 'ana' has no valid `hash`",
        ),
        (
            b'{"version": 1, "users": {"ana": {"role": "chief", "hash": "h", '
            b'"failed": 0, "locked_until": null, "created": "2025-01-01"}}}',
            "account 'ana' has an unknown role 'chief'",
        ),
    ],
)
def test_a_corrupt_user_file_is_a_config_error_with_the_fix(tmp_path, content, why):
    path = tmp_path / "users.json"
    path.write_bytes(content)
    pattern = f"{path} is not a beatprofile user file \\({re.escape(why)}.*\\): {FIX}"
    for call in (
        lambda: users.load_users(path),
        lambda: users.list_users(path),
        lambda: users.verify(path, "ana", PASSWORD, NOON, AUTH),
        lambda: users.add_user(path, "bob", "analyst", PASSWORD),
    ):
        with pytest.raises(ConfigError, match=pattern):
            call()
    assert path.read_bytes() == content, "a corrupt file is never overwritten"
