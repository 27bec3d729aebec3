"""Maps of hotspot grid cells (pure builders; plain Leaflet, see render.base_map)."""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import shapely

from pipelines.render.base_map import (
    COORD_DECIMALS,
    FILL_OPACITY,
    OUTLINE_COLOUR,
    Legend,
    make_base_map,
)
from pipelines.render.maps import make_choropleth, tooltip_text

# Diverging, colour-blind-safe (ColorBrewer-like RdBu written out by hand).
GI_COLOURS = {
    "hot 99%": "#b2182b",
    "hot 95%": "#ef8a62",
    "hot 90%": "#fddbc7",
    "cold 90%": "#d1e5f0",
    "cold 95%": "#67a9cf",
    "cold 99%": "#2166ac",
}
EMERGING_COLOURS = {
    "new hot spot": "#67001f",
    "consecutive hot spot": "#b2182b",
    "intensifying hot spot": "#d6604d",
    "persistent hot spot": "#f4a582",
    "diminishing hot spot": "#fddbc7",
    "sporadic hot spot": "#e7298a",
    "oscillating hot spot": "#c994c7",
    "historical hot spot": "#bdbdbd",
    "new cold spot": "#053061",
    "consecutive cold spot": "#2166ac",
    "intensifying cold spot": "#4393c3",
    "persistent cold spot": "#92c5de",
    "diminishing cold spot": "#d1e5f0",
    "sporadic cold spot": "#35978f",
    "oscillating cold spot": "#80cdc1",
    "historical cold spot": "#d9d9d9",
}


def add_outline(m: folium.Map, areas: gpd.GeoDataFrame) -> None:
    """Draw area boundaries (no fill, not clickable) on top of a map."""
    folium.GeoJson(
        areas.to_crs("EPSG:4326")[["geometry"]].__geo_interface__,
        style_function=lambda _f: {
            "fill": False,
            "color": OUTLINE_COLOUR,
            "weight": 1.2,
        },
        interactive=False,
        control=False,
    ).add_to(m)


def make_class_map(
    cells: gpd.GeoDataFrame,
    class_col: str,
    colours: dict[str, str],
    legend_title: str,
    outline: gpd.GeoDataFrame,
    tooltip_fields: list[tuple[str, str]],
    tiles: str | None = None,
    attribution: str | None = None,
) -> folium.Map:
    """Cells coloured by a class label (Gi* significance, emerging category).

    Only cells whose class is in ``colours`` are drawn; the legend lists the
    classes present. Feature ids are ``cell:<cell_id>`` so a click can be read.
    """
    shown = cells[cells[class_col].isin(list(colours))].to_crs("EPSG:4326")
    shown = shown.set_geometry(
        shapely.transform(
            shown.geometry.values, lambda xy: np.round(xy, COORD_DECIMALS)
        )
    )
    m = make_base_map(
        outline.to_crs("EPSG:4326").total_bounds, tiles, attribution=attribution
    )
    features = [
        {
            "type": "Feature",
            "id": f"cell:{int(row['cell_id'])}",
            "properties": {
                "colour": colours[row[class_col]],
                **{
                    f"t{i}": tooltip_text(row[c])
                    for i, (c, _) in enumerate(tooltip_fields)
                },
            },
            "geometry": row.geometry.__geo_interface__,
        }
        for _, row in shown.iterrows()
    ]
    if features:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            style_function=lambda f: {
                "fillColor": f["properties"]["colour"],
                "fillOpacity": FILL_OPACITY,
                "weight": 0.3,
                "color": OUTLINE_COLOUR,
            },
            tooltip=folium.GeoJsonTooltip(
                fields=[f"t{i}" for i in range(len(tooltip_fields))],
                aliases=[tooltip_text(a) for _, a in tooltip_fields],
            ),
            control=False,
        ).add_to(m)
    add_outline(m, outline)
    present = [label for label in colours if label in set(shown[class_col])]
    Legend(
        legend_title,
        [(colours[label], tooltip_text(label)) for label in present]
        or [("#ffffff", "none in this window")],
    ).add_to(m)
    return m


def make_value_map(
    cells: gpd.GeoDataFrame,
    value_col: str,
    legend_title: str,
    outline: gpd.GeoDataFrame,
    tooltip_fields: list[tuple[str, str]],
    tiles: str | None = None,
    attribution: str | None = None,
) -> folium.Map:
    """Cells shaded by a number (density, counts), with area outlines on top."""
    shown = cells.assign(cell_key=[f"cell:{int(c)}" for c in cells["cell_id"]])
    m = make_choropleth(
        shown,
        value_col,
        "label",
        "cell_key",
        tooltip_fields,
        legend_title=legend_title,
        tiles=tiles,
        attribution=attribution,
    )
    add_outline(m, outline)
    return m
