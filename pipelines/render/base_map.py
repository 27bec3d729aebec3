"""The offline base map every map starts from, and its DOM legend.

Every map loads only the local Leaflet files served by Streamlit (see
:mod:`pipelines.render.assets`): folium's CDN links for Leaflet, jQuery, Bootstrap and
awesome-markers are replaced, and no tiles are drawn unless a tile URL template
is configured. With no internet a single failed script would hide the whole
map, so builders use only plain-Leaflet features (GeoJson, tooltips,
fitBounds, a DOM legend) and never plugins or branca colormaps.
"""

from __future__ import annotations

import copy
import html
import logging
import math
import uuid
from collections.abc import Sequence
from typing import cast

import folium
from folium.template import Template

from pipelines.render.assets import LEAFLET_CSS_URL, LEAFLET_JS_URL

logger = logging.getLogger(__name__)


COORD_DECIMALS = 5
OUTLINE_COLOUR = "#4d4d4d"
FILL_OPACITY = 0.75

_MAP_BACKGROUND = "<style>.leaflet-container { background: #f7f7f7; }</style>"


def make_base_map(
    bounds: Sequence[float],
    tiles: str | None = None,
    *,
    attribution: str | None = None,
    js_url: str = LEAFLET_JS_URL,
    css_url: str = LEAFLET_CSS_URL,
) -> folium.Map:
    """Create an empty map, fitted to ``bounds``, that loads only local Leaflet.

    Parameters
    ----------
    bounds : sequence of float
        ``(min_lon, min_lat, max_lon, max_lat)`` in EPSG:4326, as given by
        ``GeoDataFrame.total_bounds``.
    tiles : str, optional
        A tile URL template with ``{z}``, ``{x}`` and ``{y}`` (for instance a
        local tile server). ``None`` (the default) draws no basemap.
    attribution : str, optional
        Attribution HTML shown for ``tiles``; required when ``tiles`` is set.
        It comes from configuration and is shown as given.
    js_url, css_url : str
        Where the browser finds ``leaflet.js`` and ``leaflet.css``; the defaults
        are the paths Streamlit static serving uses.

    Returns
    -------
    folium.Map
        A map whose only script and stylesheet links are ``js_url`` and
        ``css_url``.

    Raises
    ------
    ValueError
        If ``bounds`` is not four finite numbers in order, or ``tiles`` is not
        a URL template or lacks an attribution.

    Examples
    --------
    >>> m = make_base_map((-122.5, 37.7, -122.3, 37.8))
    >>> [url for _, url in m.default_js]
    ['/app/static/vendor/leaflet/leaflet.js']
    """
    min_lon, min_lat, max_lon, max_lat = _validate_bounds(bounds)
    m = folium.Map(
        location=[(min_lat + max_lat) / 2, (min_lon + max_lon) / 2],
        tiles=None,
        control_scale=True,
    )
    # Instance attributes, never the class lists: folium shares those between maps.
    m.default_js = [("leaflet", js_url)]
    m.default_css = [("leaflet_css", css_url)]
    figure = cast(folium.Figure, m.get_root())
    figure.header.add_child(folium.Element(_MAP_BACKGROUND), name="background")
    if tiles is not None:
        _add_tiles(m, tiles, attribution)
    fit = folium.FitBounds([[min_lat, min_lon], [max_lat, max_lon]], padding=(10, 10))
    # Jump straight to the fitted view: an animated zoom from folium's initial
    # zoom would show stretched outlines for a moment after load.
    fit.options["animate"] = False
    m.add_child(fit)
    return m


def map_payload_bytes(m: folium.Map) -> int:
    """Size in bytes (UTF-8) of the map's standalone HTML, as first rendered.

    Parameters
    ----------
    m : folium.Map

    Returns
    -------
    int

    Examples
    --------
    >>> map_payload_bytes(make_base_map((0, 0, 1, 1))) > 0
    True
    """
    # Render a copy: folium appends an extra ``addTo`` line per layer on every
    # render, so rendering ``m`` itself would change it and later measurements.
    return len(copy.deepcopy(m.get_root()).render().encode("utf-8"))


class Legend(folium.MacroElement):
    """Legend as plain HTML in the page, moved into a Leaflet control by script."""

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <div id="{{ this.element_id }}" class="bp-legend" style="{{ this.css }}">
        {{ this.body }}
        </div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var el = document.getElementById({{ this.element_id|tojson }});
            if (!el) { return; }
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function () {
                L.DomEvent.disableClickPropagation(el);
                return el;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    css = (
        "background: rgba(255,255,255,0.92); padding: 6px 8px; border-radius: 4px;"
        " font: 12px/1.4 sans-serif; color: #222; box-shadow: 0 0 4px rgba(0,0,0,.3);"
    )

    def __init__(self, title: str, entries: list[tuple[str, str]]) -> None:
        super().__init__()
        self._name = "Legend"
        # Not derived from _id: streamlit-folium renames ids in the script only.
        # Underscore + hex: streamlit-folium strips such suffixes when it hashes
        # the map script into its component key, so reruns keep the same map
        # (and its click state); a hyphenated random id would reset it.
        self.element_id = f"bp_legend_{uuid.uuid4().hex[:12]}"
        rows = "".join(
            '<div><span style="display:inline-block;width:14px;height:12px;'
            f"margin-right:6px;vertical-align:middle;background:{colour};"
            f'opacity:{FILL_OPACITY};border:1px solid {OUTLINE_COLOUR}"></span>'
            f"{html.escape(label)}</div>"
            for colour, label in entries
        )
        self.body = f"<div><strong>{html.escape(title)}</strong></div>{rows}"


def _validate_bounds(bounds: Sequence[float]) -> tuple[float, float, float, float]:
    """Check bounds are four finite, ordered numbers."""
    vals = [float(b) for b in bounds]
    if len(vals) != 4 or not all(math.isfinite(v) for v in vals):
        raise ValueError(
            f"`bounds` was {list(bounds)} but is expected to be four finite numbers "
            "(min_lon, min_lat, max_lon, max_lat)"
        )
    min_lon, min_lat, max_lon, max_lat = vals
    if min_lon > max_lon or min_lat > max_lat:
        raise ValueError(
            f"`bounds` was {vals} but min must not exceed max; expected "
            "(min_lon, min_lat, max_lon, max_lat)"
        )
    return min_lon, min_lat, max_lon, max_lat


def _add_tiles(m: folium.Map, tiles: str, attribution: str | None) -> None:
    """Add a configured tile layer; named folium tile sets would hit the internet."""
    if not all(part in tiles for part in ("{z}", "{x}", "{y}")):
        raise ValueError(
            f"`tiles` was {tiles!r} but is expected to be a URL template with "
            "{z}, {x} and {y}, e.g. 'http://127.0.0.1:8080/{z}/{x}/{y}.png'"
        )
    if not attribution:
        raise ValueError(
            f"`tiles` {tiles!r} needs an attribution; pass `attribution=` with the "
            "tile source's credit"
        )
    folium.TileLayer(tiles=tiles, attr=attribution, control=False).add_to(m)
