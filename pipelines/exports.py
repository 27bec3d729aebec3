"""Export formats for analysts: CSV and GeoJSON text (pure; the caller writes or
offers it for download)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from pipelines import schema as s

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
# Spreadsheets skip leading blanks (space, no-break space, tab, newline) before
# they look for a formula sign, so the guard must too.
_FORMULA_SIGNS = ("=", "+", "-", "@")
_BLANKS = " \t\r\n\u00a0\u2007\u202f\u3000\ufeff"


def to_csv_text(frame: pd.DataFrame) -> str:
    """CSV text of a frame (no index) that is safe to open in a spreadsheet.

    List columns are joined with spaces; text cells that a spreadsheet would run
    as a formula (starting with ``= + - @``, also after leading blanks) get a
    leading apostrophe.
    """
    flat = frame.copy()
    for column in flat.columns:
        if flat[column].map(lambda v: isinstance(v, list)).any():
            flat[column] = flat[column].map(lambda v: " ".join(map(str, v)))
        if not pd.api.types.is_numeric_dtype(flat[column]):
            flat[column] = flat[column].map(_defuse)
    return flat.to_csv(index=False)


def _defuse(value: object) -> object:
    if isinstance(value, str) and (
        value.startswith(_FORMULA_START)
        or value.lstrip(_BLANKS).startswith(_FORMULA_SIGNS)
    ):
        return "'" + value
    return value


def to_geojson_text(cells: gpd.GeoDataFrame) -> str:
    """GeoJSON (lon/lat) of cells or areas, with every non-geometry column."""
    out = cells.to_crs("EPSG:4326")
    for column in out.columns:
        if column != out.geometry.name and pd.api.types.is_datetime64_any_dtype(
            out[column]
        ):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    return out.to_json(drop_id=True)


def cell_id_from_feature(feature_id: str | None) -> int | None:
    """``"cell:42"`` -> 42 (map features of grid cells carry such ids)."""
    if feature_id and feature_id.startswith("cell:"):
        try:
            return int(feature_id.split(":", 1)[1])
        except ValueError:
            return None
    return None


RANKING_COLUMNS = [
    "rank",
    "area_id",
    "name",
    s.CATEGORY,
    "score",
    "volume",
    "harm",
    "trend",
    "hotspot",
    "persistence",
    "community",
    "reason",
]
