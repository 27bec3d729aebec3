"""Sector summary (commanders): counts against the prior period and last year with
a significance flag, 52-week sparklines, response and workload; beats drill-down."""

from functools import partial

import pandas as pd
import streamlit as st

from dashboard import loaders
from dashboard.access import gate
from pipelines.analysis.compstat import (
    FLAG_LEGEND,
    WORKLOAD_COLUMNS,
    comparison_notes,
    compstat_styles,
    compstat_table,
    latest_complete_week_end,
    sector_summary,
)
from pipelines.analysis.windows import WEEK_DAYS, trailing

path, meta = loaders.open_store_or_stop()
levels = list(meta.get("levels", []))
first, last = loaders.load_bounds(path)
with st.sidebar:
    level = st.selectbox("Summarize by", levels[1:] or levels, key="sector.level")
    categories = tuple(
        st.multiselect(
            "Categories (none = all crimes)",
            loaders.load_categories(path),
            key="sector.categories",
        )
    )
    week_end = st.date_input(
        "Week ending (Sunday)",
        value=latest_complete_week_end(last),
        min_value=first,
        max_value=last,
        key="sector.week",
    )
week_end = latest_complete_week_end(pd.Timestamp(week_end))
span = loaders.load_data_span(path)

st.title("Sector summary")
st.caption(
    f"Week {trailing(week_end, WEEK_DAYS).start:%d %b} to {week_end:%d %b %Y}; "
    f"{', '.join(categories) if categories else 'all crimes'}. Worst first "
    "(significant 28-day rises, then the largest 28-day change); click a column "
    "header to sort. Red: a significant rise; green: a significant fall."
)
st.markdown("  \n".join(f"**{mark}** {words}" for mark, words in FLAG_LEGEND.items()))
notes = comparison_notes(week_end, span)
if notes:
    st.warning("  \n".join(notes))


def summary_table(level_name: str, area_ids: list[str] | None = None) -> pd.DataFrame:
    areas = loaders.load_areas(path, level_name)
    if area_ids is not None:
        areas = areas[areas["area_id"].isin(area_ids)]
    table = compstat_table(
        loaders.load_level_daily(path, level_name, categories),
        areas,
        week_end,
        loaders.load_data_gaps(path),
        span,
    )
    return sector_summary(table, loaders.load_workload(path, level_name))


PERCENT = (
    "Held",
    "Held > 30 min",
    "Own beat's unit",
    "Phone/online reports",
    "Utilization (60% guideline)",
)
CHANGE = [f"{c}: % change" for c in ("7 days", "28 days", "Year to date")]
CONFIG = {
    "Area": st.column_config.TextColumn("Area", width="small", pinned=True),
    "Name": st.column_config.TextColumn("Name", width="medium", pinned=True),
    "Last 52 weeks": st.column_config.LineChartColumn("Last 52 weeks", width="medium"),
    **{
        c: st.column_config.NumberColumn(format="percent", width="small")
        for c in PERCENT
    },
    **{c: st.column_config.NumberColumn(format="%.1f%%") for c in CHANGE},
    "Utilization (60% guideline)": st.column_config.NumberColumn(
        "Utilization", format="percent", width="small", help="60% guideline"
    ),
    "Emergency response, median (min)": st.column_config.NumberColumn(
        "Emergency, median (min)", format="%.1f", help="Emergency response, median"
    ),
    "Response, 90th pct (min)": st.column_config.NumberColumn(
        "90th pct (min)", format="%.1f", help="Response time, 90th percentile"
    ),
    "Own beat's unit": st.column_config.NumberColumn(
        "Own beat",
        format="percent",
        width="small",
        help="Share of calls answered by the beat's own unit",
    ),
    "Phone/online reports": st.column_config.NumberColumn(
        "Phone/online",
        format="percent",
        width="small",
        help="Share of calls taken as phone or online reports",
    ),
}
CAD = ["Area", "Name", *WORKLOAD_COLUMNS.values()]


def show(summary: pd.DataFrame) -> None:
    """The CompStat counts (colored flags), then the calls and response (CAD)."""
    counts = [c for c in summary.columns if c not in CAD[2:]]
    st.dataframe(
        summary.style.apply(compstat_styles, axis=None),
        hide_index=True,
        width="stretch",
        column_config=CONFIG,
        column_order=counts,
    )
    if summary["Calls"].isna().all():
        return  # no CAD calls: said once under the table, not a grid of blanks
    st.dataframe(
        summary,
        hide_index=True,
        width="stretch",
        column_config=CONFIG,
        column_order=CAD,
    )


if loaders.load_areas(path, level).empty:
    st.error(
        f"No {level} areas in this store: no incident was assigned to any {level}. "
        "See the label agreement on the Data quality page."
    )
    st.stop()
summary = summary_table(level)
show(summary)
if summary["Calls"].isna().all():
    st.caption(
        "No CAD calls in this store: response and workload columns are blank. "
        "Load a CAD export, or run `beatprofile simulate-cad` for synthetic calls."
    )

if level != levels[0]:
    st.subheader(f"Drill down: the {levels[0]}s of one {level}")
    chosen = st.selectbox(level.capitalize(), list(summary["Area"]), key="sector.drill")
    children = loaders.load_child_areas(path, levels[0], level, chosen)
    show(summary_table(levels[0], children))

gate.download_button(
    "export_packet",
    "Weekly packet (PDF)",
    # Made when clicked: drawing every sector's page takes seconds on a big store.
    # The packet follows the page: the same week, categories and level.
    partial(loaders.load_packet_pdf, path, str(week_end.date()), categories, level),
    rows=len(summary),
    file_name=f"packet_{week_end:%Y-%m-%d}.pdf",
    mime="application/pdf",
)
