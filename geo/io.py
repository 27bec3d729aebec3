"""Reading area layers (polygons) from disk, validated and in the analysis CRS."""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo.crs import check_crs

log = logging.getLogger(__name__)


class AreaLayerError(ValueError):
    """An area layer cannot be used as given; the message says how to fix it."""


def read_area_layer(
    path: str | Path,
    id_field: str,
    name_field: str | None,
    analysis_crs: str,
    extra_fields: tuple[str, ...] = (),
) -> gpd.GeoDataFrame:
    """Read polygons with an id (and optional name) column into the analysis CRS.

    Parameters
    ----------
    path : str or Path
        GeoJSON, GeoPackage, Shapefile or GeoParquet file.
    id_field, name_field : str
        Columns with the area id and a human-readable name.
    analysis_crs : str
        Projected CRS in metres to return the layer in.
    extra_fields : tuple of str
        Further columns to keep (e.g. parent codes such as ``sector``).

    Returns
    -------
    GeoDataFrame
        Columns ``area_id`` (str), ``name`` (str), ``geometry``; sorted by
        ``area_id`` so that the boundary rule's "first area wins" is stable.

    Raises
    ------
    AreaLayerError
        Missing file or column, no CRS, duplicate ids, or empty geometries.

    Example
    -------
    >>> read_area_layer("neighborhoods.geojson", "NHD_NUM", "NHD_NAME", "EPSG:26996")
    """
    path = Path(path)
    if not path.exists():
        raise AreaLayerError(f"area layer {path} does not exist; check the path")
    if path.suffix.lower() == ".parquet":
        gdf = gpd.read_parquet(path)
    else:
        gdf = gpd.read_file(path)
    return prepare_area_layer(
        gdf, id_field, name_field, analysis_crs, str(path), extra_fields
    )


def prepare_area_layer(
    gdf: gpd.GeoDataFrame,
    id_field: str,
    name_field: str | None,
    analysis_crs: str,
    where: str,
    extra_fields: tuple[str, ...] = (),
) -> gpd.GeoDataFrame:
    """Validate an in-memory layer; see :func:`read_area_layer`."""
    for field in (id_field, name_field, *extra_fields):
        if field and field not in gdf.columns:
            raise AreaLayerError(
                f"{where}: column `{field}` not found; columns are "
                f"{[c for c in gdf.columns if c != 'geometry']}"
            )
    if gdf.crs is None:
        raise AreaLayerError(
            f"{where}: the layer has no CRS; add one (a .prj file, or "
            "`gdf.set_crs('EPSG:4326')` if it is lon/lat) and load it again"
        )
    check_crs(analysis_crs, where)
    ids = normalize_area_ids(gdf[id_field])
    duplicated = sorted(set(ids[ids.duplicated()]))
    if duplicated:
        raise AreaLayerError(
            f"{where}: area id(s) {duplicated[:10]} appear more than once in "
            f"`{id_field}`; each area needs one polygon row (dissolve them first)"
        )
    geometry = gdf.geometry
    if geometry.is_empty.any() or geometry.isna().any():
        bad = list(ids[geometry.is_empty | geometry.isna()][:10])
        raise AreaLayerError(f"{where}: area(s) {bad} have no geometry")
    invalid = ~geometry.is_valid
    if invalid.any():
        log.warning(
            "%s: repaired %d invalid polygon(s): %s",
            where, int(invalid.sum()), list(ids[invalid][:10]),
        )
        geometry = geometry.where(~invalid, shapely.make_valid(geometry.values))
    names = gdf[name_field].astype(str) if name_field else ids
    layer = gpd.GeoDataFrame(
        {
            "area_id": ids.values,
            "name": names.values,
            **{field: gdf[field].values for field in extra_fields},
        },
        geometry=geometry.values,
        crs=gdf.crs,
    ).to_crs(analysis_crs)
    order = pd.to_numeric(layer["area_id"], errors="coerce")
    layer = layer.assign(_order=order).sort_values(["_order", "area_id"])
    return layer.drop(columns="_order").reset_index(drop=True)


def normalize_area_ids(values: pd.Series) -> pd.Series:
    """Area ids as strings without padding: ``"0111"``, ``111`` and ``111.0`` -> ``"111"``.

    Departments write the same code with and without zero padding; a numeric id
    is compared by value, anything else by its stripped text.
    """
    text = values.astype("string").str.strip()
    numeric = pd.to_numeric(text, errors="coerce")
    whole = numeric.notna() & (numeric == numeric.round())
    out = text.copy()
    out[whole] = numeric[whole].astype("int64").astype("string")
    return out.astype(object).where(text.notna(), None)
