"""Audit rows written by the dashboard, with the signed-in user and role."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import streamlit as st

from dashboard import loaders, state
from pipelines.access import audit
from pipelines.settings import Settings

IDENTITY = "auth.identity"
"""The Identity of the current run (set by the router before a page runs)."""
PAGE = "auth.page"
"""The policy key of the page this run shows (None for a refusal)."""


def app_settings() -> Settings:
    """The running app's settings (config and store from the command line)."""
    return loaders.load_app_settings(
        str(loaders.config_path()), str(loaders.store_path())
    )


def record(
    event: str, target: str = "", outcome: str = "ok", detail: Mapping | None = None
) -> None:
    """Write one audit row for the current user (see ``pipelines.access.audit``)."""
    who = st.session_state.get(IDENTITY)
    user = who.user if who else "signed out"
    role = (who.role or "") if who else ""
    audit.record(app_settings().audit_path, event, user, role, target, outcome, detail)


def filter_values() -> dict[str, object]:
    """The shared filter values (``dashboard.filters`` keeps them in session)."""
    values = {
        "level": st.session_state.get(state.LEVEL),
        "start": st.session_state.get(state.START),
        "end": st.session_state.get(state.END),
        "categories": st.session_state.get(state.CATEGORIES),
        "area": st.session_state.get(state.AREA),
    }
    return {
        k: (v.isoformat() if isinstance(v, date) else v)
        for k, v in values.items()
        if v is not None
    }


def record_filters_view() -> None:
    """After the shared filters are drawn: a ``page_view`` row if they changed."""
    page = st.session_state.get(PAGE)
    if page is not None:
        record_page_view(page)


def record_page_view(page: str) -> None:
    """A ``page_view`` row, unless this page with these filters was the last one."""
    detail = filter_values()
    key = (page, repr(sorted(detail.items())))
    if st.session_state.get(state.AUTH_LAST_VIEW) == key:
        return
    st.session_state[state.AUTH_LAST_VIEW] = key
    record("page_view", page, "ok", detail)
