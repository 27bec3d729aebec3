"""Watch meeting: one area's public-safe map and three panels, for a projector.

``?mode=present`` hides the sidebar, toolbar and organiser tools; ``&level=``
and ``&area=`` pick the area. Every figure comes from
:func:`pipelines.community.watch_report.build_watch_report` (public-safe by
construction) and drawn by :mod:`dashboard.watch_view`, the renderer the
public server shares; injected HTML is static CSS only, data text is escaped.
"""

from urllib.parse import urlencode

import streamlit as st

from dashboard import loaders, state, watch_forms, watch_view
from dashboard.access import gate
from pipelines.render.offline_export import watch_meeting_html
from pipelines.render.watch_export import static_bytes

present = st.query_params.get("mode") == "present"
path, meta = loaders.open_store_or_stop()
watch_view.page_style(present)
level, area_id, names, title_col = watch_view.choose_area(
    list(meta.get("levels", [])), lambda lv: loaders.load_areas(path, lv)
)
if area_id is None:
    st.info(f"Choose a {level} to show at the meeting.")
    st.stop()
st.query_params.update({"level": level, "area": area_id})
report = loaders.load_watch_report(path, level, area_id)
watch_view.render_report(report, title_col)

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
