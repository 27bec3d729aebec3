"""Overlaps and gaps between the areas of one level (a topology check).

Areas of a level should tile the jurisdiction: every point in at most one area
(no overlaps) and no holes inside the jurisdiction that belong to no area
(no gaps). Both are measured in square metres, with a point in lon/lat that
shows where, so an analyst can find and fix them in a GIS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geo.crs import LONLAT, transform_xy

OVERLAP_COLUMNS = ["area_a", "area_b", "area_m2", "lon", "lat"]
GAP_COLUMNS = ["area_m2", "lon", "lat", "areas_around"]
TABLE_COLUMNS = [
    "level",
    "kind",
    "area_a",
    "area_b",
    "areas_around",
    "area_m2",
    "lon",
    "lat",
]
_POLYGON_TYPES = (3, 6)  # shapely type ids of Polygon and MultiPolygon


@dataclass(frozen=True)
class LayerQuality:
    """Overlaps and gaps of one area layer.

    Attributes
    ----------
    overlaps : DataFrame
        One row per pair of areas sharing at least ``min_area_m2``: ``area_a``,
        ``area_b`` (ids, ``area_a`` first in layer order), ``area_m2``, and
        ``lon``, ``lat`` of a point inside the shared part; largest first.
    gaps : DataFrame
        One row per hole inside the union of the layer that belongs to no area
        and measures at least ``min_area_m2``: ``area_m2``, ``lon``, ``lat`` (a
        point inside the hole) and ``areas_around`` (ids of the areas touching
        it, comma-separated); largest first.
    min_area_m2 : float
        Pieces smaller than this were ignored (floating-point slivers).
    """

    overlaps: pd.DataFrame
    gaps: pd.DataFrame
    min_area_m2: float

    @property
    def clean(self) -> bool:
        """True when the layer has neither overlaps nor gaps."""
        return self.overlaps.empty and self.gaps.empty

    def summary_lines(self, level: str, n: int = 5) -> list[str]:
        """Plain-text lines for a report: totals, then the ``n`` largest of each."""
        lines = [
            f"{level}: {len(self.overlaps)} overlap(s), "
            f"{self.overlaps['area_m2'].sum():,.0f} m2; {len(self.gaps)} gap(s), "
            f"{self.gaps['area_m2'].sum():,.0f} m2 (pieces under "
            f"{self.min_area_m2:g} m2 ignored)"
        ]
        for _, row in self.overlaps.head(n).iterrows():
            lines.append(
                f"  overlap {row['area_a']} / {row['area_b']}: "
                f"{row['area_m2']:,.1f} m2 at {row['lat']:.5f}, {row['lon']:.5f}"
            )
        for _, row in self.gaps.head(n).iterrows():
            lines.append(
                f"  gap between {row['areas_around'] or 'no area'}: "
                f"{row['area_m2']:,.1f} m2 at {row['lat']:.5f}, {row['lon']:.5f}"
            )
        return lines


def layer_overlaps_and_gaps(
    layer: gpd.GeoDataFrame, min_area_m2: float = 1.0, id_col: str = "area_id"
) -> LayerQuality:
    """Find overlaps between areas and gaps inside the layer.

    Parameters
    ----------
    layer : GeoDataFrame
        Polygons of one level with a CRS (as returned by
        :func:`geo.io.read_area_layer`, in the projected analysis CRS). A
        lon/lat layer is measured in its local UTM zone.
    min_area_m2 : float
        Overlaps and gaps smaller than this are ignored: shared edges digitised
        twice leave slivers of a fraction of a square metre.
    id_col : str
        Column with the area id.

    Returns
    -------
    LayerQuality

    Raises
    ------
    ValueError
        If the layer has no CRS, lacks ``id_col``, or ``min_area_m2`` is negative.

    Example
    -------
    >>> q = layer_overlaps_and_gaps(read_area_layer("beats.geojson", "beat", None,
    ...                                             "EPSG:26971"))
    >>> q.overlaps[["area_a", "area_b", "area_m2"]]  # doctest: +SKIP
    """
    metric = _metric_layer(layer, id_col, min_area_m2)
    geoms = metric.geometry.to_numpy()
    ids = metric[id_col].astype(str).to_numpy()
    tree = shapely.STRtree(geoms)
    overlaps = _overlaps(geoms, ids, tree, min_area_m2, metric.crs)
    gaps = _gaps(geoms, ids, tree, min_area_m2, metric.crs)
    return LayerQuality(overlaps=overlaps, gaps=gaps, min_area_m2=min_area_m2)


def layer_quality_table(
    layers: Mapping[str, gpd.GeoDataFrame], min_area_m2: float = 1.0
) -> pd.DataFrame:
    """Overlaps and gaps of several levels as one table (for the quality report).

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Level name -> its polygons with ``area_id`` (for example
        ``derived.areas.layers`` of a build or check).
    min_area_m2 : float
        See :func:`layer_overlaps_and_gaps`.

    Returns
    -------
    DataFrame
        ``level, kind ("overlap" | "gap"), area_a, area_b, areas_around,
        area_m2, lon, lat``; no rows for a level that tiles cleanly.

    Example
    -------
    >>> layer_quality_table(derived.areas.layers)  # doctest: +SKIP
    """
    frames = []
    for level, layer in layers.items():
        quality = layer_overlaps_and_gaps(layer, min_area_m2)
        frames.append(
            quality.overlaps.assign(level=level, kind="overlap", areas_around=None)
        )
        frames.append(
            quality.gaps.assign(level=level, kind="gap", area_a=None, area_b=None)
        )
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in TABLE_COLUMNS})
    return pd.concat(frames, ignore_index=True)[TABLE_COLUMNS]


def _metric_layer(
    layer: gpd.GeoDataFrame, id_col: str, min_area_m2: float
) -> gpd.GeoDataFrame:
    """Check the arguments; lon/lat layers go to their UTM zone for square metres."""
    if min_area_m2 < 0:
        raise ValueError(f"`min_area_m2` was {min_area_m2} but is expected to be >= 0")
    if id_col not in layer.columns:
        raise ValueError(
            f"`layer` lacks the id column {id_col!r}; columns are "
            f"{[c for c in layer.columns if c != layer.geometry.name]}"
        )
    if layer.crs is None:
        raise ValueError(
            "`layer` has no CRS; areas in m2 need one (read it with "
            "geo.io.read_area_layer, or set_crs the CRS its coordinates are in)"
        )
    if layer.crs.is_geographic:
        return layer.to_crs(layer.estimate_utm_crs())
    return layer


def _overlaps(
    geoms: np.ndarray,
    ids: np.ndarray,
    tree: shapely.STRtree,
    min_area: float,
    crs: CRS,
) -> pd.DataFrame:
    left, right = tree.query(geoms, predicate="intersects")
    pair = left < right  # each unordered pair once, no self-pairs
    left, right = left[pair], right[pair]
    shared = shapely.intersection(geoms[left], geoms[right])
    # Neighbours meet along lines (area 0): measure every pair first and reduce
    # only the real overlaps to their polygonal parts.
    area = shapely.area(shared)
    keep = area >= min_area if min_area > 0 else area > 0
    lon, lat = _where(_polygonal(shared[keep]), crs)
    out = pd.DataFrame(
        {
            "area_a": ids[left[keep]],
            "area_b": ids[right[keep]],
            "area_m2": area[keep],
            "lon": lon,
            "lat": lat,
        },
        columns=OVERLAP_COLUMNS,
    )
    return out.sort_values("area_m2", ascending=False, ignore_index=True)


def _gaps(
    geoms: np.ndarray,
    ids: np.ndarray,
    tree: shapely.STRtree,
    min_area: float,
    crs: CRS,
) -> pd.DataFrame:
    union = shapely.union_all(geoms)
    holes = _holes(shapely.get_parts(_polygonal(np.array([union]))[0]))
    # A hole of the union can hold an island area: only what no area covers is a gap.
    pieces = shapely.get_parts(shapely.difference(holes, union))
    pieces = pieces[shapely.get_type_id(pieces) == 3]
    area = shapely.area(pieces)
    keep = area >= min_area if min_area > 0 else area > 0
    pieces, area = pieces[keep], area[keep]
    lon, lat = _where(pieces, crs)
    gap_idx, area_idx = tree.query(pieces, predicate="intersects")
    # Areas around = those sharing an edge with the gap, not just a corner.
    edge = shapely.length(shapely.intersection(pieces[gap_idx], geoms[area_idx])) > 0
    gap_idx, area_idx = gap_idx[edge], area_idx[edge]
    around = [
        ", ".join(sorted(set(ids[area_idx[gap_idx == i]]), key=_id_key))
        for i in range(len(pieces))
    ]
    out = pd.DataFrame(
        {"area_m2": area, "lon": lon, "lat": lat, "areas_around": around},
        columns=GAP_COLUMNS,
    )
    return out.sort_values("area_m2", ascending=False, ignore_index=True)


def _holes(polygons: np.ndarray) -> np.ndarray:
    """Every interior ring of ``polygons`` as a polygon of its own."""
    counts = shapely.get_num_interior_rings(polygons)
    owner = np.repeat(np.arange(len(polygons)), counts)
    ring = np.concatenate([np.arange(n) for n in counts]) if counts.sum() else owner
    return shapely.polygons(shapely.get_interior_ring(polygons[owner], ring))


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Each geometry reduced to its polygonal parts (intersections can be mixed)."""
    out = np.asarray(geoms, dtype=object).copy()
    mixed = np.flatnonzero(~np.isin(shapely.get_type_id(out), _POLYGON_TYPES))
    for i in mixed:
        parts = shapely.get_parts(out[i])
        polys = parts[np.isin(shapely.get_type_id(parts), _POLYGON_TYPES)]
        out[i] = shapely.union_all(polys) if len(polys) else shapely.Polygon()
    return out


def _where(geoms: np.ndarray, crs: CRS) -> tuple[np.ndarray, np.ndarray]:
    """Lon/lat of a point inside each geometry."""
    if len(geoms) == 0:
        return np.array([]), np.array([])
    points = shapely.point_on_surface(geoms)
    return transform_xy(
        shapely.get_x(points), shapely.get_y(points), crs.to_string(), LONLAT
    )


def _id_key(area_id: str) -> tuple[float, str]:
    try:
        return float(area_id), area_id
    except ValueError:
        return float("inf"), area_id
