"""Local accounts for departments with no identity provider (argon2id hashes).

The user file is JSON, ``{"version": 1, "users": {name: {"role", "hash",
"failed", "locked_until", "created"}}}``, written atomically (a temporary file
renamed over it) with mode 0600. A clear password is never stored or logged.
After ``lockout_attempts`` wrong passwords an account is locked for
``lockout_minutes``; while locked every try is refused, even the right password.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from pipelines.access.policy import check_role
from pipelines.errors import ConfigError
from pipelines.settings import AuthSettings
from pipelines.store import user_tables_lock

log = logging.getLogger(__name__)

FILE_VERSION = 1
OUTCOMES = ("ok", "bad_password", "unknown_user", "locked", "locked_now")
_HASHER = PasswordHasher()
# Checked against when the user is unknown, so both cases cost the same time.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")
_FIELDS = {"role": str, "hash": str, "failed": int, "created": str}


@dataclass(frozen=True)
class UserRecord:
    """One local account as listed (no hash)."""

    name: str
    role: str
    failed: int
    locked_until: datetime | None
    created: datetime


@dataclass(frozen=True)
class SignInResult:
    """What a sign-in attempt came to: ``outcome`` in :data:`OUTCOMES`, the
    role when ``"ok"``, and a message to show the person signing in."""

    outcome: str
    role: str | None
    message: str


def load_users(path: Path) -> dict[str, dict]:
    """The accounts of a user file, by name; ``{}`` if the file does not exist.

    Raises
    ------
    ConfigError
        If the file cannot be read or is not a beatprofile user file.

    Example
    -------
    >>> load_users(Path("/nowhere/users.json"))
    {}
    """
    path = Path(path)
    if not path.exists():
        return {}
    try:
        doc = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _corrupt(path, f"cannot be read as JSON: {exc}") from exc
    problem = _shape_problem(doc)
    if problem:
        raise _corrupt(path, problem)
    return doc["users"]


def _shape_problem(doc: object) -> str:
    """What is wrong with the shape of a parsed user file ('' if nothing)."""
    if not isinstance(doc, dict) or doc.get("version") != FILE_VERSION:
        return f'expected {{"version": {FILE_VERSION}, "users": {{...}}}}'
    if not isinstance(doc.get("users"), dict):
        return "`users` is not a table of accounts"
    for name, entry in doc["users"].items():
        if not isinstance(entry, dict):
            return f"account '{name}' is not a table"
        for key, kind in _FIELDS.items():
            if not isinstance(entry.get(key), kind) or isinstance(entry[key], bool):
                return f"account '{name}' has no valid `{key}`"
        if not isinstance(entry.get("locked_until", None), str | None):
            return f"account '{name}' has no valid `locked_until`"
        try:
            check_role(entry["role"])
        except ConfigError:
            return f"account '{name}' has an unknown role '{entry['role']}'"
    return ""


def _corrupt(path: Path, why: str) -> ConfigError:
    return ConfigError(
        f"{path} is not a beatprofile user file ({why}): restore it from backup or "
        "remove it and add users again with `beatprofile users add`"
    )


def _save(path: Path, users: dict[str, dict]) -> None:
    """Write the user file atomically, readable by its owner only."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    text = json.dumps({"version": FILE_VERSION, "users": users}, indent=2) + "\n"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _check_name(name: str) -> str:
    if (
        not name
        or len(name) > 64
        or any(c.isspace() or not c.isprintable() for c in name)
    ):
        raise ConfigError(
            f"user name {name!r} is not valid: use 1 to 64 characters with no spaces "
            "(e.g. jsmith)"
        )
    return name


def _existing(users: dict[str, dict], name: str, path: Path) -> dict:
    if name not in users:
        known = ", ".join(sorted(users)) or "none yet"
        raise ConfigError(
            f"no user '{name}' in {path} (users: {known}); check the name with "
            "`beatprofile users list`"
        )
    return users[name]


def add_user(path: Path, name: str, role: str, password: str) -> None:
    """Add a local account with an argon2id hash of ``password``.

    Raises
    ------
    ConfigError
        If the name is taken or not valid, the role is unknown, the password is
        empty, or the file is not a user file.

    Example
    -------
    >>> add_user(Path("/tmp/doc-users.json"), "ana", "analyst", "s3cret-words")
    ... # doctest: +SKIP
    """
    _check_name(name)
    check_role(role)
    if not password:
        raise ConfigError(f"the password for '{name}' is empty; type a password")
    with user_tables_lock(Path(path)):
        users = load_users(path)
        if name in users:
            raise ConfigError(
                f"user '{name}' already exists in {path}; pick another name, or "
                f"change the role with `beatprofile users set-role {name} ROLE`"
            )
        users[name] = {
            "role": role,
            "hash": _HASHER.hash(password),
            "failed": 0,
            "locked_until": None,
            "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        }
        _save(path, users)
    log.info("user %s added to %s with role %s", name, path, role)


def remove_user(path: Path, name: str) -> None:
    """Remove a local account.

    Raises
    ------
    ConfigError
        If there is no such user.
    """
    with user_tables_lock(Path(path)):
        users = load_users(path)
        _existing(users, name, path)
        del users[name]
        _save(path, users)
    log.info("user %s removed from %s", name, path)


def set_role(path: Path, name: str, role: str) -> None:
    """Give a local account another role.

    Raises
    ------
    ConfigError
        If there is no such user or the role is unknown.
    """
    check_role(role)
    with user_tables_lock(Path(path)):
        users = load_users(path)
        _existing(users, name, path)["role"] = role
        _save(path, users)
    log.info("user %s in %s now has role %s", name, path, role)


def unlock(path: Path, name: str) -> None:
    """Clear a local account's lockout and failed-attempt count.

    Raises
    ------
    ConfigError
        If there is no such user.
    """
    with user_tables_lock(Path(path)):
        users = load_users(path)
        entry = _existing(users, name, path)
        entry["failed"], entry["locked_until"] = 0, None
        _save(path, users)
    log.info("user %s in %s unlocked", name, path)


def list_users(path: Path) -> list[UserRecord]:
    """The local accounts, by name (no hashes); ``[]`` if the file does not exist.

    Example
    -------
    >>> list_users(Path("/nowhere/users.json"))
    []
    """
    return [
        UserRecord(
            name=name,
            role=entry["role"],
            failed=entry["failed"],
            locked_until=_when(entry["locked_until"]),
            created=datetime.fromisoformat(entry["created"]),
        )
        for name, entry in sorted(load_users(path).items())
    ]


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def verify(
    path: Path, name: str, password: str, now: datetime, settings: AuthSettings
) -> SignInResult:
    """Check a sign-in attempt and record its effect on the lockout.

    Parameters
    ----------
    path : Path
        The user file (``settings.users_file``).
    name, password : str
        What was typed.
    now : datetime
        The present (passed in so tests can move the clock); naive = local time.
    settings : AuthSettings
        ``lockout_attempts`` and ``lockout_minutes``.

    Returns
    -------
    SignInResult
        ``ok`` (with the role; the failed count is reset), ``bad_password``,
        ``unknown_user``, ``locked_now`` (this failure locked the account) or
        ``locked`` (refused without looking at the password).

    Raises
    ------
    ConfigError
        If the user file is missing or corrupt (never a silent open door).
    """
    path = Path(path)
    if not path.exists():
        raise ConfigError(
            f"[auth] method is local but there is no user file at {path}; add the "
            "first user with `beatprofile users add NAME --role admin`"
        )
    now = now.astimezone()
    with user_tables_lock(path):
        users = load_users(path)
        if name not in users:
            _matches(_DUMMY_HASH, password)
            return SignInResult("unknown_user", None, _WRONG)
        entry = users[name]
        result = _attempt(entry, password, now, settings)
        if result.outcome == "ok" and _HASHER.check_needs_rehash(entry["hash"]):
            entry["hash"] = _HASHER.hash(password)
        _save(path, users)
    log.info("sign-in of %s: %s", name, result.outcome)
    return result


_WRONG = "Wrong user name or password."


def _attempt(
    entry: dict, password: str, now: datetime, settings: AuthSettings
) -> SignInResult:
    """Apply one attempt to ``entry`` (mutated) and say how it went."""
    locked_until = _when(entry["locked_until"])
    if locked_until is not None and now < locked_until:
        return SignInResult("locked", None, _locked_message(locked_until))
    if locked_until is not None:  # the lockout has run out: a fresh count
        entry["failed"], entry["locked_until"] = 0, None
    if _matches(entry["hash"], password):
        entry["failed"] = 0
        return SignInResult("ok", entry["role"], "Signed in.")
    entry["failed"] += 1
    if entry["failed"] >= settings.lockout_attempts:
        until = now + timedelta(minutes=settings.lockout_minutes)
        entry["locked_until"] = until.isoformat(timespec="seconds")
        return SignInResult("locked_now", None, _locked_message(until))
    return SignInResult("bad_password", None, _WRONG)


def _locked_message(until: datetime) -> str:
    return (
        f"Too many wrong passwords: this account is locked until {until:%H:%M} "
        "(ask an admin to run `beatprofile users unlock` to open it sooner)."
    )


def _matches(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False
