"""Who is signed in: an OIDC user (``st.user``), a local account, or nobody.

With ``[auth] method = "none"`` (the demo on 127.0.0.1) the single local user
has :data:`pipelines.access.policy.NO_SIGN_IN_ROLE`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import streamlit as st

from dashboard import state
from pipelines.access import audit, policy
from pipelines.errors import ConfigError
from pipelines.settings import Settings

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
SECRET_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret")
SECRET_KEYS += ("server_metadata_url",)


@dataclass(frozen=True)
class Identity:
    """The signed-in user; ``role`` is None for an OIDC user no group maps."""

    user: str
    role: str | None
    method: str
    groups: tuple[str, ...] = ()


def role_from_claim(value: object, mapping: Mapping[str, Sequence[str]]) -> str | None:
    """The role whose groups meet the claim's value (a list or one string).

    When groups of several roles are present the first in ``policy.ROLES`` wins;
    no group of the mapping gives None (never a default role).

    Example
    -------
    >>> role_from_claim(["x", "watch-commanders"], {"commander": ["watch-commanders"]})
    'commander'
    """
    groups = {value} if isinstance(value, str) else set(value or ())
    for role in policy.ROLES:
        if groups & set(mapping.get(role, ())):
            return role
    return None


def current_identity(settings: Settings, now: datetime) -> Identity | None:
    """The identity of this session's user, or None when signed out."""
    method = settings.auth.method
    if method == "none":
        return Identity("local user", policy.NO_SIGN_IN_ROLE, "none")
    if method == "oidc":
        return _oidc_identity(settings)
    return _local_identity(settings, now)


def check_oidc_secrets(settings: Settings) -> None:
    """Raise ConfigError unless secrets.toml has a complete ``[auth]``."""
    try:
        section = st.secrets.get("auth")
    except (FileNotFoundError, OSError):  # no secrets file at all
        section = None
    missing = [k for k in SECRET_KEYS if not section or k not in section]
    if missing:
        raise ConfigError(
            f'{settings.config_path}: [auth] method is "oidc" but .streamlit/'
            f"secrets.toml has no [auth] {', '.join(missing)}; add them there "
            '(see README, Operations) or set method = "local" and add users with '
            "`beatprofile users add`"
        )


def _oidc_identity(settings: Settings) -> Identity | None:
    check_oidc_secrets(settings)
    if not st.user.is_logged_in:
        return None
    claim = settings.auth.oidc_role_claim
    value = st.user.get(claim)
    groups = (value,) if isinstance(value, str) else tuple(value or ())
    name = str(st.user.get("email") or st.user.get("sub") or "unknown")
    found = Identity(name, role_from_claim(value, settings.auth.oidc_roles), "oidc")
    found = Identity(found.user, found.role, "oidc", groups)
    if st.session_state.get(state.AUTH_OIDC_RECORDED) != name:
        st.session_state[state.AUTH_OIDC_RECORDED] = name
        outcome = "ok" if found.role else "no_role"
        event = "sign_in_ok" if found.role else "access_denied"
        audit.record(
            settings.audit_path,
            event,
            name,
            found.role or "",
            "sign_in",
            outcome,
            {"method": "oidc", claim: list(groups)},
        )
    return found


def _local_identity(settings: Settings, now: datetime) -> Identity | None:
    user = st.session_state.get(state.AUTH_USER)
    if user is None:
        return None
    role = st.session_state[state.AUTH_ROLE]
    last = st.session_state.get(state.AUTH_LAST_SEEN, now)
    if now - last > timedelta(minutes=settings.auth.idle_minutes):
        audit.record(
            settings.audit_path,
            "sign_out",
            user,
            role,
            "session",
            "idle",
            {"idle_minutes": settings.auth.idle_minutes},
        )
        forget_local(f"Signed out after {settings.auth.idle_minutes} idle minutes.")
        return None
    st.session_state[state.AUTH_LAST_SEEN] = now
    return Identity(user, role, "local")


def forget_local(message: str = "") -> None:
    """Drop the local session (sign-out); ``message`` shows on the sign-in page."""
    for key in (state.AUTH_USER, state.AUTH_ROLE, state.AUTH_LAST_SEEN):
        st.session_state.pop(key, None)
    if message:
        st.session_state[state.AUTH_FLASH] = message
