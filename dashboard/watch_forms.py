"""Organisers' tools on the watch-meeting page: concerns and beat plans.

Analyst view only: the page stops before calling these in presentation mode,
and no public output reads what is typed here (concern notes, plan titles,
analysis notes, responses). Each form checks its input through the library
(:mod:`pipelines.community.priorities`, :mod:`pipelines.community.beat_plans`) and shows the
library's message with ``st.error``. A save releases the app's read-only
connection, writes with :func:`pipelines.store.open_store_for_write`,
clears the watch-meeting caches and reruns, so the page shows the new state
and a one-line confirmation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import partial
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboard import loaders, state
from dashboard.access import gate, trail
from pipelines import schema as s
from pipelines import store
from pipelines.community import beat_plans, priorities
from pipelines.errors import BeatprofileError
from pipelines.render import plan_export
from pipelines.render.public_maps import make_assessment_map
from pipelines.render.text import md_escape

NOTE_PREVIEW = 40
_CONCERN_INPUTS = (state.CONCERN_NOTE,)
_PLAN_INPUTS = (state.PLAN_TITLE, state.PLAN_CATEGORIES, state.PLAN_NOTES)
_RESPONSE_INPUTS = (state.RESPONSE_DESCRIPTION, state.RESPONSE_END)


def show_saved_message() -> None:
    """The confirmation of the last save, once."""
    message = st.session_state.pop(state.WATCH_FLASH, None)
    if message:
        st.success(message)


def concern_section(path: str, level: str, area_id: str) -> None:
    """Record a concern; list the area's concerns; change one's status."""
    if not gate.allowed("edit_forms"):
        st.info("Your role may not see or record organisers' concerns.")
        return
    with st.form("watch.concern"):
        st.markdown("**Record a concern raised at a meeting**")
        day = st.date_input("Meeting date", value=date.today(), key=state.CONCERN_DATE)
        category = st.selectbox("Problem", s.CATEGORIES, key=state.CONCERN_CATEGORY)
        note = st.text_area(
            "Note (organisers only; never shown publicly)", key=state.CONCERN_NOTE
        )
        status = st.selectbox("Status", priorities.STATUSES, key=state.CONCERN_STATUS)
        if st.form_submit_button("Save concern", key=state.CONCERN_SAVE):
            concern = priorities.Concern(day, level, area_id, category, note, status)
            _save(
                path,
                lambda: priorities.record_concern(Path(path), concern),
                "Concern saved. The ranking uses it from the next build.",
                _CONCERN_INPUTS,
                target=f"concern:{level}:{area_id}",
                detail={"category": category, "status": status},
            )

    concerns = loaders.load_concerns(path, level, area_id)
    if concerns.empty:
        st.info("No concern recorded for this area yet.")
        return
    st.dataframe(
        concerns[["meeting_date", "category", "status", "note"]],
        hide_index=True,
        width="stretch",
        column_config={
            "meeting_date": st.column_config.DateColumn("Meeting", format="D MMM YYYY"),
            "category": "Problem",
            "status": "Status",
            "note": "Note (organisers only)",
        },
    )
    labels = dict(zip(concerns["concern_id"], _concern_labels(concerns), strict=True))
    with st.form("watch.status"):
        st.markdown("**Change a concern's status**")
        concern_id = st.selectbox(
            "Concern",
            list(labels),
            format_func=lambda c: labels[c],
            key=state.STATUS_CONCERN,
        )
        new_status = st.selectbox(
            "New status", priorities.STATUSES, key=state.STATUS_VALUE
        )
        if st.form_submit_button("Update status", key=state.STATUS_SAVE):
            _save(
                path,
                partial(_write_status, path, str(concern_id), new_status),
                f"Status set to {new_status!r}. The ranking uses it from the next "
                "build.",
                target=f"concern_status:{concern_id}",
                detail={"status": new_status},
            )


def plan_section(path: str, level: str, area_id: str, area_name: str) -> None:
    """The area's plans with their assessments, then forms for a plan and a response."""
    if not gate.allowed("edit_forms"):
        st.info("Your role may not see or change beat plans.")
        return
    plans = loaders.load_plans(path, level, area_id)
    if not plans:
        st.info("No beat plan for this area yet.")
    for plan in plans:
        _show_plan(path, plan, area_name)
    _new_plan_form(path, level, area_id)
    _response_form(path, plans)


def _new_plan_form(path: str, level: str, area_id: str) -> None:
    with st.form("watch.plan"):
        st.markdown("**Start a beat plan for this area**")
        title = st.text_input("Plan title", key=state.PLAN_TITLE)
        categories = st.multiselect(
            "Problems the plan tackles", s.CATEGORIES, key=state.PLAN_CATEGORIES
        )
        notes = st.text_area(
            "Analysis notes (problem-solving team only; never shown publicly)",
            key=state.PLAN_NOTES,
        )
        if st.form_submit_button("Save plan", key=state.PLAN_SAVE):
            _save(
                path,
                partial(_write_plan, path, level, area_id, title, categories, notes),
                f"Plan {title.strip()!r} saved. Add a response with its start date "
                "to assess it.",
                _PLAN_INPUTS,
                target=f"plan:{level}:{area_id}",
                detail={"categories": list(categories)},
            )


def _response_form(path: str, plans: Sequence[beat_plans.BeatPlan]) -> None:
    if not plans:
        return
    titles = {p.plan_id: p.title for p in plans}
    with st.form("watch.response"):
        st.markdown("**Add a response to a plan**")
        plan_id = st.selectbox(
            "Plan",
            list(titles),
            format_func=lambda p: titles[p],
            key=state.RESPONSE_PLAN,
        )
        description = st.text_input(
            "What was done (e.g. directed patrols, Fri-Sat nights)",
            key=state.RESPONSE_DESCRIPTION,
        )
        start, end = st.columns(2)
        started = start.date_input(
            "Start date", value=date.today(), key=state.RESPONSE_START
        )
        ended = end.date_input(
            "End date (leave empty if ongoing)", value=None, key=state.RESPONSE_END
        )
        if st.form_submit_button("Save response", key=state.RESPONSE_SAVE):
            _save(
                path,
                partial(
                    _write_response, path, str(plan_id), description, started, ended
                ),
                "Response saved; the assessment below uses its start date.",
                _RESPONSE_INPUTS,
                target=f"plan_response:{plan_id}",
                detail={"start": str(started), "end": str(ended)},
            )


def _show_plan(path: str, plan: beat_plans.BeatPlan, area_name: str) -> None:
    """One plan: its lines, the assessment map and the two exports."""
    st.subheader(md_escape(plan.title))
    assessment = None
    try:
        assessment = loaders.load_assessment(path, plan)
    except BeatprofileError as exc:
        st.info(str(exc))
    for head, text in plan_export.plan_lines(plan, assessment, area_name):
        st.markdown(f"**{md_escape(head)}**: " + md_escape(text).replace("\n", "  \n"))
    if assessment is not None:
        st_folium(
            make_assessment_map(assessment.geometries),
            height=480,
            key=f"watch.assessment.{plan.plan_id}",
            returned_objects=[],
            use_container_width=True,
        )
    html_col, pdf_col = st.columns(2)
    gate.download_button(
        "export_plan",
        "Plan as HTML",
        partial(plan_export.plan_html, plan, assessment, area_name),
        rows=None,
        file_name=f"plan-{plan.plan_id}.html",
        mime="text/html",
        key=f"watch.plan_html.{plan.plan_id}",
        where=html_col,
    )
    gate.download_button(
        "export_plan",
        "Plan as PDF",
        partial(plan_export.plan_pdf_bytes, plan, assessment, area_name),
        rows=None,
        file_name=f"plan-{plan.plan_id}.pdf",
        mime="application/pdf",
        key=f"watch.plan_pdf.{plan.plan_id}",
        where=pdf_col,
    )


def _save(
    path: str,
    write: Callable[[], object],
    message: str,
    reset: Sequence[str] = (),
    *,
    target: str,
    detail: Mapping[str, object],
) -> None:
    """Run one write; on success clear caches and inputs and rerun, else st.error.

    Either way a ``form_change`` audit row says what was written (never the
    note's text) and whether it was saved.
    """
    gate.require("edit_forms", target)
    loaders.release_store(path)
    try:
        write()
    except BeatprofileError as exc:
        trail.record("form_change", target, "failed", {**detail, "error": str(exc)})
        st.error(f"Not saved: {exc}")
        return
    trail.record("form_change", target, "ok", dict(detail))
    loaders.clear_watch_caches()
    for key in reset:
        st.session_state.pop(key, None)
    st.session_state[state.WATCH_FLASH] = message
    st.rerun()


def _write_status(path: str, concern_id: str, status: str) -> None:
    with store.open_store_for_write(Path(path)) as con:
        priorities.set_concern_status(con, concern_id, status)


def _write_plan(
    path: str,
    level: str,
    area_id: str,
    title: str,
    categories: Sequence[str],
    notes: str,
) -> None:
    with store.open_store_for_write(Path(path)) as con:
        beat_plans.add_plan(con, level, area_id, title, categories, notes.strip())


def _write_response(
    path: str, plan_id: str, description: str, start: date, end: date | None
) -> None:
    with store.open_store_for_write(Path(path)) as con:
        beat_plans.add_response(con, plan_id, description, start, end)


def _concern_labels(concerns: pd.DataFrame) -> list[str]:
    """``12 Nov 2019 · burglary · open · first words of the note``."""
    out = []
    for row in concerns.itertuples(index=False):
        note = str(row.note or "")
        short = note[:NOTE_PREVIEW] + ("…" if len(note) > NOTE_PREVIEW else "")
        parts = [f"{pd.Timestamp(row.meeting_date):%d %b %Y}", row.category, row.status]
        out.append(" · ".join([*parts, short] if short else parts))
    return out
