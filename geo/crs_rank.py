"""Ranking candidate projected CRSs by how many sample points they put inside an area layer."""

from __future__ import annotations

import re
from functools import lru_cache

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_crs_info
from pyproj.enums import PJType

from geo.crs import LONLAT


def rank_candidate_crs(
    x: np.ndarray, y: np.ndarray, area_ll: gpd.GeoDataFrame
) -> list[tuple[str, str, float]]:
    """Candidate projected CRSs for ``x``/``y``, best first.

    Candidates are the EPSG and ESRI projected CRSs in metres or US survey feet
    whose area of use contains the area layer and is at most 12 degrees wide
    (State Plane and UTM zones: about 30 for a US city). Each is scored by the
    share of up to 1,000 sampled points falling inside the layer; near-ties
    (within 0.5 points) prefer plain NAD83, then other NAD83 realisations.

    Parameters
    ----------
    x, y : ndarray
        Projected coordinates (0,0 and non-finite pairs are ignored).
    area_ll : GeoDataFrame
        The area polygons in EPSG:4326.

    Returns
    -------
    list of (code, name, share)

    Example
    -------
    >>> rank_candidate_crs(xs, ys, neighborhoods.to_crs("EPSG:4326"))[0][0]
    'ESRI:102696'
    """
    bounds = tuple(round(float(b), 3) for b in area_ll.total_bounds)
    px, py = sample_points(np.asarray(x, float), np.asarray(y, float))
    union = prepared_union(area_ll)
    scored = []
    for code, crs_name in _candidate_crs(bounds):  # type: ignore[arg-type]
        lon, lat = Transformer.from_crs(code, LONLAT, always_xy=True).transform(px, py)
        share = float(shapely.contains_xy(union, lon, lat).mean()) if len(px) else 0.0
        scored.append((code, crs_name, share))
    top = max((s for _, _, s in scored), default=0.0)
    return sorted(scored, key=lambda c: (c[2] < top - 0.005, _datum_rank(c[1]), -c[2]))


def _datum_rank(name: str) -> int:
    if re.match(r"NAD83 /|NAD_1983_(StatePlane|UTM)", name):
        return 0
    return 1 if re.match(r"NAD(83|_1983)", name) else 2


@lru_cache(maxsize=8)
def _candidate_crs(bounds: tuple[float, ...]) -> tuple[tuple[str, str], ...]:
    infos = query_crs_info(
        pj_types=PJType.PROJECTED_CRS,
        contains=True,
        area_of_interest=AreaOfInterest(*bounds),
    )
    out = []
    for info in infos:
        use = info.area_of_use
        if info.auth_name not in ("EPSG", "ESRI") or info.deprecated or use is None:
            continue
        if not 0 < use.east - use.west <= 12:
            continue
        crs = CRS.from_authority(info.auth_name, info.code)
        if {a.unit_name for a in crs.axis_info} <= {"metre", "US survey foot"}:
            out.append((f"{info.auth_name}:{info.code}", info.name))
    return tuple(out)


def usable_points(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Finite and not the 0, 0 placeholder."""
    return np.isfinite(x) & np.isfinite(y) & ~((x == 0) & (y == 0))


def sample_points(x: np.ndarray, y: np.ndarray, n: int = 1000):
    """Up to ``n`` usable points, evenly spaced through the rows."""
    ok = np.flatnonzero(usable_points(x, y))
    if len(ok):
        ok = ok[np.linspace(0, len(ok) - 1, min(n, len(ok))).astype(int)]
    return x[ok], y[ok]


def prepared_union(area_ll: gpd.GeoDataFrame):
    """The layer's union, prepared for fast point tests."""
    union = area_ll.geometry.union_all()
    shapely.prepare(union)
    return union
