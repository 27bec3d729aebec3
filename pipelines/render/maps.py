"""Choropleth maps of area values, with the house colour ramp (no Streamlit here).

Built on the offline base map and DOM legend of :mod:`pipelines.render.base_map`;
classes come from mapclassify, colours from :func:`sequential_palette`.
"""

from __future__ import annotations

import html
import logging
import math
import warnings
from typing import Any, Literal, get_args

import folium
import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
import shapely

from pipelines.render.base_map import (
    COORD_DECIMALS,
    FILL_OPACITY,
    OUTLINE_COLOUR,
    Legend,
    make_base_map,
)

logger = logging.getLogger(__name__)

Scheme = Literal["Quantiles", "EqualInterval", "FisherJenks"]
SCHEMES: tuple[str, ...] = get_args(Scheme)
MAX_CLASSES = 9
NO_DATA_COLOUR = "#bdbdbd"
NO_DATA_LABEL = "no data"
HIGHLIGHT_COLOUR = "#111111"

# Anchors of a light-to-dark ramp (cream, orange, red, plum). Lightness falls
# monotonically, so classes stay ordered for colour-blind readers and in greyscale.
_RAMP = ("#fdf3c4", "#f9c26b", "#ec7a3b", "#c83c3a", "#7a1747")


def sequential_palette(n: int) -> list[str]:
    """Return ``n`` hex colours, light to dark, sampled from the house ramp.

    Parameters
    ----------
    n : int
        Number of classes, 1 to ``MAX_CLASSES``.

    Returns
    -------
    list of str
        ``n`` colours such as ``"#fdf3c4"``; a single class gets the mid colour.

    Raises
    ------
    ValueError
        If ``n`` is outside 1 to ``MAX_CLASSES``.

    Examples
    --------
    >>> sequential_palette(2)
    ['#fdf3c4', '#7a1747']
    """
    if not 1 <= n <= MAX_CLASSES:
        raise ValueError(f"`n` was {n} but is expected to be in 1..{MAX_CLASSES}")
    positions = [0.5] if n == 1 else np.linspace(0.0, 1.0, n)
    return [_ramp_colour(float(p)) for p in positions]


def make_choropleth(
    areas: gpd.GeoDataFrame,
    value_col: str,
    label_col: str,
    id_col: str,
    tooltip_fields: list[tuple[str, str]],
    scheme: str = "Quantiles",
    k: int = 5,
    legend_title: str = "",
    tiles: str | None = None,
    highlight_id: Any = None,
    *,
    attribution: str | None = None,
) -> folium.Map:
    """Draw areas shaded by ``value_col`` classes, with tooltips and a legend.

    Values are classified with mapclassify; when there are fewer distinct
    values than ``k`` the map uses fewer classes, and all-equal values make one
    class. Areas whose value is missing are grey and listed as "no data".
    All text from the data, the tooltip aliases and the legend is HTML-escaped.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame
        Polygons with a CRS; reprojected to EPSG:4326 if needed.
    value_col : str
        Numeric column to classify and colour by.
    label_col : str
        Column shown as the first line of each tooltip.
    id_col : str
        Column with a unique id per area; becomes the GeoJSON feature id.
    tooltip_fields : list of (str, str)
        ``(column, alias)`` pairs shown under the label in each tooltip.
    scheme : {"Quantiles", "EqualInterval", "FisherJenks"}
        mapclassify classification scheme.
    k : int
        Number of classes wanted, 1 to ``MAX_CLASSES``.
    legend_title : str
        Heading of the legend; defaults to ``value_col``.
    tiles : str, optional
        Tile URL template, see :func:`pipelines.render.base_map.make_base_map`.
    highlight_id : optional
        Id of one area to outline in black (for example the selected beat).
    attribution : str, optional
        Attribution for ``tiles``.

    Returns
    -------
    folium.Map

    Raises
    ------
    ValueError
        If ``areas`` has no CRS, is empty, lacks a named column, has duplicate
        ids, or ``scheme`` / ``k`` are out of range.

    Examples
    --------
    >>> m = make_choropleth(beats, "incidents", "beat", "beat_id",
    ...                     [("incidents", "Incidents")])  # doctest: +SKIP
    """
    _validate_choropleth_args(areas, value_col, label_col, id_col, tooltip_fields)
    _validate_scheme(scheme, k)
    areas = _to_wgs84(areas)
    areas = areas[~(areas.geometry.isna() | areas.geometry.is_empty)]
    if areas.empty:
        raise ValueError("`areas` has no non-empty geometries to draw")

    values = pd.to_numeric(areas[value_col], errors="coerce").to_numpy(dtype=float)
    bins, classes = _classify(values, scheme, k)
    palette = sequential_palette(len(bins)) if len(bins) else []
    ids = [str(v) for v in areas[id_col]]
    colours = {
        fid: NO_DATA_COLOUR if c < 0 else palette[c]
        for fid, c in zip(ids, classes, strict=True)
    }

    m = make_base_map(areas.total_bounds, tiles, attribution=attribution)
    highlight = None if highlight_id is None else str(highlight_id)
    data = _feature_collection(areas, ids, label_col, tooltip_fields, highlight)
    folium.GeoJson(
        data,
        name=legend_title or value_col,
        control=False,
        style_function=_styler(colours, highlight),
        highlight_function=lambda _feature: {"weight": 3, "color": HIGHLIGHT_COLOUR},
        tooltip=folium.GeoJsonTooltip(
            fields=["label", *(f"t{i}" for i in range(len(tooltip_fields)))],
            aliases=["", *(html.escape(alias) for _, alias in tooltip_fields)],
            sticky=True,
        ),
    ).add_to(m)
    entries = _legend_entries(values, bins, palette)
    Legend(legend_title or value_col, entries).add_to(m)
    return m


def _validate_choropleth_args(
    areas: gpd.GeoDataFrame,
    value_col: str,
    label_col: str,
    id_col: str,
    tooltip_fields: list[tuple[str, str]],
) -> None:
    """Check the frame has the named columns, a CRS and unique ids."""
    if not isinstance(areas, gpd.GeoDataFrame):
        raise ValueError(
            f"`areas` was a {type(areas).__name__} but is expected to be a "
            "geopandas.GeoDataFrame"
        )
    wanted = [value_col, label_col, id_col, *(col for col, _ in tooltip_fields)]
    missing = [col for col in dict.fromkeys(wanted) if col not in areas.columns]
    if missing:
        raise ValueError(
            f"`areas` lacks column(s) {missing}; available: {list(areas.columns)}"
        )
    if areas.crs is None:
        raise ValueError(
            "`areas` has no CRS; set the one its coordinates are in, e.g. "
            "`areas = areas.set_crs('EPSG:4326')` for longitude/latitude"
        )
    if areas.empty:
        raise ValueError("`areas` is empty; there is nothing to draw")
    dupes = areas[id_col][areas[id_col].duplicated()].unique().tolist()
    if dupes:
        raise ValueError(
            f"`areas` column {id_col!r} must be unique but repeats {dupes[:5]}"
        )


def _validate_scheme(scheme: str, k: int) -> None:
    """Check the classification scheme name and class count."""
    if scheme not in SCHEMES:
        raise ValueError(
            f"`scheme` was {scheme!r} but is expected to be in {list(SCHEMES)}"
        )
    if not 1 <= k <= MAX_CLASSES:
        raise ValueError(f"`k` was {k} but is expected to be in 1..{MAX_CLASSES}")


def _to_wgs84(areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject to EPSG:4326 unless already there."""
    if areas.crs.to_epsg() == 4326:
        return areas
    logger.debug("Reprojecting areas from %s to EPSG:4326", areas.crs)
    return areas.to_crs(4326)


def _classify(values: np.ndarray, scheme: str, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Upper class bounds and a class index per value (-1 where the value is NaN)."""
    finite = np.isfinite(values)
    classes = np.full(values.shape, -1, dtype=int)
    if not finite.any():
        return np.array([]), classes
    y = values[finite]
    k_used = min(k, np.unique(y).size)
    if k_used < 2:
        bins = np.array([y.max()])
    else:
        with warnings.catch_warnings():
            # mapclassify warns when ties make fewer classes; deduplicated below.
            warnings.simplefilter("ignore")
            bins = getattr(mapclassify, scheme)(y, k=k_used).bins
        bins = np.unique(np.append(bins[bins < y.max()], y.max()))
    # mapclassify convention: class i holds bins[i-1] < y <= bins[i].
    classes[finite] = np.searchsorted(bins, y, side="left")
    return bins, classes


def _legend_entries(
    values: np.ndarray, bins: np.ndarray, palette: list[str]
) -> list[tuple[str, str]]:
    """(colour, label) rows: one per class, then "no data" if any value is missing."""
    entries = []
    finite = values[np.isfinite(values)]
    # Counts are whole numbers: label classes "169 – 345", not "168.4 – 345.6".
    whole = len(finite) > 0 and bool(np.all(finite == np.round(finite)))
    if len(bins):
        lower = float(finite.min())
        for i, (upper, colour) in enumerate(zip(bins, palette, strict=True)):
            low = lower if i == 0 else float(bins[i - 1])
            if whole:
                low = low if i == 0 else math.floor(low) + 1.0
                upper = float(math.floor(upper))
            label = _format_number(upper)
            if low != upper:
                label = f"{_format_number(low)} – {label}"
            entries.append((colour, label))
    if not np.isfinite(values).all():
        entries.append((NO_DATA_COLOUR, NO_DATA_LABEL))
    return entries


def _feature_collection(
    areas: gpd.GeoDataFrame,
    ids: list[str],
    label_col: str,
    tooltip_fields: list[tuple[str, str]],
    highlight: str | None,
) -> dict[str, Any]:
    """GeoJSON with rounded coordinates and only the escaped tooltip strings."""
    geoms = shapely.transform(
        np.asarray(areas.geometry), lambda xy: np.round(xy, COORD_DECIMALS)
    )
    labels = areas[label_col].tolist()
    columns = [areas[col].tolist() for col, _ in tooltip_fields]
    features = []
    for row, (fid, geom) in enumerate(zip(ids, geoms, strict=True)):
        props = {"label": tooltip_text(labels[row])}
        props.update({f"t{i}": tooltip_text(col[row]) for i, col in enumerate(columns)})
        features.append(
            {
                "type": "Feature",
                "id": fid,
                "properties": props,
                "geometry": shapely.geometry.mapping(geom),
            }
        )
    if highlight is not None:
        # Drawn last so its outline is not covered by its neighbours.
        features.sort(key=lambda f: f["id"] == highlight)
    return {"type": "FeatureCollection", "features": features}


def _styler(colours: dict[str, str], highlight: str | None) -> Any:
    """Style function colouring each feature by its precomputed class colour."""

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        fid = feature["id"]
        selected = fid == highlight
        return {
            "fillColor": colours[fid],
            "fillOpacity": FILL_OPACITY,
            "color": HIGHLIGHT_COLOUR if selected else OUTLINE_COLOUR,
            "weight": 3 if selected else 0.8,
        }

    return style


def tooltip_text(value: Any) -> str:
    """Tooltip text for one cell, HTML-escaped because tooltips use innerHTML."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NO_DATA_LABEL
    if value is pd.NA or value is pd.NaT:
        return NO_DATA_LABEL
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | float | np.integer | np.floating):
        return _format_number(float(value))
    return html.escape(str(value))


def _format_number(x: float) -> str:
    """Readable number: thousands separators, at most two decimals."""
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if float(x).is_integer() or abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def _ramp_colour(position: float) -> str:
    """Colour at ``position`` in [0, 1] along the ramp, interpolated in RGB."""
    scaled = position * (len(_RAMP) - 1)
    i = min(int(scaled), len(_RAMP) - 2)
    t = scaled - i
    lo, hi = _hex_to_rgb(_RAMP[i]), _hex_to_rgb(_RAMP[i + 1])
    rgb = (round(a + (b - a) * t) for a, b in zip(lo, hi, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _hex_to_rgb(colour: str) -> tuple[int, int, int]:
    """'#rrggbb' to an (r, g, b) tuple."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
