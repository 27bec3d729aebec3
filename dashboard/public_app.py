"""beatprofile public server: routes ONLY the public watch-meeting page.

Started by ``beatprofile serve --public`` with ``-- --public-store PATH``; it
reads that file alone (:mod:`dashboard.public_loaders`) and imports nothing
that opens the full store. Any other URL (``/hotspots``, ``/overview``) is
not a page here: Streamlit says so and shows this page.
"""

import streamlit as st

from pipelines.errors import BeatprofileError

st.set_page_config(page_title="beatprofile: watch meeting", layout="wide")

PUBLIC_PAGES = [
    # An emoji icon: a Material icon as the tab icon fetches a web font.
    st.Page(
        "public_pages/watch_meeting.py", title="Watch meeting", icon="👥", default=True
    ),
]

try:
    st.navigation(PUBLIC_PAGES, position="hidden").run()
except BeatprofileError as exc:
    st.error(f"Error: {exc}")
