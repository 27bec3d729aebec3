"""Hotspot review (analysts): Gi*, kernel density, emerging hot spots and counts
per grid cell, the problem-priority rankings beside the map, a cell's incidents."""

import streamlit as st
from streamlit_folium import st_folium

from dashboard import loaders, state
from dashboard.access import gate
from dashboard.selection import clicked_feature_id
from pipelines.analysis.method_choice import choose_default_method
from pipelines.analysis.methods import page_method_for, page_methods
from pipelines.exports import RANKING_COLUMNS, cell_id_from_feature, to_csv_text
from pipelines.render.cell_maps import make_class_map, make_value_map
from pipelines.render.text import md_escape

TOP_CELLS = 600  # density / count layers show the densest cells only

path, meta = loaders.open_store_or_stop()
levels = list(meta.get("levels", []))
with st.sidebar:
    level = st.selectbox(
        "Area level (outlines and rankings)", levels, key="hotspots.level"
    )
    category = st.selectbox(
        "Category", loaders.load_hotspot_categories(path), key=state.HOTSPOT_CATEGORY
    )
backtest_method, why = choose_default_method(loaders.load_backtest(path), category)
shown_methods = {m.key: m for m in page_methods()}
st.title("Hotspots")
method = st.radio(
    "Method",
    list(shown_methods),
    format_func=lambda key: shown_methods[key].selector_label,
    horizontal=True,
    index=list(shown_methods).index(page_method_for(backtest_method)),
    key=f"{state.HOTSPOT_METHOD}.{category}",
)
chosen_method = shown_methods[method]
st.caption(why)

cells = loaders.load_hotspot_layer(path, category)
if chosen_method.column not in cells.columns:
    st.info(
        f"This store has no `{chosen_method.column}` layer for "
        f"{chosen_method.selector_label}: it was built before that method was "
        "registered. Rebuild the store (beatprofile build) to map it."
    )
    st.stop()
outline = loaders.load_areas(path, level)
first = cells.iloc[0] if len(cells) else None
if first is not None:
    st.caption(
        f"Window {first['window_start']:%d %b %Y} to {first['window_end']:%d %b %Y}; "
        f"{first['cell_size_m']:.0f} m cells; neighbourhood: {first['neighbourhood']}; "
        f"{first['permutations']} permutations, seed {first['seed']}; kernel "
        f"{first['bandwidth_m']:.0f} m."
    )
tips = [("n", "Incidents in window"), ("significance", "Gi*"), ("emerging", "Trend")]
tiles = dict(
    tiles=meta.get("tiles") or None, attribution=meta.get("tiles_attribution") or None
)
if chosen_method.colours is not None:
    folium_map = make_class_map(
        cells,
        chosen_method.column,
        chosen_method.colours,
        chosen_method.legend,
        outline,
        tips,
        **tiles,
    )
else:
    column = chosen_method.column
    top = cells[cells[column] > 0].nlargest(TOP_CELLS, column).assign(label="grid cell")
    folium_map = make_value_map(
        top,
        column,
        chosen_method.legend,
        outline,
        [(column, "Value"), *tips],
        **tiles,
    )
    st.caption(f"Showing the {min(TOP_CELLS, len(top))} highest cells.")

map_column, table_column = st.columns([3, 2])
with map_column:
    result = st_folium(
        folium_map,
        key=f"{state.HOTSPOT_MAP}.{category}.{method}",
        height=600,
        use_container_width=True,
        returned_objects=["last_active_drawing"],
    )
rankings = loaders.load_rankings(path, level)
with table_column:
    wanted = st.multiselect(
        "Ranked problems: categories (none = all)",
        sorted(rankings["category"].unique()),
        key=state.HOTSPOT_RANK_CATEGORIES,
    )
    shown = rankings[rankings["category"].isin(wanted)] if wanted else rankings
    picked = st.dataframe(
        shown[["rank", "name", "category", "score", "reason"]],
        hide_index=True,
        width="stretch",
        height=560,
        on_select="rerun",
        selection_mode="single-row",
        key=f"hotspots.rankings.{level}",
        column_config={
            "score": st.column_config.NumberColumn(format="%.2f"),
            "reason": st.column_config.TextColumn(width="large"),
        },
    )
    st.caption(
        "Score = weighted sum of volume, harm, trend, hotspot, persistence and "
        "community components (all in the CSV)."
    )

cell_id = cell_id_from_feature(clicked_feature_id(result))
rows = picked.selection.rows if picked else []
if rows:
    chosen = shown.iloc[rows[0]]
    st.subheader(
        f"{chosen['category'].capitalize()} in {md_escape(chosen['name'])}, "
        "last 28 days (analyst view)"
    )
    gate.show_incidents(
        loaders.load_ranked_incidents(
            path, level, chosen["area_id"], chosen["category"]
        ),
        f"ranked:{level}:{chosen['area_id']}:{chosen['category']}",
        hide_index=True,
        width="stretch",
    )
if cell_id is not None:
    st.subheader(f"Incidents in cell {cell_id} (analyst view)")
    gate.show_incidents(
        loaders.load_cell_incidents(path, cell_id, category),
        f"cell:{cell_id}:{category}",
        hide_index=True,
        width="stretch",
    )
if not rows and cell_id is None:
    st.caption(
        "Click a cell on the map, or select a ranked problem, to list its "
        "incidents (analyst view only)."
    )

cells_geojson, cells_csv = loaders.load_cell_exports(path, category)
left, right, far = st.columns(3)
# Cell and ranking files are aggregates, but policy has no aggregate-export
# action: they stay with the role that may export incidents (the cautious one).
ranking_rows = shown[RANKING_COLUMNS]
gate.download_button(
    "export_incidents",
    "Cells (GeoJSON)",
    cells_geojson,
    rows=cells_csv.count("\n") - 1,
    file_name=f"hotspot_cells_{category}.geojson",
    mime="application/geo+json",
    where=left,
)
gate.download_button(
    "export_incidents",
    "Cells (CSV)",
    cells_csv,
    rows=cells_csv.count("\n") - 1,
    file_name=f"hotspot_cells_{category}.csv",
    mime="text/csv",
    where=right,
)
gate.download_button(
    "export_incidents",
    "Rankings (CSV)",
    to_csv_text(ranking_rows),
    rows=len(ranking_rows),
    file_name=f"rankings_{level}.csv",
    mime="text/csv",
    where=far,
)
