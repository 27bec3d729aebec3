"""Watch meeting: one area's public-safe map and three panels, for a projector.

``?mode=present`` hides the sidebar, toolbar and organiser tools; ``&level=``
and ``&area=`` pick the area. Every figure comes from
:func:`pipelines.community.watch_report.build_watch_report` (public-safe by
construction); injected HTML is static CSS only, data text is escaped.
"""

from urllib.parse import urlencode

import streamlit as st
from streamlit_folium import st_folium

from dashboard import loaders, state, watch_forms
from dashboard.access import gate
from pipelines.render.offline_export import watch_meeting_html
from pipelines.render.public_maps import make_public_map, public_monthly_chart
from pipelines.render.text import md_escape
from pipelines.render.watch_export import static_bytes

MAP_HEIGHT = 860
MARKERS = {"up": ":red[**▲**]", "down": ":blue[**▼**]", "same": ":gray[**●**]"}
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


present = st.query_params.get("mode") == "present"
path, meta = loaders.open_store_or_stop()
st.markdown(BIG_TEXT_CSS + (HIDE_CHROME_CSS if present else ""), unsafe_allow_html=True)

levels = list(meta.get("levels", []))
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
areas = loaders.load_areas(path, level).sort_values("name")
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
if area_id is None:
    st.info(f"Choose a {level} to show at the meeting.")
    st.stop()
st.query_params.update({"level": level, "area": area_id})
report = loaders.load_watch_report(path, level, area_id)
title_col.title(md_escape(report.area_name))

map_col, panel_col = st.columns([2.2, 1])
with map_col:
    st_folium(
        make_public_map(report.areas, report.k),
        key=f"{state.WATCH_MAP}.{level}.{area_id}",
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
        st.altair_chart(public_monthly_chart(report.monthly, report.k), width="stretch")
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

if present:
    st.stop()

link = urlencode({"mode": "present", "level": level, "area": area_id})
st.markdown(
    f"[Open presentation mode](?{link}) · use ← → on the tabs to move between panels."
)
room, printed = st.columns(2)
gate.download_button(
    "export_watch",
    "For the room: offline HTML",
    lambda: watch_meeting_html(report),
    rows=None,
    file_name=f"watch-meeting-{level}-{area_id}.html",
    mime="text/html",
    key=state.WATCH_DOWNLOAD_HTML,
    where=room,
)
gate.download_button(
    "export_watch",
    "For printing: PDF",
    lambda: static_bytes(report, "pdf"),
    rows=None,
    file_name=f"watch-meeting-{level}-{area_id}.pdf",
    mime="application/pdf",
    key=state.WATCH_DOWNLOAD_PDF,
    where=printed,
)

watch_forms.show_saved_message()
with st.expander("Concerns raised at meetings"):
    watch_forms.concern_section(path, level, area_id)
with st.expander("Beat plans for this area"):
    watch_forms.plan_section(path, level, area_id, names[area_id])
