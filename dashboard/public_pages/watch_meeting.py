"""Public watch meeting: the same view as the dashboard's, read from the public store.

Drawn by :mod:`dashboard.watch_view`; every figure was made public-safe by
``beatprofile publish``. No organiser tools, no downloads, no other page.
"""

import streamlit as st

from dashboard import public_loaders, watch_view

present = st.query_params.get("mode") == "present"
path, meta = public_loaders.open_public_or_stop()
watch_view.page_style(present)
level, area_id, names, title_col = watch_view.choose_area(
    list(meta.get("levels", [])), lambda lv: public_loaders.load_public_areas(path, lv)
)
if area_id is None:
    st.info(f"Choose a {level} to show at the meeting.")
    st.stop()
st.query_params.update({"level": level, "area": area_id})
watch_view.render_report(
    public_loaders.load_public_report(path, level, area_id), title_col
)
st.caption(
    f"Public figures as of {meta.get('as_of')}, published {meta.get('built_at')}."
)
