"""Public-safe map builders for watch meetings (pure: frames in, folium maps out).

Areas only: every feature is a polygon, and each area's label is a permanent
Leaflet tooltip at a point inside it (its centroid, or another point inside
when that label would cover one already placed), so no point feature or
marker is ever drawn. The selected area is labelled first; a neighbour whose
label fits nowhere inside it without overlapping is left unlabelled (still
shaded by its count). Counts arrive masked
(:func:`pipelines.community.public.public_counts`), so a count below ``k`` shows as
"fewer than k"; labels and the legend use 26 px text for a 1920x1080
projector; colours are the light-to-dark public ramp (colour-blind safe).
Maps load only the local Leaflet files (:mod:`pipelines.render.offline_export` inlines
them for files that must open with no network at all).
"""

from __future__ import annotations

from typing import Any, cast

import altair as alt
import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipelines.community import public
from pipelines.render.assets import LEAFLET_CSS_URL, LEAFLET_JS_URL
from pipelines.render.base_map import (
    COORD_DECIMALS,
    FILL_OPACITY,
    Legend,
    make_base_map,
)
from pipelines.render.map_labels import (
    LABEL_PX,
    AreaLabels,
    fit_beside_legend,
    label_points,
    label_ranks,
)
from pipelines.render.watch_export import count_classes

CHART_PX = 24
LEGEND_PX = 26
SELECTED_COLOUR = "#000000"
OUTLINE_COLOUR = "#333333"
ROLE_COLOURS = {"target": "#0072B2", "buffer": "#E69F00", "control": "#009E73"}
ROLE_LABELS = {
    "target": "Target area",
    "buffer": "Buffer ring",
    "control": "Control area",
}
_POLYGONS = {"Polygon", "MultiPolygon"}

_LABEL_CSS = f"""<style>
.leaflet-tooltip.bp-area-label {{
  font: 600 {LABEL_PX}px/1.15 system-ui, sans-serif; color: #111; text-align: center;
  background: rgba(255,255,255,0.9); border: 2px solid #111; border-radius: 6px;
  padding: 4px 10px; box-shadow: none; white-space: nowrap; pointer-events: none;
}}
.leaflet-tooltip.bp-area-label.bp-selected {{ border-width: 4px; font-weight: 800; }}
.leaflet-tooltip.bp-area-label::before {{ display: none; }}
.bp-legend, .bp-legend * {{ font-size: {LEGEND_PX}px !important; line-height: 1.35; }}
</style>"""


class PublicLegend(Legend):
    """The map legend with projector-sized text and swatches."""

    def __init__(
        self, title: str, entries: list[tuple[str, str]], note: str = ""
    ) -> None:
        super().__init__(title, entries)
        self.css = (
            f"background: rgba(255,255,255,0.95); padding: 10px 14px; "
            f"border-radius: 6px; border: 2px solid #111; color: #111; "
            f"font: {LEGEND_PX}px/1.35 system-ui, sans-serif;"
        )
        rows = "".join(
            f'<div><span style="display:inline-block;width:34px;height:24px;'
            f"margin-right:10px;vertical-align:middle;background:{colour};"
            f'border:2px solid {OUTLINE_COLOUR}"></span>{public.escape(label)}</div>'
            for colour, label in entries
        )
        extra = f"<div>{public.escape(note)}</div>" if note else ""
        self.body = f"<div><strong>{public.escape(title)}</strong></div>{rows}{extra}"


def make_public_map(
    areas: gpd.GeoDataFrame,
    k: int,
    legend_title: str = "Incidents, 12 months",
    *,
    tiles: str | None = None,
    attribution: str | None = None,
    js_url: str = LEAFLET_JS_URL,
    css_url: str = LEAFLET_CSS_URL,
) -> folium.Map:
    """Shade areas by masked counts, label each at its centroid, add a big legend.

    Parameters
    ----------
    areas : GeoDataFrame
        ``area_id, name, role`` (``"selected"`` outlined in black), ``n``
        (masked counts) and ``n_text``, as in ``WatchReport.areas``.
    k : int
        Threshold the counts were masked with (for the legend).
    legend_title : str
    tiles, attribution : str, optional
        A local tile server, see :func:`pipelines.render.base_map.make_base_map`.
    js_url, css_url : str
        Where Leaflet is loaded from.

    Returns
    -------
    folium.Map

    Raises
    ------
    ValueError
        If a column is missing, the frame has no CRS, or any geometry is not
        a polygon (public maps show areas, never points).

    Examples
    --------
    >>> make_public_map(report.areas, report.k)  # doctest: +SKIP
    """
    _check_areas(areas, ("area_id", "name", "role", "n", "n_text"))
    areas = areas.to_crs(4326)
    colours, legend = count_classes(areas["n"], k)
    features = []
    geoms = _rounded(areas)
    ranks = label_ranks(areas["role"].eq("selected").to_numpy(), geoms)
    for row, colour, geom, rank in zip(
        areas.itertuples(index=False), colours, geoms, ranks, strict=True
    ):
        label = f"{public.escape(row.name)}<br>{public.mark_count(str(row.n_text))}"
        spots = label_points(geom)
        features.append(
            {
                "type": "Feature",
                "id": str(row.area_id),
                "properties": {
                    "label": label,
                    "fill": colour,
                    "label_at": spots[0],
                    "label_alts": spots[1:],
                    "label_rank": rank,
                    "selected": row.role == "selected",
                },
                "geometry": shapely.geometry.mapping(geom),
            }
        )
    features.sort(key=lambda f: f["properties"]["selected"])  # selected drawn last
    m = make_base_map(
        areas.total_bounds,
        tiles,
        attribution=attribution,
        js_url=js_url,
        css_url=css_url,
    )
    fit_beside_legend(m)
    _add_css(m)
    layer = folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="areas",
        control=False,
        style_function=_area_style,
    )
    layer.add_to(m)
    AreaLabels(layer).add_to(m)
    PublicLegend(legend_title, legend).add_to(m)
    return m


def make_assessment_map(
    geometries: gpd.GeoDataFrame,
    title: str = "Assessment areas",
    *,
    js_url: str = LEAFLET_JS_URL,
    css_url: str = LEAFLET_CSS_URL,
) -> folium.Map:
    """The target, its buffer ring and the control area of a plan assessment.

    Parameters
    ----------
    geometries : GeoDataFrame
        ``role`` in ``("target", "buffer", "control")`` (see
        :func:`pipelines.community.beat_plans.assessment_areas`).

    Returns
    -------
    folium.Map
    """
    _check_areas(geometries, ("role",))
    geometries = geometries.to_crs(4326)
    features = [
        {
            "type": "Feature",
            "id": str(role),
            "properties": {"fill": ROLE_COLOURS[str(role)]},
            "geometry": shapely.geometry.mapping(geom),
        }
        for role, geom in zip(geometries["role"], _rounded(geometries), strict=True)
    ]
    m = make_base_map(geometries.total_bounds, js_url=js_url, css_url=css_url)
    fit_beside_legend(m)
    _add_css(m)
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        control=False,
        style_function=_area_style,
    ).add_to(m)
    PublicLegend(
        title, [(ROLE_COLOURS[r], ROLE_LABELS[r]) for r in ROLE_COLOURS]
    ).add_to(m)
    return m


def public_monthly_chart(monthly: pd.DataFrame, k: int, height: int = 420) -> alt.Chart:
    """Bars of public monthly counts with large fonts; suppressed months get no bar.

    Parameters
    ----------
    monthly : DataFrame
        ``month, label, n`` (masked) and ``n_text``, as in ``WatchReport.monthly``.
    k : int
    height : int

    Returns
    -------
    alt.Chart
        Its data holds only ``label``, ``n`` (null when suppressed) and ``shown``
        (the text to print: a number or "fewer than k").
    """
    data = pd.DataFrame(
        {
            "label": monthly["month"].dt.strftime("%b"),
            "n": [None if pd.isna(v) else int(v) for v in monthly["n"]],
            "shown": monthly["n_text"].astype(str),
        }
    )
    order = data["label"].tolist()
    x = alt.X("label:N", sort=order, title=None, axis=alt.Axis(labelAngle=0))
    bars = (
        alt.Chart(data)
        .mark_bar(color="#0072B2")
        .encode(x=x, y=alt.Y("n:Q", title="Incidents", axis=alt.Axis(tickCount=4)))
    )
    text = (
        alt.Chart(data)
        .mark_text(dy=-16, fontSize=CHART_PX, color="#111")
        .encode(x=x, y=alt.Y("n:Q"), text="shown:N")
    )
    fewer = (
        alt.Chart(data)
        .transform_filter("datum.n === null")
        .mark_text(angle=270, align="left", dy=0, fontSize=CHART_PX - 4, color="#111")
        .encode(x=x, y=alt.value(height - 8), text="shown:N")
    )
    return (
        alt.layer(bars, text, fewer)
        .properties(height=height)
        .configure_axis(labelFontSize=CHART_PX, titleFontSize=CHART_PX)
        .configure_view(strokeWidth=0)
    )


def _check_areas(areas: gpd.GeoDataFrame, columns: tuple[str, ...]) -> None:
    """Columns present, a CRS, and polygons only."""
    missing = [c for c in columns if c not in areas.columns]
    if missing:
        raise ValueError(
            f"`areas` lacks column(s) {missing}; available: {list(areas.columns)}"
        )
    if areas.crs is None:
        raise ValueError("`areas` has no CRS; set it, e.g. areas.set_crs('EPSG:4326')")
    kinds = set(areas.geometry.geom_type.dropna())
    if not kinds <= _POLYGONS:
        raise ValueError(
            f"public maps draw areas only, but `areas` has {sorted(kinds)} "
            "geometries; aggregate points to areas or cells first"
        )


def _rounded(areas: gpd.GeoDataFrame) -> np.ndarray:
    return shapely.transform(
        np.asarray(areas.geometry), lambda xy: np.round(xy, COORD_DECIMALS)
    )


def _area_style(feature: dict[str, Any]) -> dict[str, Any]:
    selected = bool(feature["properties"].get("selected"))
    return {
        "fillColor": feature["properties"]["fill"],
        "fillOpacity": FILL_OPACITY + 0.1,
        "color": SELECTED_COLOUR if selected else OUTLINE_COLOUR,
        "weight": 6 if selected else 2,
    }


def _add_css(m: folium.Map) -> None:
    figure = cast(folium.Figure, m.get_root())
    figure.header.add_child(folium.Element(_LABEL_CSS), name="bp_public_css")
