"""Admin: the audit trail, filtered by date and user, with an audited CSV export."""

from datetime import date, timedelta

import streamlit as st

from dashboard.access import gate, trail
from pipelines.access import audit
from pipelines.exports import to_csv_text

st.title("Audit trail")
if not gate.allowed("read_audit"):
    st.error("Your role may not read the audit trail; ask an admin.")
    st.stop()
settings = trail.app_settings()
st.caption(
    f"Append-only; kept {settings.audit_retention_days} days; file "
    f"{settings.audit_path}. Nothing here can change it."
)
left, right = st.columns(2)
since = left.date_input(
    "Since", value=date.today() - timedelta(days=7), key="audit.since"
)
user = right.text_input("User (empty = everyone)", key="audit.user").strip()
events = audit.read_events(settings.audit_path, since=since, user=user or None)
st.dataframe(events, hide_index=True, width="stretch")
st.caption(f"{len(events):,} events.")
gate.download_button(
    "read_audit",
    "Audit events (CSV)",
    to_csv_text(events),
    rows=len(events),
    file_name=f"audit_since_{since:%Y-%m-%d}.csv",
    mime="text/csv",
)
