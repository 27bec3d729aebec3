"""Parsing a point written as text in one column (lon/lat, EPSG:4326).

Exports write points as ``(41.75, -87.66)`` (latitude first), as a dict
string ``{'latitude': '41.9', 'longitude': '-87.7', ...}`` (Socrata API
copies), or as WKT ``POINT (-87.66 41.75)`` (longitude first).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_NUMBER = r"(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
_PAIR = rf"^\s*\(\s*{_NUMBER}\s*,\s*{_NUMBER}\s*\)\s*$"
_WKT = rf"(?i)^\s*POINT\s*\(\s*{_NUMBER}\s+{_NUMBER}\s*\)\s*$"
_DICT_LAT = rf"['\"]latitude['\"]\s*:\s*['\"]?{_NUMBER}"
_DICT_LON = rf"['\"]longitude['\"]\s*:\s*['\"]?{_NUMBER}"


def parse_point_text(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude arrays from point text; NaN where unreadable.

    Example
    -------
    >>> parse_point_text(pd.Series(["(41.5, -87.5)", "POINT (-87.5 41.5)"]))
    (array([-87.5, -87.5]), array([41.5, 41.5]))
    """
    text = values.fillna("").astype(str)
    lon = np.full(len(text), np.nan)
    lat = np.full(len(text), np.nan)
    pair = text.str.extract(_PAIR, expand=True).astype("float64")
    wkt = text.str.extract(_WKT, expand=True).astype("float64")
    dict_lat = text.str.extract(_DICT_LAT, expand=False).astype("float64")
    dict_lon = text.str.extract(_DICT_LON, expand=False).astype("float64")
    for lon_part, lat_part in (
        (pair[1], pair[0]),
        (wkt[0], wkt[1]),
        (dict_lon, dict_lat),
    ):
        fill = np.isnan(lon) & lon_part.notna().to_numpy() & lat_part.notna().to_numpy()
        lon[fill] = lon_part.to_numpy()[fill]
        lat[fill] = lat_part.to_numpy()[fill]
    return lon, lat
