"""beatprofile dashboard: routes to the pages in app_pages/ (the only job here)."""

import streamlit as st

from pipelines.errors import BeatprofileError

st.set_page_config(page_title="beatprofile", layout="wide")

PAGES = {
    "Planning and Analysis": [
        st.Page(
            "app_pages/overview.py",
            title="Overview",
            icon=":material/map:",
            default=True,
        ),
        st.Page(
            "app_pages/area_profile.py",
            title="Area profile",
            icon=":material/insights:",
        ),
        st.Page("app_pages/hotspots.py", title="Hotspots", icon=":material/grid_on:"),
        st.Page(
            "app_pages/backtest.py",
            title="Method back-test",
            icon=":material/query_stats:",
        ),
        st.Page(
            "app_pages/data_quality.py",
            title="Data quality",
            icon=":material/fact_check:",
        ),
    ],
    "Watch meetings": [
        # An emoji icon: a Material icon as the tab icon fetches a web font.
        st.Page("app_pages/watch_meeting.py", title="Watch meeting", icon="👥"),
    ],
    "Commanders": [
        st.Page(
            "app_pages/sector_summary.py",
            title="Sector summary",
            icon=":material/table_chart:",
        ),
    ],
}

try:
    st.navigation(PAGES).run()
except BeatprofileError as exc:  # every domain error: its message says the fix
    st.error(f"Error: {exc}")
