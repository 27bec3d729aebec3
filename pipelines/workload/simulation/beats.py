"""Beats for the simulation: their sector and precinct, and a home point for units.

Distances use a local flat projection of lon/lat (metres east and north of the
beats' mean point): over one city the error is well under 1%, far below what a
straight-line travel model gets wrong anyway, and no CRS is needed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from pipelines import schema as s
from pipelines.errors import ConfigError
from pipelines.workload.simulation.config import Levels

_M_PER_DEG_LAT = 110_540.0
_M_PER_DEG_LON_EQUATOR = 111_320.0


@dataclass(frozen=True)
class BeatTable:
    """Beats in a fixed order with their parents and home points.

    ``sector``/``precinct`` hold indexes into ``sector_ids``/``precinct_ids``;
    ``home_x``/``home_y`` are metres in the local projection ``origin``.
    """

    beat_ids: tuple[str, ...]
    sector_ids: tuple[str, ...]
    precinct_ids: tuple[str, ...]
    sector: np.ndarray
    precinct: np.ndarray
    home_lon: np.ndarray
    home_lat: np.ndarray
    home_x: np.ndarray
    home_y: np.ndarray
    origin: tuple[float, float]

    def index(self) -> dict[str, int]:
        return {beat: i for i, beat in enumerate(self.beat_ids)}

    def to_local(
        self, lon: np.ndarray, lat: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Metres east/north of the origin for lon/lat arrays."""
        return _project(np.asarray(lon, float), np.asarray(lat, float), self.origin)

    def frame(self) -> pd.DataFrame:
        """One row per beat with its ids at the three levels."""
        return pd.DataFrame(
            {
                "beat": self.beat_ids,
                "sector": np.asarray(self.sector_ids, dtype=object)[self.sector],
                "precinct": np.asarray(self.precinct_ids, dtype=object)[self.precinct],
            }
        )


def build_beat_table(
    incidents: pd.DataFrame, areas: pd.DataFrame | None, levels: Levels
) -> BeatTable:
    """Beats seen in the incidents or the area layer, with parents and home points.

    A beat's sector and precinct are those most of its incidents were assigned
    to (ties: the lowest id); a beat with no incidents takes the sector and
    precinct polygons its home point falls in. The home point is a point inside
    the beat polygon (``shapely.point_on_surface``), or the mean incident point
    when the area layer has no polygon for the beat.

    Raises
    ------
    ConfigError
        If no beats are found or a beat's sector or precinct cannot be found.
    """
    beat_col = s.area_column(levels.beat_level)
    polygons = _polygons(areas, levels.beat_level)
    ids = set(incidents[beat_col].dropna().astype(str)) | set(polygons)
    if not ids:
        raise ConfigError(
            f"no beats found: the incidents have no values in {beat_col} and the area "
            f"table has no level {levels.beat_level!r}; check [levels] beat_level"
        )
    beat_ids = tuple(sorted(ids, key=natural_key))
    lon, lat = _home_points(incidents, polygons, beat_ids, beat_col)
    parents = {}
    for role in ("sector_level", "precinct_level"):
        level = getattr(levels, role)
        parents[role] = _parent_of(
            incidents, areas, beat_ids, beat_col, level, lon, lat
        )
    sector_ids = tuple(sorted(set(parents["sector_level"]), key=natural_key))
    precinct_ids = tuple(sorted(set(parents["precinct_level"]), key=natural_key))
    origin = (float(np.mean(lon)), float(np.mean(lat)))
    x, y = _project(lon, lat, origin)
    return BeatTable(
        beat_ids=beat_ids,
        sector_ids=sector_ids,
        precinct_ids=precinct_ids,
        sector=np.array([sector_ids.index(p) for p in parents["sector_level"]]),
        precinct=np.array([precinct_ids.index(p) for p in parents["precinct_level"]]),
        home_lon=lon,
        home_lat=lat,
        home_x=x,
        home_y=y,
        origin=origin,
    )


def natural_key(value: str) -> tuple:
    """Sort numeric ids as numbers ("2" < "10"), then the rest as text."""
    return (0, int(value), value) if value.isdigit() else (1, 0, value)


def _project(
    lon: np.ndarray, lat: np.ndarray, origin: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray]:
    lon0, lat0 = origin
    x = (lon - lon0) * _M_PER_DEG_LON_EQUATOR * math.cos(math.radians(lat0))
    y = (lat - lat0) * _M_PER_DEG_LAT
    return x, y


def _polygons(areas: pd.DataFrame | None, level: str) -> dict[str, shapely.Geometry]:
    if areas is None or areas.empty or "geometry_wkb" not in areas:
        return {}
    rows = areas[areas["level"] == level]
    geoms = shapely.from_wkb([bytes(b) for b in rows["geometry_wkb"]])
    return dict(zip(rows["area_id"].astype(str), geoms, strict=True))


def _home_points(
    incidents: pd.DataFrame, polygons: dict, beat_ids: tuple[str, ...], beat_col: str
) -> tuple[np.ndarray, np.ndarray]:
    located = incidents[incidents[s.LON].notna() & incidents[s.LAT].notna()]
    means = located.groupby(located[beat_col].astype(str))[[s.LON, s.LAT]].mean()
    lon = np.full(len(beat_ids), np.nan)
    lat = np.full(len(beat_ids), np.nan)
    for i, beat in enumerate(beat_ids):
        if beat in polygons and polygons[beat] is not None:
            point = shapely.point_on_surface(polygons[beat])
            lon[i], lat[i] = point.x, point.y
        elif beat in means.index:
            lon[i], lat[i] = means.loc[beat, s.LON], means.loc[beat, s.LAT]
    if np.isnan(lon).any():
        missing = [b for b, v in zip(beat_ids, lon, strict=True) if np.isnan(v)]
        raise ConfigError(
            f"beats {missing[:10]} have neither a polygon in the area table nor a "
            "located incident, so units there have no position; pass the store's "
            "areas table"
        )
    return lon, lat


def _parent_of(
    incidents: pd.DataFrame,
    areas: pd.DataFrame | None,
    beat_ids: tuple[str, ...],
    beat_col: str,
    level: str,
    lon: np.ndarray,
    lat: np.ndarray,
) -> list[str]:
    parent_col = s.area_column(level)
    if parent_col not in incidents:
        raise ConfigError(
            f"the incidents have no column {parent_col}; the store's levels are "
            f"{_levels_in(incidents)}. Set [levels] in the simulation config"
        )
    pairs = incidents[[beat_col, parent_col]].dropna().astype(str)
    counts = pairs.value_counts().reset_index(name="n")
    counts["_key"] = counts[parent_col].map(natural_key)
    top = counts.sort_values([beat_col, "n", "_key"], ascending=[True, False, True])
    majority = top.drop_duplicates(beat_col).set_index(beat_col)[parent_col].to_dict()
    polygons = _polygons(areas, level)
    out = []
    for i, beat in enumerate(beat_ids):
        if beat in majority:
            out.append(majority[beat])
            continue
        point = shapely.Point(lon[i], lat[i])
        inside = [a for a, g in polygons.items() if g is not None and g.covers(point)]
        if not inside:
            raise ConfigError(
                f"beat {beat!r} has no incidents and its home point lies in no "
                f"{level!r} polygon, so its {level} is unknown"
            )
        out.append(sorted(inside, key=natural_key)[0])
    return out


def _levels_in(frame: pd.DataFrame) -> list[str]:
    return [c.removeprefix("area_") for c in frame.columns if c.startswith("area_")]
