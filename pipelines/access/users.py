"""STAND-IN (h14c) of h14a's local-account module, to the issue-14 shared design."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError

from pipelines.access.policy import ROLES
from pipelines.errors import ConfigError

_HASHER = PasswordHasher()


@dataclass(frozen=True)
class UserRecord:
    name: str
    role: str
    failed: int
    locked_until: str | None
    created: str


@dataclass(frozen=True)
class SignInResult:
    outcome: str
    role: str | None
    message: str


def load_users(path: Path) -> dict:
    """The user file's ``users`` mapping ({} if the file does not exist)."""
    path = Path(path)
    if not path.exists():
        return {}
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        users = doc["users"]
        if doc.get("version") != 1 or not isinstance(users, dict):
            raise ValueError("version or users missing")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"{path} is not a beatprofile user file ({exc}): restore it from backup "
            "or remove it and add users again with `beatprofile users add`"
        ) from exc
    return users


def _save(path: Path, users: dict) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".users-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"version": 1, "users": users}, fh, indent=1)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ConfigError(f"unknown role {role!r}; known roles: {', '.join(ROLES)}")


def _existing(users: dict, path: Path, name: str) -> dict:
    if name not in users:
        raise ConfigError(f"{path}: no user {name!r}")
    return users[name]


def add_user(path: Path, name: str, role: str, password: str) -> None:
    users = load_users(path)
    if name in users:
        raise ConfigError(f"{path}: user {name!r} exists already")
    _check_role(role)
    if not password:
        raise ConfigError("the password is empty")
    users[name] = {
        "role": role,
        "hash": _HASHER.hash(password),
        "failed": 0,
        "locked_until": None,
        "created": datetime.now().astimezone().isoformat(),
    }
    _save(path, users)


def remove_user(path: Path, name: str) -> None:
    users = load_users(path)
    _existing(users, path, name)
    del users[name]
    _save(path, users)


def set_role(path: Path, name: str, role: str) -> None:
    users = load_users(path)
    _check_role(role)
    _existing(users, path, name)["role"] = role
    _save(path, users)


def unlock(path: Path, name: str) -> None:
    users = load_users(path)
    record = _existing(users, path, name)
    record["failed"], record["locked_until"] = 0, None
    _save(path, users)


def list_users(path: Path) -> list[UserRecord]:
    return [
        UserRecord(n, u["role"], u["failed"], u["locked_until"], u["created"])
        for n, u in sorted(load_users(path).items())
    ]


def verify(
    path: Path, name: str, password: str, now: datetime, settings
) -> SignInResult:  # noqa: ANN001
    users = load_users(path)
    record = users.get(name)
    if record is None:
        return SignInResult("unknown_user", None, "unknown user or wrong password")
    until = record.get("locked_until")
    if until and datetime.fromisoformat(until) > now:
        return SignInResult("locked", None, f"account locked until {until}")
    try:
        _HASHER.verify(record["hash"], password)
    except VerificationError:
        record["failed"] = int(record.get("failed", 0)) + 1
        if record["failed"] >= settings.lockout_attempts:
            locked = now + timedelta(minutes=settings.lockout_minutes)
            record["locked_until"], record["failed"] = locked.isoformat(), 0
            _save(path, users)
            return SignInResult("locked_now", None, "too many failures: locked")
        _save(path, users)
        return SignInResult("bad_password", None, "unknown user or wrong password")
    record["failed"], record["locked_until"] = 0, None
    _save(path, users)
    return SignInResult("ok", record["role"], "signed in")
