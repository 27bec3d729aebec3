"""Overview: a choropleth of areas and a table; selecting an area opens its profile."""

import streamlit as st
from streamlit_folium import st_folium

from dashboard import loaders, state
from dashboard.filters import describe_filters, sidebar_filters
from dashboard.selection import clicked_area_id
from pipelines.analysis.profiles import summarize_areas
from pipelines.render.maps import make_choropleth

PROFILE_PAGE = "app_pages/area_profile.py"

path, meta = loaders.open_store_or_stop()

filters = sidebar_filters(path)
st.title("Overview")
st.caption(describe_filters(filters))

measure = st.radio(
    "Shade areas by",
    list(state.MEASURES),
    format_func=state.MEASURES.get,
    horizontal=True,
    key=state.OVERVIEW_MEASURE,
)
areas = loaders.load_areas(path, filters.level)
if areas.empty:
    st.error(
        f"No {filters.level} areas in this store: no incident was assigned to any "
        f"{filters.level}. See the label agreement on the Data quality page and the "
        f"[labels] {filters.level} entry of the source profile."
    )
    st.stop()
table = summarize_areas(areas, loaders.load_area_counts(path, filters), filters.days)
has_rates = bool(table["rate_per_1000"].notna().any())
value_col = "n" if measure == "count" or not has_rates else "rate_per_1000"
if measure != "count" and not has_rates:
    st.info("No population table for this level: shaded by count.")
shaded = areas[["area_id", "geometry"]].merge(table, on="area_id")
if filters.level in meta.get("approximate_levels", []):
    st.warning(
        f"The {filters.level} boundaries are approximate: there are no official "
        f"{filters.level} polygons, so each neighborhood is drawn in the "
        f"{filters.level} most of its incidents are labelled with. Counts use the "
        "department's own labels."
    )

map_column, table_column = st.columns([3, 2])
with map_column:
    chosen = st.session_state.get(state.AREA)
    folium_map = make_choropleth(
        shaded,
        value_col,
        "name",
        "area_id",
        [
            ("area_id", filters.level.capitalize()),
            ("n", "Incidents"),
            *([("rate_per_1000", "Per 1,000 residents")] if has_rates else []),
        ],
        legend_title=state.MEASURES[measure],
        tiles=meta.get("tiles") or None,
        attribution=meta.get("tiles_attribution") or None,
        highlight_id=chosen,
    )
    clicked = clicked_area_id(
        st_folium(
            folium_map,
            key=f"{state.OVERVIEW_MAP}.{filters.level}",
            height=560,
            use_container_width=True,
            returned_objects=["last_active_drawing"],
        ),
        table["area_id"],
    )
with table_column:
    st.caption("Select a row (or click the map) to open the area's profile.")
    shown = table.rename(
        columns={
            "area_id": filters.level.capitalize(),
            "name": "Name",
            "n": "Incidents",
            "rate_per_1000": "Per 1,000 residents",
            "per_km2": "Per km²",
        }
    )[
        [
            filters.level.capitalize(),
            "Name",
            "Incidents",
            *(["Per 1,000 residents"] if has_rates else []),
            "Per km²",
        ]
    ]
    picked = st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=560,
        on_select="rerun",
        selection_mode="single-row",
        key=f"{state.OVERVIEW_TABLE}.{filters.level}",
        column_config={
            "Per 1,000 residents": st.column_config.NumberColumn(format="%.1f"),
            "Per km²": st.column_config.NumberColumn(format="%.1f"),
        },
    )
rows = picked.selection.rows if picked else []
selected = table["area_id"].iloc[rows[0]] if rows else clicked
if selected is not None and selected != st.session_state.get("overview.handled"):
    st.session_state["overview.handled"] = selected
    st.session_state[state.AREA] = selected
    st.switch_page(PROFILE_PAGE)
