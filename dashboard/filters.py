"""The sidebar filters shared by the analysis pages (level, dates, categories).

Widget state is dropped by Streamlit when a page stops drawing a widget, so the
chosen values are copied to plain session keys (``dashboard.state``) after every
run and used as the widgets' defaults on the next page.
"""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from dashboard import loaders, state
from dashboard.access import trail
from pipelines.queries import Filters
from pipelines.render.text import md_escape


def sidebar_filters(path: str, with_categories: bool = True) -> Filters:
    """Draw the shared filters in the sidebar and return what they say."""
    meta = loaders.load_meta(path)
    levels = list(meta.get("levels", []))
    first, last = loaders.load_bounds(path)
    approximate = set(meta.get("approximate_levels", []))
    with st.sidebar:
        st.caption(
            f"{md_escape(meta.get('department', ''))}: data up to {last:%d %b %Y}"
        )
        level = st.selectbox(
            "Area level",
            levels,
            index=levels.index(st.session_state.get(state.LEVEL, levels[0])),
            format_func=lambda lv: (
                f"{lv} (approximate map)" if lv in approximate else lv
            ),
            key="_w.level",
        )
        default_start = max(first, last - timedelta(days=state.DEFAULT_DAYS - 1))
        picked = st.date_input(
            "Dates (occurred)",
            value=(
                st.session_state.get(state.START, default_start),
                st.session_state.get(state.END, last),
            ),
            min_value=first,
            max_value=last,
            key="_w.dates",
        )
        start, end = _date_range(picked, default_start, last)
        categories: tuple[str, ...] = ()
        if with_categories:
            options = loaders.load_categories(path)
            chosen = st.multiselect(
                "Categories (none = all)",
                options,
                default=[
                    c
                    for c in st.session_state.get(state.CATEGORIES, ())
                    if c in options
                ],
                key="_w.categories",
            )
            categories = tuple(chosen)
    st.session_state[state.LEVEL] = level
    st.session_state[state.START] = start
    st.session_state[state.END] = end
    st.session_state[state.CATEGORIES] = categories
    trail.record_filters_view()
    return Filters(level=level, start=start, end=end, categories=categories)


def _date_range(picked: object, default_start: date, last: date) -> tuple[date, date]:
    """A half-picked range (one date while the user is choosing) keeps the old end."""
    if isinstance(picked, (tuple, list)):
        if len(picked) == 2:
            return picked[0], picked[1]
        if len(picked) == 1:
            return picked[0], st.session_state.get(state.END, last)
    if isinstance(picked, date):
        return picked, st.session_state.get(state.END, last)
    return default_start, last


def describe_filters(f: Filters) -> str:
    """One line saying what the page shows."""
    what = ", ".join(f.categories) if f.categories else "all categories"
    return f"{what}; {f.start:%d %b %Y} to {f.end:%d %b %Y} ({f.days} days)"
