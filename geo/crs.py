"""Coordinate reference systems: projected analysis metres and lon/lat for maps."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

LONLAT = "EPSG:4326"


def check_crs(crs: str, where: str) -> CRS:
    """Parse ``crs`` or raise ``ValueError`` naming where it came from."""
    try:
        return CRS.from_user_input(crs)
    except CRSError as exc:
        raise ValueError(
            f'{where}: CRS "{crs}" is not recognised; give an EPSG or ESRI code '
            'such as "EPSG:26996" or "ESRI:102696"'
        ) from exc


def check_projected_metres(crs: str, where: str) -> CRS:
    """An analysis CRS must be projected with metre units (areas, distances)."""
    parsed = check_crs(crs, where)
    units = {axis.unit_name for axis in parsed.axis_info}
    if not parsed.is_projected or units != {"metre"}:
        raise ValueError(
            f'{where}: analysis CRS "{crs}" must be projected in metres (found '
            f"units {sorted(units)}); use a local State Plane (metres) or UTM code"
        )
    return parsed


@lru_cache(maxsize=32)
def _transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def transform_xy(
    x: np.ndarray, y: np.ndarray, src: str, dst: str
) -> tuple[np.ndarray, np.ndarray]:
    """Transform coordinate arrays (x = easting or longitude) from ``src`` to ``dst``.

    Non-finite input stays NaN. Example: ``transform_xy(lon, lat, LONLAT,
    "EPSG:26996")``.
    """
    x = np.asarray(x, dtype="float64")
    y = np.asarray(y, dtype="float64")
    if src == dst:
        return x.copy(), y.copy()
    out_x, out_y = _transformer(src, dst).transform(x, y)
    out_x = np.where(np.isfinite(out_x), out_x, np.nan)
    out_y = np.where(np.isfinite(out_y), out_y, np.nan)
    return out_x, out_y
