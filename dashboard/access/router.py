"""The navigation: only sign-in when signed out; the role's pages when signed in.

Pages the role may not open stay registered but hidden, so a typed URL runs a
refusal (and an ``access_denied`` audit row) instead of the page.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import streamlit as st

from dashboard import loaders
from dashboard.access import identity, signin, trail
from pipelines.access import policy
from pipelines.errors import ConfigError
from pipelines.settings import Settings

PAGES_DIR = Path(__file__).resolve().parent.parent / "app_pages"


class PageSpec(NamedTuple):
    """One page of the app: its policy key, navigation section, title and icon."""

    key: str
    section: str
    title: str
    icon: str


# In navigation order; the file is app_pages/<key>.py and the URL path /<key>.
# Emoji icons only: Streamlit makes the open page's icon the browser-tab icon,
# and for a ":material/...:" icon it fetches that icon from fonts.gstatic.com
# (an emoji becomes an inline data: URL). Offline means nothing off-machine.
CATALOGUE = (
    PageSpec("overview", "Planning and Analysis", "Overview", "🗺️"),
    PageSpec("area_profile", "Planning and Analysis", "Area profile", "📈"),
    PageSpec("hotspots", "Planning and Analysis", "Hotspots", "🔥"),
    PageSpec("backtest", "Planning and Analysis", "Method back-test", "🧪"),
    PageSpec("data_quality", "Planning and Analysis", "Data quality", "🔎"),
    PageSpec("watch_meeting", "Watch meetings", "Watch meeting", "👥"),
    PageSpec("sector_summary", "Commanders", "Sector summary", "📋"),
    PageSpec("audit", "Admin", "Audit trail", "📜"),
    PageSpec("users", "Admin", "Users", "👤"),
)


def role_plan(role: str) -> list[tuple[PageSpec, bool]]:
    """Every page with whether ``role`` sees it listed (pure: testable).

    Listed: the pages ``policy.pages_for(role)``; every other page is still
    registered, hidden, and runs a refusal.
    """
    return [(spec, policy.may_view(role, spec.key)) for spec in CATALOGUE]


def role_pages(role: str) -> dict[str, list[st.Page]]:
    """Navigation sections for ``role`` from :func:`role_plan`; the default
    page is the first listed one, hidden pages go in the unnamed section."""
    sections: dict[str, list[st.Page]] = {}
    hidden: list[st.Page] = []
    plan = role_plan(role)
    first = next(spec.key for spec, listed in plan if listed)
    for spec, listed in plan:
        if listed:
            page = st.Page(
                PAGES_DIR / f"{spec.key}.py",
                title=spec.title,
                icon=spec.icon,
                url_path=spec.key,
                default=spec.key == first,
            )
            sections.setdefault(spec.section, []).append(page)
        else:
            refuse = signin.refusal(role, spec.title, spec.key)
            hidden.append(
                st.Page(
                    refuse, title=spec.title, url_path=spec.key, visibility="hidden"
                )
            )
    if hidden:
        sections.setdefault("", []).extend(hidden)
    return sections


def run() -> None:
    """Route this run: sign-in, the no-role refusal, or the role's pages."""
    settings = trail.app_settings()
    _guard_address(settings)
    who = identity.current_identity(settings, datetime.now().astimezone())
    st.session_state[trail.IDENTITY] = who
    if who is None:
        st.navigation(
            [st.Page(signin.sign_in_page, title="Sign in", url_path="sign_in")]
        ).run()
        return
    if who.role is None:

        def no_role() -> None:
            signin.no_role_page(who)

        st.navigation([st.Page(no_role, title="No role", url_path="no_role")]).run()
        return
    if who.method == "none":
        signin.no_sign_in_banner()
    else:
        signin.sign_out_button(who)
    current = st.navigation(role_pages(who.role))
    key = current.url_path or next(
        p.key for p in CATALOGUE if policy.may_view(who.role, p.key)
    )
    if policy.may_view(who.role, key):
        # Before the page: a page may st.stop(), after which no Streamlit call
        # runs. The shared filters write another row when the page changes them.
        st.session_state[trail.PAGE] = key
        trail.record_page_view(key)
    else:
        st.session_state.pop(trail.PAGE, None)
    current.run()


def _guard_address(settings: Settings) -> None:
    """With no sign-in, refuse to serve on an address other computers reach."""
    address = st.get_option("server.address")
    if settings.auth.method != "none" or not address:
        return
    if address in identity.LOOPBACK or loaders.insecure_no_auth():
        return
    raise ConfigError(
        f"the dashboard listens on {address} with no sign-in ([auth] method = "
        f'"none" in {settings.config_path}); configure [auth] method = "local" '
        'or "oidc", or listen on 127.0.0.1'
    )
