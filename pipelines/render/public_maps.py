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
import shapely.ops
from folium.template import Template

from pipelines.community import public
from pipelines.render.assets import LEAFLET_CSS_URL, LEAFLET_JS_URL
from pipelines.render.maps import COORD_DECIMALS, FILL_OPACITY, Legend, make_base_map
from pipelines.render.watch_export import count_classes

LABEL_PX = 26
CHART_PX = 24
LEGEND_PX = 26
LABEL_GAP_PX = 4
"""Least space in px between two labels, or a label and a map control."""
LABEL_SPOTS = 40
"""Most label positions tried per area (the centroid, then points inside it)."""
LABEL_GRID = 9
"""Candidate label positions come from a LABEL_GRID x LABEL_GRID grid on the area."""
FIT_TOP_LEFT = (56, 16)
"""Map padding in px when fitting the areas (left: the zoom buttons)."""
FIT_BOTTOM_RIGHT = (330, 16)
"""Right padding keeps a strip free for the legend."""
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


class AreaLabels(folium.MacroElement):
    """A permanent Leaflet tooltip per area, placed so that no two labels overlap.

    Standalone tooltips at points computed here (not bound to the polygons).
    Labels are placed in ``label_rank`` order (selected area first): each at
    the first of its ``label_at`` and ``label_alts`` points where its box
    overlaps no label already placed and no map control (zoom, legend) and
    stays inside the map; a label that fits nowhere is hidden. Placement is
    redone whenever the map's size or zoom changes, since it depends on the
    rendered size of the text.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }}, tips = [];
            {{ this.layer.get_name() }}.eachLayer(function (layer) {
                var p = layer.feature.properties;
                var tip = L.tooltip({permanent: true, direction: "center",
                        interactive: false, opacity: 1,
                        className: p.selected ? "bp-area-label bp-selected"
                                              : "bp-area-label"})
                    .setLatLng(p.label_at).setContent(p.label).addTo(map);
                tip.spots = [p.label_at].concat(p.label_alts || []);
                tip.rank = p.label_rank || 0;
                tips.push(tip);
            });
            tips.sort(function (a, b) { return a.rank - b.rank; });
            function clear(a, b) {
                var gap = {{ this.gap }};
                return a.right + gap <= b.left || b.right + gap <= a.left ||
                    a.bottom + gap <= b.top || b.bottom + gap <= a.top;
            }
            function inside(r, box) {
                return r.left >= box.left && r.right <= box.right &&
                    r.top >= box.top && r.bottom <= box.bottom;
            }
            // Each label at its first spot that covers nothing placed before.
            function declutter() {
                var frame = map.getContainer(), box = frame.getBoundingClientRect();
                var taken = [].slice.call(frame.querySelectorAll(".leaflet-control"))
                    .map(function (c) { return c.getBoundingClientRect(); })
                    .filter(function (r) { return r.width > 0 && r.height > 0; });
                tips.forEach(function (t, i) {
                    var el = t.getElement(), placed = null;
                    if (!el) { return; }
                    el.style.display = "";
                    for (var s = 0; s < t.spots.length && !placed; s++) {
                        t.setLatLng(t.spots[s]);
                        var r = el.getBoundingClientRect();
                        if (inside(r, box) && taken.every(function (o) {
                                return clear(r, o); })) { placed = r; }
                    }
                    if (!placed && i === 0) {  // the selected area keeps its label
                        t.setLatLng(t.spots[0]);
                        placed = el.getBoundingClientRect();
                    }
                    if (placed) { taken.push(placed); }
                    else { t.setLatLng(t.spots[0]); el.style.display = "none"; }
                });
            }
            // Inside streamlit-folium the frame, stylesheets and fonts arrive
            // after this script: refit when the map's size changes, and
            // re-centre labels, which keep the width they had when placed.
            var fitted = null;
            function relayout() {
                var size = map.getSize();
                if (size.x > 0 && size.y > 0 && !(fitted && size.equals(fitted))) {
                    fitted = size;
                    map.fitBounds({{ this.layer.get_name() }}.getBounds(), {
                        paddingTopLeft: {{ this.top_left|tojson }},
                        paddingBottomRight: {{ this.bottom_right|tojson }},
                        animate: false});
                }
                tips.forEach(function (t) { t.update(); });
                declutter();
            }
            map.on("resize zoomend", relayout);
            window.addEventListener("load", relayout);
            if (document.fonts) { document.fonts.ready.then(relayout); }
            [50, 300, 1000, 2500].forEach(function (ms) { setTimeout(relayout, ms); });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, layer: folium.GeoJson) -> None:
        super().__init__()
        self._name = "AreaLabels"
        self.layer = layer
        self.top_left, self.bottom_right = list(FIT_TOP_LEFT), list(FIT_BOTTOM_RIGHT)
        self.gap = LABEL_GAP_PX


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
        A local tile server, see :func:`pipelines.render.maps.make_base_map`.
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
    ranks = _label_ranks(areas["role"].eq("selected").to_numpy(), geoms)
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
    _fit_beside_legend(m)
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
    _fit_beside_legend(m)
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


def label_point(geom: shapely.Geometry) -> list[float]:
    """``[lat, lon]`` of an area's label: its centroid, or a point inside it when the
    centroid falls outside (a crescent-shaped area)."""
    point = geom.centroid
    if not geom.contains(point):
        point = geom.representative_point()
    return [round(point.y, COORD_DECIMALS), round(point.x, COORD_DECIMALS)]


def label_points(
    geom: shapely.Geometry, limit: int = LABEL_SPOTS, grid: int = LABEL_GRID
) -> list[list[float]]:
    """``[lat, lon]`` points inside an area where its label may go, best first.

    :func:`label_point` first, then the area's pole of inaccessibility, then
    points of a ``grid`` x ``grid`` lattice over its bounds that lie inside
    it, nearest the first point first; at most ``limit`` points. All come
    from the area's polygon, never from incident locations.

    Examples
    --------
    >>> label_points(shapely.box(0, 0, 2, 1), limit=3)
    [[0.5, 1.0], [0.5, 0.5], [0.38889, 1.0]]
    """
    first = label_point(geom)
    found = [first]
    pole = shapely.ops.polylabel(max(_parts(geom), key=lambda g: g.area), 1e-6)
    x0, y0, x1, y1 = geom.bounds
    xs, ys = np.meshgrid(
        x0 + (np.arange(grid) + 0.5) * (x1 - x0) / grid,
        y0 + (np.arange(grid) + 0.5) * (y1 - y0) / grid,
    )
    points = shapely.points(xs.ravel(), ys.ravel())
    lattice = points[shapely.contains(geom, points)]
    near = sorted(lattice, key=lambda p: (p.y - first[0]) ** 2 + (p.x - first[1]) ** 2)
    for point in [pole, *near]:
        if not geom.contains(point):
            continue
        spot = [round(point.y, COORD_DECIMALS), round(point.x, COORD_DECIMALS)]
        if spot not in found:
            found.append(spot)
    return found[:limit]


def _parts(geom: shapely.Geometry) -> list[shapely.Polygon]:
    """The polygons of a Polygon or MultiPolygon."""
    return list(getattr(geom, "geoms", [geom]))


def _label_ranks(selected: np.ndarray, geoms: np.ndarray) -> list[int]:
    """Placement order of labels: the selected area, then larger areas first."""
    order = sorted(
        range(len(geoms)), key=lambda i: (not selected[i], -shapely.area(geoms[i]))
    )
    ranks = [0] * len(geoms)
    for rank, i in enumerate(order):
        ranks[i] = rank
    return ranks


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


def _fit_beside_legend(m: folium.Map) -> None:
    """Fit the areas tightly (fractional zoom), keeping a right strip for the legend.

    Replaces the base map's ``FitBounds`` with :class:`FitWhenShown`.
    """
    m.options["zoomSnap"] = 0.1
    for name, child in list(m._children.items()):
        if isinstance(child, folium.FitBounds):
            del m._children[name]
            FitWhenShown(child.bounds).add_to(m)


class FitWhenShown(folium.MacroElement):
    """Fit the map to ``bounds`` (legend strip kept free) once it has a size.

    A map drawn while hidden (in a closed expander) is 0 px wide: Leaflet's
    ``fitBounds`` with padding then computes a NaN zoom and throws, the
    component never reports its height and the map stays invisible when the
    expander opens. This waits until the map is larger than the padding,
    then fits once on the first such resize.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }}, done = false;
            function fit() {
                var size = map.getSize(), tl = {{ this.top_left|tojson }},
                    br = {{ this.bottom_right|tojson }};
                if (done || size.x <= tl[0] + br[0] || size.y <= tl[1] + br[1]) {
                    return;
                }
                done = true;
                map.fitBounds({{ this.bounds|tojson }}, {paddingTopLeft: tl,
                    paddingBottomRight: br, animate: false});
            }
            map.on("resize", fit);
            window.addEventListener("load", fit);
            fit();
        })();
        {% endmacro %}
        """
    )

    def __init__(self, bounds: Any) -> None:
        super().__init__()
        self._name = "FitWhenShown"
        self.bounds = bounds
        self.top_left, self.bottom_right = list(FIT_TOP_LEFT), list(FIT_BOTTOM_RIGHT)


def _add_css(m: folium.Map) -> None:
    figure = cast(folium.Figure, m.get_root())
    figure.header.add_child(folium.Element(_LABEL_CSS), name="bp_public_css")
