"""Reading area layers (polygons) from disk, validated and in the analysis CRS.

All area-layer file I/O lives here: GeoJSON, GeoPackage, Shapefile, a zipped
Shapefile (extracted safely into a temporary folder) and GeoParquet.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyarrow import ArrowException

from geo.crs import check_projected_metres
from geo.errors import ArchiveError, AreaLayerError
from geo.safe_zip import extract_members

log = logging.getLogger(__name__)

SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_PARQUET = (".parquet", ".geoparquet")
_POLYGONAL = ("Polygon", "MultiPolygon")
# What a reader library raises for a file it cannot parse.
_READ_ERRORS = (
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    ArrowException,
    OSError,
    ValueError,
    UnicodeError,
)


def read_area_layer(
    path: str | Path,
    id_field: str,
    name_field: str | None,
    analysis_crs: str,
    extra_fields: tuple[str, ...] = (),
    layer: str | None = None,
) -> gpd.GeoDataFrame:
    """Read polygons with an id (and optional name) column into the analysis CRS.

    Parameters
    ----------
    path : str or Path
        GeoJSON, GeoPackage, Shapefile, zipped Shapefile (``.zip`` holding the
        ``.shp``, ``.shx``, ``.dbf`` and ``.prj``) or GeoParquet file.
    id_field, name_field : str
        Columns with the area id and a human-readable name.
    analysis_crs : str
        Projected CRS in metres to return the layer in.
    extra_fields : tuple of str
        Further columns to keep (e.g. parent codes such as ``sector``).
    layer : str, optional
        Layer to read from a GeoPackage holding several, or the shapefile's name
        (without ``.shp``) in a zip holding several.

    Returns
    -------
    GeoDataFrame
        Columns ``area_id`` (str), ``name`` (str), ``geometry`` (Polygon or
        MultiPolygon); sorted by ``area_id`` so that the boundary rule's "first
        area wins" is stable.

    Raises
    ------
    AreaLayerError
        Missing or unreadable file, an unsafe zip, a zipped shapefile without
        ``.prj``, missing column, no CRS, missing or duplicate ids, empty or
        non-polygon geometries.

    Example
    -------
    >>> read_area_layer("neighborhoods.geojson", "NHD_NUM", "NHD_NAME", "EPSG:26996")
    """
    path = Path(path)
    if not path.exists():
        raise AreaLayerError(f"area layer {path} does not exist; check the path")
    gdf = _read_layer_file(path, layer)
    return prepare_area_layer(
        gdf, id_field, name_field, analysis_crs, str(path), extra_fields
    )


def _read_layer_file(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    """Read by file type; what the reader libraries raise becomes AreaLayerError."""
    try:
        if path.suffix.lower() in _PARQUET:
            return gpd.read_parquet(path)
        if path.suffix.lower() == ".zip":
            return _read_zipped_shapefile(path, layer)
        return gpd.read_file(path, layer=_pick_layer(path, layer))
    except AreaLayerError:
        raise
    except _READ_ERRORS as exc:
        text = str(exc).strip()
        reason = text.splitlines()[0] if text else type(exc).__name__
        raise AreaLayerError(
            f"{path}: cannot be read as an area layer ({reason}); expected polygons "
            "as GeoJSON, GeoPackage, Shapefile (or a .zip of one) or GeoParquet. "
            "Check that the file opens in a GIS, and export it again"
        ) from exc


def _pick_layer(path: Path, layer: str | None) -> str | None:
    """The layer to read: the only one, or the one named (GeoPackage)."""
    layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    if layer is None:
        if len(layers) > 1:
            raise AreaLayerError(
                f"{path}: holds {len(layers)} layers {layers[:10]}; expected one. "
                "Name the layer to read (`layer`), or save that layer to its own file"
            )
        return None
    if layer not in layers:
        raise AreaLayerError(
            f"{path}: layer '{layer}' not found; the file's layers are {layers[:10]}"
        )
    return layer


def _read_zipped_shapefile(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    """Extract the shapefile parts into a temporary folder and read them there."""
    with tempfile.TemporaryDirectory(prefix="beatprofile-layer-") as tmp:
        try:
            files = extract_members(path, tmp, SHAPEFILE_PARTS)
        except ArchiveError as exc:
            raise AreaLayerError(str(exc)) from exc
        shp = _pick_shapefile(path, files, layer)
        for suffix, what in ((".shx", "index"), (".dbf", "attribute table")):
            if _sibling(files, shp, suffix) is None:
                raise AreaLayerError(
                    f"{path}: the zip holds {shp.name} but not its {what} "
                    f"{shp.stem}{suffix}; a shapefile needs .shp, .shx, .dbf and .prj "
                    "side by side. Zip all of them"
                )
        if _sibling(files, shp, ".prj") is None:
            raise AreaLayerError(
                f"{path}: the zip holds {shp.name} but no {shp.stem}.prj, so the "
                "layer's CRS is unknown; add the .prj file to the zip (export the "
                "layer again with its projection), or convert the layer to GeoJSON "
                "or GeoPackage with its CRS"
            )
        return gpd.read_file(shp)


def _pick_shapefile(path: Path, files: list[Path], layer: str | None) -> Path:
    """The one ``.shp`` in the archive, or the one named ``layer``."""
    shps = [
        f
        for f in files
        if f.suffix.lower() == ".shp"
        and not f.name.startswith("._")
        and "__MACOSX" not in f.parts  # macOS resource forks, not layers
    ]
    if layer is not None:
        shps = [f for f in shps if f.stem == layer]
        if not shps:
            raise AreaLayerError(
                f"{path}: the zip holds no shapefile named '{layer}.shp'; check the "
                "layer name"
            )
    if not shps:
        raise AreaLayerError(
            f"{path}: the zip holds no .shp file; expected a zipped shapefile "
            "(.shp, .shx, .dbf and .prj)"
        )
    if len(shps) > 1:
        raise AreaLayerError(
            f"{path}: the zip holds {len(shps)} shapefiles "
            f"{sorted(f.name for f in shps)[:10]}; expected one. Name the one to read "
            "(`layer`), or zip it alone"
        )
    return shps[0]


def _sibling(files: list[Path], shp: Path, suffix: str) -> Path | None:
    for f in files:
        if f.parent == shp.parent and f.stem == shp.stem and f.suffix.lower() == suffix:
            return f
    return None


def prepare_area_layer(
    gdf: gpd.GeoDataFrame,
    id_field: str,
    name_field: str | None,
    analysis_crs: str,
    where: str,
    extra_fields: tuple[str, ...] = (),
) -> gpd.GeoDataFrame:
    """Validate an in-memory layer; see :func:`read_area_layer`."""
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.active_geometry_name is None:
        raise AreaLayerError(
            f"{where}: the file has no geometry column; expected polygons, one "
            "per area (is this a table rather than a map layer?)"
        )
    if len(gdf) == 0:
        raise AreaLayerError(
            f"{where}: the layer has no features; expected one polygon per area"
        )
    for field in (id_field, name_field, *extra_fields):
        if field and field not in gdf.columns:
            raise AreaLayerError(
                f"{where}: column `{field}` not found; columns are "
                f"{[c for c in gdf.columns if c != gdf.active_geometry_name]}"
            )
    if gdf.crs is None:
        raise AreaLayerError(
            f"{where}: the layer has no CRS; add one (a .prj file, or "
            "`gdf.set_crs('EPSG:4326')` if it is lon/lat) and load it again"
        )
    try:
        check_projected_metres(analysis_crs, where)
    except ValueError as exc:
        raise AreaLayerError(str(exc)) from exc
    ids = _checked_ids(gdf[id_field], id_field, where)
    geometry = _checked_geometry(gdf, ids, where)
    names = gdf[name_field].astype(str) if name_field else ids
    layer = gpd.GeoDataFrame(
        {
            "area_id": ids.values,
            "name": names.values,
            **{field: gdf[field].values for field in extra_fields},
        },
        geometry=geometry,
        crs=gdf.crs,
    ).to_crs(analysis_crs)
    if not np.isfinite(layer.total_bounds).all():
        raise AreaLayerError(
            f"{where}: some areas cannot be projected from {gdf.crs.to_string()} to "
            f"{analysis_crs}; check that the layer's CRS is the one its coordinates "
            "are in"
        )
    order = pd.to_numeric(layer["area_id"], errors="coerce")
    layer = layer.assign(_order=order).sort_values(["_order", "area_id"])
    return layer.drop(columns="_order").reset_index(drop=True)


def _checked_ids(values: pd.Series, id_field: str, where: str) -> pd.Series:
    """Normalized ids; missing or repeated ids are errors."""
    ids = normalize_area_ids(values)
    missing = ids.isna() | (ids == "")
    if missing.any():
        rows = (np.flatnonzero(missing.to_numpy()) + 1).tolist()
        raise AreaLayerError(
            f"{where}: feature(s) {rows[:10]} have no value in `{id_field}`; every "
            "area needs an id (fill it in, or drop features that are not areas)"
        )
    duplicated = sorted(set(ids[ids.duplicated()]))
    if duplicated:
        raise AreaLayerError(
            f"{where}: area id(s) {duplicated[:10]} appear more than once in "
            f"`{id_field}`; each area needs one polygon row (dissolve them first)"
        )
    return ids


def _checked_geometry(gdf: gpd.GeoDataFrame, ids: pd.Series, where: str) -> np.ndarray:
    """Polygons only (repaired if invalid), in degree range if the CRS is lon/lat."""
    geometry = gdf.geometry
    if geometry.is_empty.any() or geometry.isna().any():
        bad = list(ids[geometry.is_empty | geometry.isna()][:10])
        raise AreaLayerError(f"{where}: area(s) {bad} have no geometry")
    kinds = geometry.geom_type
    wrong = ~kinds.isin([*_POLYGONAL, "GeometryCollection"])
    if wrong.any():
        raise AreaLayerError(
            f"{where}: area(s) {list(ids[wrong][:10])} are "
            f"{sorted(set(kinds[wrong]))}, not polygons; an area layer needs Polygon "
            "or MultiPolygon geometries (is this a file of points or street lines?)"
        )
    _check_degrees(gdf, where)
    geoms = geometry.to_numpy()
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        log.warning(
            "%s: repaired %d invalid polygon(s): %s",
            where,
            int(invalid.sum()),
            list(ids[invalid][:10]),
        )
        geoms = np.where(invalid, shapely.make_valid(geoms), geoms)
    reduced = ~np.isin(shapely.get_type_id(geoms), (3, 6))  # not (Multi)Polygon
    if reduced.any():
        log.warning(
            "%s: kept only the polygonal parts of %d area(s) (dropped points and "
            "lines): %s",
            where,
            int(reduced.sum()),
            list(ids[reduced][:10]),
        )
        geoms = geoms.copy()
        geoms[reduced] = [_polygonal_part(g) for g in geoms[reduced]]
        lost = shapely.is_empty(geoms)
        if lost.any():
            raise AreaLayerError(
                f"{where}: area(s) {list(ids[lost][:10])} have no polygonal part "
                "(zero area, or only lines and points); fix or drop them"
            )
    return geoms


def _check_degrees(gdf: gpd.GeoDataFrame, where: str) -> None:
    """A lon/lat CRS with coordinates outside degree range is the wrong CRS."""
    if not gdf.crs.is_geographic:
        return
    minx, miny, maxx, maxy = gdf.total_bounds
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise AreaLayerError(
            f"{where}: the layer's CRS is {gdf.crs.to_string()} (longitude/latitude) "
            f"but its coordinates span x {minx:,.0f} to {maxx:,.0f} and y "
            f"{miny:,.0f} to {maxy:,.0f}, which are not degrees (a GeoJSON file "
            "without a `crs` member is read as lon/lat); export the layer again "
            "with its real CRS, for example as GeoPackage, or reproject it to "
            "EPSG:4326"
        )


def _polygonal_part(geom: shapely.Geometry) -> shapely.Geometry:
    """The union of the Polygon parts of a collection (empty Polygon if none)."""
    parts = [geom]
    polygons = []
    while parts:
        part = parts.pop()
        if isinstance(part, shapely.Polygon | shapely.MultiPolygon):
            polygons.append(part)
        elif isinstance(part, shapely.GeometryCollection):
            parts.extend(shapely.get_parts(part))
    polygons = [p for p in polygons if not p.is_empty]
    return shapely.union_all(polygons) if polygons else shapely.Polygon()


def normalize_area_ids(values: pd.Series) -> pd.Series:
    """Area ids as strings without padding: ``"0111"``, ``111`` and ``111.0`` -> ``"111"``.

    Departments write the same code with and without zero padding; a numeric id
    is compared by value, anything else by its stripped text. Each distinct
    value is normalized once (a million labels hold only a few hundred codes).
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    normalized = np.array([_normalize_one(v) for v in uniques], dtype=object)
    out = np.full(len(codes), None, dtype=object)
    known = codes >= 0
    out[known] = normalized[codes[known]]
    return pd.Series(out, index=values.index, dtype=object)


def _normalize_one(value: object) -> str | None:
    if (
        value is None
        or value is pd.NA
        or (isinstance(value, float) and np.isnan(value))
    ):
        return None
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return text
    if np.isfinite(number) and number == round(number):
        return str(int(number))
    return text
