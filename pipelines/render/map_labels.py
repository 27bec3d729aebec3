"""Where area labels go on a public map, and fitting the map beside its legend.

Each area's label is a permanent Leaflet tooltip at a point inside it (its
centroid, or another point inside when that label would cover one already
placed); the selected area is labelled first, and a neighbour whose label fits
nowhere inside it is left unlabelled. Points come from the area polygons, never
from incident locations.
"""

from __future__ import annotations

from typing import Any

import folium
import numpy as np
import shapely
import shapely.ops
from folium.template import Template

from pipelines.render.base_map import COORD_DECIMALS

LABEL_PX = 26
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


def label_ranks(selected: np.ndarray, geoms: np.ndarray) -> list[int]:
    """Placement order of labels: the selected area, then larger areas first."""
    order = sorted(
        range(len(geoms)), key=lambda i: (not selected[i], -shapely.area(geoms[i]))
    )
    ranks = [0] * len(geoms)
    for rank, i in enumerate(order):
        ranks[i] = rank
    return ranks


def fit_beside_legend(m: folium.Map) -> None:
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
