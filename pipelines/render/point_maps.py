"""Analyst maps of individual points (never used for public output).

Used by the data-quality page to show where quarantined-but-located rows lie
against the area outlines. Plain Leaflet only (see :mod:`pipelines.render.base_map`).
"""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from pipelines.render.base_map import OUTLINE_COLOUR, make_base_map
from pipelines.render.maps import tooltip_text

POINT_COLOUR = (
    "#d55e00"  # Okabe-Ito vermillion: visible on grey and for colour-blind readers
)


def make_point_map(
    points: pd.DataFrame,
    outline: gpd.GeoDataFrame,
    tooltip_fields: list[tuple[str, str]],
    tiles: str | None = None,
    attribution: str | None = None,
) -> folium.Map:
    """Area outlines plus one small circle per point, with escaped tooltips.

    Parameters
    ----------
    points : DataFrame
        ``lon``, ``lat`` and the tooltip columns.
    outline : GeoDataFrame
        Areas to draw as outlines (any CRS; reprojected to lon/lat).
    tooltip_fields : list of (str, str)
        ``(column, alias)`` pairs for each point's tooltip.

    Returns
    -------
    folium.Map
    """
    outline = outline.to_crs("EPSG:4326")
    bounds = list(outline.total_bounds)
    if len(points):
        bounds = [
            min(bounds[0], points["lon"].min()),
            min(bounds[1], points["lat"].min()),
            max(bounds[2], points["lon"].max()),
            max(bounds[3], points["lat"].max()),
        ]
    m = make_base_map(bounds, tiles, attribution=attribution)
    folium.GeoJson(
        outline[["geometry"]].__geo_interface__,
        style_function=lambda _f: {"fill": False, "color": OUTLINE_COLOUR, "weight": 1},
        control=False,
    ).add_to(m)
    features = [
        {
            "type": "Feature",
            "geometry": {
                "type": "Point",
                "coordinates": [round(lon, 6), round(lat, 6)],
            },
            "properties": {
                f"t{i}": tooltip_text(row[col])
                for i, (col, _) in enumerate(tooltip_fields)
            },
        }
        for lon, lat, (_, row) in zip(
            points["lon"], points["lat"], points.iterrows(), strict=True
        )
    ]
    if features:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            marker=folium.CircleMarker(
                radius=5, color=POINT_COLOUR, fill=True, fill_opacity=0.8, weight=1
            ),
            tooltip=folium.GeoJsonTooltip(
                fields=[f"t{i}" for i in range(len(tooltip_fields))],
                aliases=[tooltip_text(alias) for _, alias in tooltip_fields],
            ),
            control=False,
        ).add_to(m)
    return m
