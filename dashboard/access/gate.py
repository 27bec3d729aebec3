"""The one place pages ask whether the signed-in role may do something.

Pages call :func:`allowed`, :func:`download_button` and
:func:`show_incidents`; each asks :func:`pipelines.access.policy.can` and
writes the audit row. No page compares role names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.access import trail
from pipelines.access import policy
from pipelines.errors import AccessDenied


def current_role() -> str | None:
    """The role of the current run's identity (None when signed out)."""
    who = st.session_state.get(trail.IDENTITY)
    return who.role if who else None


def allowed(action: str) -> bool:
    """True if the signed-in role may do ``action`` (a policy action key)."""
    role = current_role()
    return role is not None and policy.can(role, action)


def require(action: str, target: str = "") -> None:
    """Raise AccessDenied (via policy) unless the signed-in role may ``action``."""
    role = current_role()
    if role is None:
        raise AccessDenied(f"sign in first to {action}")
    policy.require(role, action, target)


def download_button(
    action: str,
    label: str,
    data: Any,
    *,
    rows: int | None,
    file_name: str,
    where: Any = None,
    **kwargs: Any,
) -> bool:
    """An export button, drawn only if the role may ``action``; each click is
    an ``export`` audit row with the file name and row count.

    Returns whether the button was drawn.
    """
    if not allowed(action):
        return False
    detail = {"action": action, "rows": rows, "file": file_name}
    target = where if where is not None else st
    target.download_button(
        label,
        data,
        file_name=file_name,
        on_click=_recorder("export", file_name, detail),
        **kwargs,
    )
    return True


def _recorder(event: str, target: str, detail: dict) -> Callable[[], None]:
    def write() -> None:
        trail.record(event, target, "ok", {**detail, **trail.filter_values()})

    return write


def show_incidents(frame: pd.DataFrame, target: str, **kwargs: Any) -> bool:
    """An incident list (block addresses, offences): shown only to a role that
    may see ``incident_detail``, with an ``incident_list_view`` audit row.

    Returns whether the list was shown.
    """
    if not allowed("incident_detail"):
        st.info("Incident-level detail is not shown to your role.")
        return False
    trail.record(
        "incident_list_view",
        target,
        "ok",
        {"rows": len(frame), **trail.filter_values()},
    )
    st.dataframe(frame, **kwargs)
    return True
