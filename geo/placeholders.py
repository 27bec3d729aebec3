"""Placeholder coordinates: points an export writes when it has no real location.

Exports stand in a fixed point for a missing geocode. Such rows are not
"outside the jurisdiction": they are unlocated, and are kept by their area
label like rows without coordinates. Rules, in order (a row gets the first
that fires):

``zero_xy``
    The projected columns were ``0, 0``: the point equals the image of the
    source CRS's origin (a State Plane origin lies far outside its zone).
``null_island``
    Longitude/latitude ``0, 0`` ("null island"), in the lon/lat columns or
    after transformation.
``far_outside``
    More than ``far_m`` (default 50 km) outside the bounding box of the area
    polygons: no geocoding slip puts a city's incident in the next state.
``stacked_point``
    One exact coordinate pair holding an implausible share of the located rows:
    more than ``max(max_share * located, stack_ratio * m)`` rows, where ``m`` is
    the median count of the ``top`` most repeated pairs. Busy real addresses
    (a jail, a mall, police headquarters) come as a family of similar counts;
    a default geocode dwarfs them all. Measured on the real data
    (``/work/shared/data``): St. Louis 2015-2019's busiest address holds 0.31%
    of located rows, 4.6 times the median of its top 100 repeated points; the
    Chicago extracts' busiest 0.26% (2-4x). Defaults 1% and 50x leave a wide
    margin on both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import pandas as pd

PlaceholderRule = Literal["zero_xy", "null_island", "far_outside", "stacked_point"]
RULES: Final = ("zero_xy", "null_island", "far_outside", "stacked_point")
RULE_TEXT: Final = {
    "zero_xy": "projected x/y were 0, 0",
    "null_island": "longitude/latitude 0, 0 (null island)",
    "far_outside": "more than {far_km:g} km outside the area layer's bounding box",
    "stacked_point": "one coordinate pair holding an implausible share of rows",
}
_SAME_DEGREES = 1e-7  # about 1 cm: the same point after a round trip of transforms


@dataclass(frozen=True)
class PlaceholderSettings:
    """Thresholds of the rules (module docstring)."""

    far_m: float = 50_000.0
    max_share: float = 0.01
    stack_ratio: float = 50.0
    top: int = 100


def rule_text(rule: str, settings: PlaceholderSettings | None = None) -> str:
    """A rule's plain-words description, e.g. for a quarantine message."""
    settings = settings or PlaceholderSettings()
    return RULE_TEXT[rule].format(far_km=settings.far_m / 1000)


def find_placeholders(
    lon: np.ndarray,
    lat: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    bounds: tuple[float, float, float, float],
    origins: np.ndarray | None = None,
    settings: PlaceholderSettings | None = None,
) -> np.ndarray:
    """The placeholder rule each point breaks, ``None`` where it breaks none.

    Parameters
    ----------
    lon, lat : ndarray
        Longitude/latitude per row (NaN where unlocated).
    x, y : ndarray
        The same points in the (metric) analysis CRS.
    bounds : tuple of float
        ``(xmin, ymin, xmax, ymax)`` of the area polygons in the analysis CRS.
    origins : ndarray, optional
        Shape ``(n, 2)``: per row, the lon/lat image of its source CRS's
        ``0, 0`` (NaN for lon/lat sources); rows at it break ``zero_xy``.
    settings : PlaceholderSettings, optional

    Returns
    -------
    ndarray of object
        One of :data:`RULES` or ``None`` per row.

    Example
    -------
    >>> find_placeholders(np.array([0.0, -90.2]), np.array([0.0, 38.6]),
    ...     np.array([9e6, 5.0]), np.array([9e6, 5.0]), (0, 0, 10, 10))
    array(['null_island', None], dtype=object)
    """
    settings = settings or PlaceholderSettings()
    lon, lat = np.asarray(lon, "float64"), np.asarray(lat, "float64")
    x, y = np.asarray(x, "float64"), np.asarray(y, "float64")
    rule = np.full(len(x), None, dtype=object)
    if origins is not None:
        origins = np.asarray(origins, "float64").reshape(-1, 2)
        at_origin = (np.abs(lon - origins[:, 0]) <= _SAME_DEGREES) & (
            np.abs(lat - origins[:, 1]) <= _SAME_DEGREES
        )
        rule[at_origin] = "zero_xy"
    island = (np.abs(lon) <= _SAME_DEGREES) & (np.abs(lat) <= _SAME_DEGREES)
    rule[island & _free(rule)] = "null_island"
    located = np.isfinite(x) & np.isfinite(y)
    far = located & (_distance_outside(x, y, bounds) > settings.far_m)
    rule[far & _free(rule)] = "far_outside"
    rest = located & _free(rule)
    rule[rest & stacked_points(x, y, rest, settings)] = "stacked_point"
    return rule


def stacked_points(
    x: np.ndarray,
    y: np.ndarray,
    among: np.ndarray,
    settings: PlaceholderSettings | None = None,
) -> np.ndarray:
    """Rows (of ``among``) at a coordinate pair holding an implausible share.

    A pair is implausible when it holds more than
    ``max(max_share * among.sum(), stack_ratio * m)`` rows, ``m`` being the
    median count of the ``top`` most repeated pairs (counts of 2 or more).
    Pairs are compared to the centimetre. No repeated pair: nothing fires.
    """
    settings = settings or PlaceholderSettings()
    out = np.zeros(len(x), dtype=bool)
    rows = np.flatnonzero(among)
    if len(rows) == 0:
        return out
    codes = _pair_codes(_centimetres(x[rows]), _centimetres(y[rows]))
    counts = np.bincount(codes)
    repeated = np.sort(counts[counts >= 2])[::-1][: settings.top]
    if len(repeated) == 0:
        return out
    limit = max(
        settings.max_share * len(rows), settings.stack_ratio * np.median(repeated)
    )
    out[rows] = counts[codes] > limit
    return out


def _centimetres(values: np.ndarray) -> np.ndarray:
    return np.round(values * 100).astype("int64")


def _pair_codes(xi: np.ndarray, yi: np.ndarray) -> np.ndarray:
    """One code per distinct ``(xi, yi)`` pair; ten times faster than a MultiIndex."""
    x_codes, _ = pd.factorize(xi)
    y_codes, y_values = pd.factorize(yi)
    codes, _ = pd.factorize(x_codes.astype("int64") * len(y_values) + y_codes)
    return codes


def _free(rule: np.ndarray) -> np.ndarray:
    return pd.isna(rule)


def _distance_outside(
    x: np.ndarray, y: np.ndarray, bounds: tuple[float, float, float, float]
) -> np.ndarray:
    """Distance from each point to the box (0 inside it)."""
    xmin, ymin, xmax, ymax = bounds
    with np.errstate(invalid="ignore"):
        dx = np.maximum(np.maximum(xmin - x, x - xmax), 0.0)
        dy = np.maximum(np.maximum(ymin - y, y - ymax), 0.0)
    return np.hypot(dx, dy)
