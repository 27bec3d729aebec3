"""The one watch-meeting renderer: area pickers, map and panels of a WatchReport.

Used by the full dashboard's watch page (report from the full store) and by
the public server's page (report from the public store), so the two cannot
drift apart. Imports nothing that opens a store.
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from dashboard import state
from pipelines.community.watch_report import WatchReport
from pipelines.render.public_maps import make_public_map, public_monthly_chart
from pipelines.render.text import md_escape

MAP_HEIGHT = 860
MARKERS = {
    "up": ":red[**▲**]",
    "down": ":blue[**▼**]",
    "same": ":gray[**●**]",
    "untested": ":gray[**–**]",
}
BIG_TEXT_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding: 1rem 1.5rem; max-width: 100%; }
.stMarkdown p, .stMarkdown li { font-size: 28px !important; line-height: 1.3; }
h1 { font-size: 44px !important; padding: 0 !important; }
[data-testid="stTab"] p { font-size: 28px !important; font-weight: 700; }
[data-testid="stWidgetLabel"] p { font-size: 20px !important; }
</style>"""
HIDE_CHROME_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stSidebarNav"] { display: none !important; }
</style>"""


def page_style(present: bool) -> None:
    """Projector-sized text; in presentation mode no sidebar or toolbar."""
    st.markdown(
        BIG_TEXT_CSS + (HIDE_CHROME_CSS if present else ""), unsafe_allow_html=True
    )


def choose_area(
    levels: list[str], load_areas: Callable[[str], gpd.GeoDataFrame]
) -> tuple[str, str | None, dict[str, str], st.delta_generator.DeltaGenerator]:
    """Level and area pickers (preset from ``?level=&area=``).

    Returns
    -------
    level, area_id (None until chosen), names by area id, the title column.
    """
    wanted = st.query_params.get("level")
    title_col, level_col, area_col = st.columns(
        [2.2, 0.5, 0.5], vertical_alignment="bottom"
    )
    level = level_col.selectbox(
        "Area level",
        levels,
        key=state.WATCH_LEVEL,
        index=levels.index(wanted) if wanted in levels else 0,
    )
    areas = load_areas(level).sort_values("name")
    names = dict(zip(areas["area_id"], areas["name"], strict=True))
    ids, wanted_area = list(names), st.query_params.get("area")
    area_id = area_col.selectbox(
        level.capitalize(),
        ids,
        index=ids.index(wanted_area) if wanted_area in ids else None,
        format_func=lambda a: str(names[a]),
        placeholder=f"Choose a {level}",
        key=f"{state.WATCH_AREA}.{level}",
    )
    return level, area_id, names, title_col


def render_report(report: WatchReport, title_col) -> None:  # noqa: ANN001
    """The title, the public map and the three panels with the withheld line."""
    title_col.title(md_escape(report.area_name))
    map_col, panel_col = st.columns([2.2, 1])
    with map_col:
        st_folium(
            make_public_map(report.areas, report.k),
            key=f"{state.WATCH_MAP}.{report.level}.{report.area_id}",
            height=MAP_HEIGHT,
            use_container_width=True,
            returned_objects=[],
        )
    with panel_col:
        problems, trend, raised = st.tabs(["Top problems", "Trend", "Last meeting"])
        with problems:
            for p in report.problems:
                st.markdown(
                    f"{MARKERS[p.trend]} **{md_escape(p.label)}**  \n"
                    f"{md_escape(p.sentence)}"
                )
            if not report.problems:
                st.markdown("No incidents in the last 56 days.")
        with trend:
            st.altair_chart(
                public_monthly_chart(report.monthly, report.k), width="stretch"
            )
            st.markdown(f"12 months in all: {md_escape(report.total_text)}")
        with raised:
            if report.last_meeting is None:
                st.markdown("No meeting recorded for this area yet.")
            else:
                st.markdown(f"Last meeting: {report.last_meeting:%d %b %Y}")
            for item in report.raised:
                st.markdown(
                    f"**{md_escape(item.label)}** ({md_escape(item.status)})  \n"
                    f"{md_escape(item.since)}"
                )
        st.markdown(md_escape(report.withheld))
