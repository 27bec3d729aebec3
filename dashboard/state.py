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
