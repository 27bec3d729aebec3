"""Maps of hotspot grid cells (pure builders; plain Leaflet, see render.base_map).

Class colours come from the method registry (:mod:`pipelines.analysis.methods`).
"""

from __future__ import annotations

from collections.abc import Mapping

import folium
import geopandas as gpd
import numpy as np
import shapely

from pipelines.analysis.methods import EMERGING_COLOURS, GI_COLOURS
from pipelines.render.base_map import (
    COORD_DECIMALS,
    FILL_OPACITY,
    OUTLINE_COLOUR,
    Legend,
    make_base_map,
)
from pipelines.render.maps import make_choropleth, tooltip_text

__all__ = [
    "EMERGING_COLOURS",
    "GI_COLOURS",
    "add_outline",
    "make_class_map",
    "make_value_map",
]


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
    colours: Mapping[str, str],
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
