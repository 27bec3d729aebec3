"""The sign-in page (local accounts or the department's OIDC provider), the
refusal pages, and the sidebar's sign-out button."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from dashboard import loaders, state
from dashboard.access import identity, trail
from pipelines.access import users
from pipelines.errors import ConfigError
from pipelines.render.text import md_escape

_EVENTS = {
    "ok": "sign_in_ok",
    "bad_password": "sign_in_failed",
    "unknown_user": "sign_in_failed",
    "locked": "sign_in_failed",
    "locked_now": "lockout",
}


def sign_in_page() -> None:
    """Sign-in: a name/password form (local) or the provider's button (OIDC)."""
    settings = trail.app_settings()
    st.title("Sign in to beatprofile")
    flash = st.session_state.pop(state.AUTH_FLASH, None)
    if flash:
        st.info(flash)
    if settings.auth.method == "oidc":
        secrets = st.secrets["auth"]
        problem = loaders.load_oidc_client_problem(
            secrets["server_metadata_url"],
            secrets["client_id"],
            secrets["client_secret"],
        )
        if problem:  # st.login would hide it: the user would just land signed out
            raise ConfigError(problem)
        st.button("Sign in with your department account", on_click=st.login)
        return
    with st.form("signin"):
        name = st.text_input("User name", key=state.SIGNIN_NAME)
        password = st.text_input("Password", type="password", key=state.SIGNIN_PASSWORD)
        submitted = st.form_submit_button("Sign in", key=state.SIGNIN_SUBMIT)
    if submitted:
        _try_local(settings, name.strip(), password)


def _try_local(settings, name: str, password: str) -> None:  # noqa: ANN001
    now = datetime.now().astimezone()
    result = users.verify(settings.auth.users_file, name, password, now, settings.auth)
    audit_role = result.role or ""
    trail.audit.record(
        settings.audit_path,
        _EVENTS[result.outcome],
        name or "(empty)",
        audit_role,
        "sign_in",
        result.outcome,
        {"method": "local"},
    )
    if result.outcome != "ok":
        st.error(f"Not signed in: {result.message}")
        return
    st.session_state[state.AUTH_USER] = name
    st.session_state[state.AUTH_ROLE] = result.role
    st.session_state[state.AUTH_LAST_SEEN] = now
    st.rerun()


def no_role_page(who: identity.Identity) -> None:
    """An OIDC user whose groups map to no role: refused, never a default role."""
    settings = trail.app_settings()
    groups = ", ".join(who.groups) or "none"
    st.error(
        f"You are signed in as {md_escape(who.user)}, but none of your groups "
        f"({md_escape(groups)}) maps to a beatprofile role. Ask an admin to add you "
        f"to a group listed under [auth.oidc.roles] in {settings.config_path}."
    )
    st.button("Sign out", on_click=st.logout, key="signin.no_role.logout")


def refusal(role: str, title: str, key: str):  # noqa: ANN201 - page callable
    """The page run for a page the role may not open (typed URL): refuse, audit."""

    def refuse() -> None:
        trail.record("access_denied", key, "denied", {"page": title})
        st.error(
            f"Access denied: your role {role} may not open {title}; ask an admin "
            "for a role that may."
        )

    refuse.__name__ = f"refuse_{key}"
    return refuse


def sign_out_button(who: identity.Identity) -> None:
    """Sidebar: who is signed in, with what role, and a sign-out button."""
    with st.sidebar:
        st.caption(f"Signed in as {md_escape(who.user)} ({who.role})")
        if st.button("Sign out", key="signin.logout"):
            trail.record("sign_out", "session", "ok", {"method": who.method})
            if who.method == "oidc":
                st.session_state.pop(state.AUTH_OIDC_RECORDED, None)
                st.logout()
            identity.forget_local("Signed out.")
            st.rerun()


def no_sign_in_banner() -> None:
    """The demo's banner: no sign-in, so only this computer can reach it."""
    st.warning(
        "No sign-in: this dashboard is only reachable from this computer "
        "(127.0.0.1). Configure [auth] before serving it to others.",
        icon="🔓",
    )
