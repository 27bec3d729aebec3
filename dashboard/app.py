"""beatprofile dashboard: routes to the pages in app_pages/ (the only job here).

Which pages a user sees is decided by ``dashboard.access.router`` from the
sign-in and the one policy module.
"""

import streamlit as st

from dashboard.access import router
from pipelines.errors import BeatprofileError

st.set_page_config(page_title="beatprofile", layout="wide")

try:
    router.run()
except BeatprofileError as exc:  # every domain error: its message says the fix
    st.error(f"Error: {exc}")
