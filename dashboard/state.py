"""Session-state keys and defaults, in one place. Widget keys are page-namespaced."""

from __future__ import annotations

# Shared between pages.
LEVEL = "shared.level"
START = "shared.start"
END = "shared.end"
CATEGORIES = "shared.categories"
AREA = "shared.area_id"

# Overview page widgets.
OVERVIEW_MEASURE = "overview.measure"
OVERVIEW_TABLE = "overview.table"
OVERVIEW_MAP = "overview.map"

# Area profile page widgets.
PROFILE_AREA = "profile.area"

MEASURES = {"count": "Incidents", "rate": "Rate per 1,000 residents"}
DEFAULT_MEASURE = "count"
DEFAULT_DAYS = 365

# Hotspot page widgets.
HOTSPOT_CATEGORY = "hotspots.category"
HOTSPOT_METHOD = "hotspots.method"
HOTSPOT_MAP = "hotspots.map"
HOTSPOT_RANK_CATEGORIES = "hotspots.rank_categories"

# Back-test page widgets.
BACKTEST_CATEGORY = "backtest.category"
BACKTEST_COVERAGE = "backtest.coverage"

# Watch-meeting page widgets (maps and per-plan widgets add the area or plan id).
WATCH_LEVEL = "watch.level"
WATCH_AREA = "watch.area"  # + ".<level>"
WATCH_MAP = "watch.map"  # + ".<level>.<area_id>"
WATCH_DOWNLOAD_HTML = "watch.download.html"
WATCH_DOWNLOAD_PDF = "watch.download.pdf"
WATCH_FLASH = "watch.flash"
"""Message to show once after a save (set before ``st.rerun``)."""

# Watch-meeting forms: record a concern, change its status, new plan, response.
CONCERN_DATE = "watch.concern.date"
CONCERN_CATEGORY = "watch.concern.category"
CONCERN_NOTE = "watch.concern.note"
CONCERN_STATUS = "watch.concern.status"
CONCERN_SAVE = "watch.concern.save"
STATUS_CONCERN = "watch.status.concern"
STATUS_VALUE = "watch.status.value"
STATUS_SAVE = "watch.status.save"
PLAN_TITLE = "watch.plan.title"
PLAN_CATEGORIES = "watch.plan.categories"
PLAN_NOTES = "watch.plan.notes"
PLAN_SAVE = "watch.plan.save"
RESPONSE_PLAN = "watch.response.plan"
RESPONSE_DESCRIPTION = "watch.response.description"
RESPONSE_START = "watch.response.start"
RESPONSE_END = "watch.response.end"
RESPONSE_SAVE = "watch.response.save"

# Sign-in (dashboard.access): who is signed in, and what was last audited.
AUTH_USER = "auth.user"
AUTH_ROLE = "auth.role"
AUTH_LAST_SEEN = "auth.last_seen"
"""When the signed-in user last made the app rerun (idle sign-out counts from it)."""
AUTH_OIDC_RECORDED = "auth.oidc_recorded"
"""The OIDC subject whose ``sign_in_ok`` is already in the audit trail."""
AUTH_LAST_VIEW = "auth.last_view"
"""(page, filter values) of the last ``page_view`` row, so a rerun is not a view."""
AUTH_FLASH = "auth.flash"
SIGNIN_NAME = "signin.name"
SIGNIN_PASSWORD = "signin.password"
SIGNIN_SUBMIT = "signin.submit"
