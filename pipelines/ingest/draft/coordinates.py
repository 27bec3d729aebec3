"""Coordinate columns of a draft and the CRS that puts their points inside the area layer."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import LONLAT
from geo.crs_rank import (
    prepared_union,
    rank_candidate_crs,
    sample_points,
    usable_points,
)
from pipelines.errors import InputFileError
from pipelines.ingest.draft.columns import _LAT, _LON, _X, _Y, Guess, _best, _Column
from pipelines.ingest.locations import parse_point_text

# --- coordinates and CRS -------------------------------------------------------------


def _guess_coordinates(
    cols: dict[str, _Column],
    rows: pd.DataFrame,
    area_ll: gpd.GeoDataFrame | None,
    warnings: list[str],
) -> dict[str, Guess]:
    """lon/lat or projected x/y columns (with a CRS), and a point-text column."""
    out: dict[str, Guess] = {}
    text = _best(cols, lambda c: _point_text_share(c) - 0.8 + 1e-9, set())
    if text is not None:
        out["location"] = Guess(text.name, 0.9, "text holding a point")
    pairs = [p for p in (_pair(cols, _LON, _LAT), _pair(cols, _X, _Y)) if p]
    if not pairs:  # no coordinates at all: draft_required warns
        return out
    xy = {p: _numbers(rows, p) for p in pairs}
    lonlat = [
        p
        for p in pairs
        if max(_lonlat_share(*xy[p]), _lonlat_share(*xy[p][::-1])) >= 0.9
    ]
    pair = (lonlat or pairs)[0]
    x, y = xy[pair]
    if lonlat:
        pair, out["crs"] = _check_lonlat(pair, x, y, area_ll, warnings)
        out["lon"], out["lat"] = (Guess(c, 0.9, "lon/lat numbers") for c in pair)
    else:
        out["x"], out["y"] = (
            Guess(c, 0.8, "numbers too large for lon/lat: projected") for c in pair
        )
        out["crs"] = _guess_crs(x, y, area_ll, warnings)
    zeros = int(np.sum((x == 0) & (y == 0)))
    if zeros:
        out["missing_xy"] = Guess((0.0, 0.0), 1.0, f"{zeros:,} rows have 0,0")
    return out


def _pair(
    cols: dict[str, _Column], xs: set[str], ys: set[str]
) -> tuple[str, str] | None:
    def find(words: set[str]) -> str | None:
        hits = [c for c in cols.values() if c.words & words and c.numeric >= 0.9]
        return max(hits, key=lambda c: c.filled).name if hits else None

    x, y = find(xs), find(ys)
    return (x, y) if x and y and x != y else None


def _numbers(
    rows: pd.DataFrame, pair: tuple[str, str]
) -> tuple[np.ndarray, np.ndarray]:
    x, y = (
        pd.to_numeric(rows[c].str.strip(), errors="coerce").to_numpy("float64")
        for c in pair
    )
    return x, y


def _lonlat_share(x: np.ndarray, y: np.ndarray) -> float:
    ok = usable_points(x, y)
    inside = (np.abs(x[ok]) <= 180) & (np.abs(y[ok]) <= 90)
    return float(inside.mean()) if ok.any() else 0.0


def _point_text_share(col: _Column) -> float:
    if col.values.empty or col.numeric > 0.5:
        return 0.0
    lon, _ = parse_point_text(col.values.iloc[:500])
    return float(np.isfinite(lon).mean())


def _check_lonlat(
    pair: tuple[str, str], x, y, area_ll: gpd.GeoDataFrame | None, warnings: list[str]
) -> tuple[tuple[str, str], Guess]:
    """Share of points in range or inside the areas; swap the columns if that is far
    better."""
    straight, swapped = _lonlat_share(x, y), _lonlat_share(y, x)
    lon, lat = sample_points(x, y)
    if area_ll is not None and len(lon):
        union = prepared_union(area_ll)
        straight = float(shapely.contains_xy(union, lon, lat).mean())
        swapped = float(shapely.contains_xy(union, lat, lon).mean())
    if swapped > straight + 0.3:
        warnings.append(f"`{pair[0]}` holds latitudes, `{pair[1]}` longitudes: swapped")
        pair, straight = (pair[1], pair[0]), swapped
    if area_ll is None:
        return pair, Guess(
            None,
            0.8,
            "longitude/latitude (EPSG:4326); not checked against an area layer",
        )
    return pair, Guess(
        None,
        straight,
        f"longitude/latitude (EPSG:4326): "
        f"{straight:.1%} of {len(lon):,} sampled points fall inside "
        "the area layer",
    )


def _guess_crs(x, y, area_ll: gpd.GeoDataFrame | None, warnings: list[str]) -> Guess:
    if area_ll is None:
        warnings.append(
            "coordinates are projected but their CRS could not be checked "
            "without an area layer: set [location] crs (or give --areas)"
        )
        return Guess(None, 0.0, "projected; CRS not checked (no area layer given)")
    ranked = rank_candidate_crs(x, y, area_ll)
    if not ranked or ranked[0][2] == 0:
        warnings.append(
            "no candidate CRS puts the points inside the area layer: "
            "set [location] crs by hand"
        )
        return Guess(None, 0.0, "projected; no candidate CRS fits the area layer")
    code, crs_name, share = ranked[0]
    others = ", ".join(f"{c} {s:.0%}" for c, _, s in ranked[1:4])
    return Guess(
        code,
        share,
        f"{crs_name}: puts {share:.1%} of sampled points inside "
        f"the area layer ({len(ranked)} candidates tried; next: {others})",
    )


def _areas_lonlat(areas: gpd.GeoDataFrame, where: str) -> gpd.GeoDataFrame:
    if areas.crs is None:
        raise InputFileError(
            f"{where}: the area layer has no CRS; add one (a .prj file, or "
            "`gdf.set_crs('EPSG:4326')` if it is lon/lat) and try again"
        )
    layer = areas[~(areas.geometry.isna() | areas.geometry.is_empty)]
    return layer.to_crs(LONLAT)
