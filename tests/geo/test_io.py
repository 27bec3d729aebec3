"""Reading and validating area layers (geo/io.py)."""

from __future__ import annotations

import json
import logging
import re
import tempfile
import warnings
import zipfile
from pathlib import Path
from unittest import mock

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import (
    GeometryCollection,
    LineString,
    MultiPoint,
    Point,
    Polygon,
    box,
)

from geo.io import (
    AreaLayerError,
    normalize_area_ids,
    prepare_area_layer,
    read_area_layer,
)
from geo.safe_zip import ArchiveError, extract_members

REPO = Path(__file__).resolve().parents[2]
ANALYSIS = "EPSG:26996"  # NAD83 / Missouri East (metres)


def squares(ids, crs="EPSG:26996", names=None) -> gpd.GeoDataFrame:
    names = names or [f"Area {i}" for i in ids]
    return gpd.GeoDataFrame(
        {"id": ids, "nm": names},
        geometry=[box(10 * k, 0, 10 * k + 10, 10) for k in range(len(ids))],
        crs=crs,
    )


# --- errors ---


def test_missing_file_is_an_error_naming_the_path(tmp_path):
    path = tmp_path / "nowhere.geojson"
    with pytest.raises(AreaLayerError, match=r"nowhere\.geojson does not exist; check"):
        read_area_layer(path, "id", "nm", ANALYSIS)


def test_missing_id_column_lists_the_columns_found(tmp_path):
    path = tmp_path / "areas.geojson"
    squares(["1", "2"]).to_file(path)
    with pytest.raises(
        AreaLayerError,
        match=r"areas\.geojson: column `NHD_NUM` not found; columns are \['id', 'nm'\]",
    ):
        read_area_layer(path, "NHD_NUM", "nm", ANALYSIS)


def test_missing_name_and_extra_columns_are_errors():
    with pytest.raises(AreaLayerError, match=r"layer: column `NAME` not found"):
        prepare_area_layer(squares(["1"]), "id", "NAME", ANALYSIS, "layer")
    with pytest.raises(AreaLayerError, match=r"layer: column `sector` not found"):
        prepare_area_layer(squares(["1"]), "id", "nm", ANALYSIS, "layer", ("sector",))


def test_layer_without_crs_is_an_error_naming_the_fix(tmp_path):
    # A shapefile written without a .prj file has no CRS when read back.
    path = tmp_path / "noprj.shp"
    with warnings.catch_warnings():  # pyogrio warns that it writes no CRS
        warnings.simplefilter("ignore", UserWarning)
        squares(["1", "2"], crs=None).to_file(path)
    assert not path.with_suffix(".prj").exists()
    with pytest.raises(
        AreaLayerError, match=r"noprj\.shp: the layer has no CRS; add one .*set_crs"
    ):
        read_area_layer(path, "id", "nm", ANALYSIS)


def test_in_memory_layer_without_crs_is_an_error():
    with pytest.raises(AreaLayerError, match=r"^mem: the layer has no CRS"):
        prepare_area_layer(squares(["1"], crs=None), "id", "nm", ANALYSIS, "mem")


def test_unrecognised_analysis_crs_is_an_error():
    with pytest.raises(ValueError, match=r'mem: CRS "EPSG:999999" is not recognised'):
        prepare_area_layer(squares(["1"]), "id", "nm", "EPSG:999999", "mem")


def test_duplicate_ids_are_an_error():
    with pytest.raises(
        AreaLayerError,
        match=r"mem: area id\(s\) \['2'\] appear more than once in `id`; .*dissolve",
    ):
        prepare_area_layer(squares(["1", "2", "2"]), "id", "nm", ANALYSIS, "mem")


def test_zero_padded_and_plain_ids_are_duplicates_after_normalization():
    with pytest.raises(
        AreaLayerError, match=r"area id\(s\) \['1'\] appear more than once"
    ):
        prepare_area_layer(squares(["01", "1", "2"]), "id", "nm", ANALYSIS, "mem")


def test_numeric_and_text_ids_with_same_value_are_duplicates():
    layer = squares(["x", "y"]).assign(id=pd.Series([7, "7.0"], dtype=object))
    with pytest.raises(AreaLayerError, match=r"\['7'\] appear more than once"):
        prepare_area_layer(layer, "id", "nm", ANALYSIS, "mem")


def test_empty_geometry_is_an_error_naming_the_area():
    layer = squares(["1", "2", "3"])
    layer.loc[1, "geometry"] = Polygon()
    with pytest.raises(
        AreaLayerError, match=r"mem: area\(s\) \['2'\] have no geometry"
    ):
        prepare_area_layer(layer, "id", "nm", ANALYSIS, "mem")


def test_missing_geometry_is_an_error_naming_the_area():
    layer = squares(["1", "2", "3"])
    layer.loc[2, "geometry"] = None
    with pytest.raises(AreaLayerError, match=r"area\(s\) \['3'\] have no geometry"):
        prepare_area_layer(layer, "id", "nm", ANALYSIS, "mem")


# --- repair and result ---


def test_self_intersecting_bow_tie_is_repaired_with_a_warning(caplog):
    # Edges (0,0)-(2,2) and (2,0)-(0,2) cross at (1,1): two triangles of area 1.
    bow_tie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2), (0, 0)])
    assert not bow_tie.is_valid
    layer = gpd.GeoDataFrame(
        {"id": ["5", "6"], "nm": ["bow", "square"]},
        geometry=[bow_tie, box(5, 5, 6, 6)],
        crs=ANALYSIS,
    )
    with caplog.at_level(logging.WARNING, logger="geo.io"):
        out = prepare_area_layer(layer, "id", "nm", ANALYSIS, "mem")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert warnings[0].getMessage() == "mem: repaired 1 invalid polygon(s): ['5']"
    assert out.geometry.is_valid.all()
    assert out["area_id"].tolist() == ["5", "6"]
    np.testing.assert_allclose(out.geometry.area.to_numpy(), [2.0, 1.0])
    # The valid square is untouched.
    assert out.geometry.iloc[1].equals(box(5, 5, 6, 6))


def test_valid_layer_logs_no_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="geo.io"):
        prepare_area_layer(squares(["1", "2"]), "id", "nm", ANALYSIS, "mem")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_result_is_sorted_by_numeric_id_then_text():
    out = prepare_area_layer(
        squares(["10", "A", "9", "02"]), "id", "nm", ANALYSIS, "mem"
    )
    assert out["area_id"].tolist() == ["2", "9", "10", "A"]
    assert out["name"].tolist() == ["Area 02", "Area 9", "Area 10", "Area A"]
    assert list(out.index) == [0, 1, 2, 3]


def test_result_columns_extra_fields_and_name_defaulting_to_id():
    layer = squares(["1", "2"]).assign(sector=["S1", "S2"])
    out = prepare_area_layer(layer, "id", None, ANALYSIS, "mem", ("sector",))
    assert list(out.columns) == ["area_id", "name", "sector", "geometry"]
    assert out["name"].tolist() == ["1", "2"]
    assert out["sector"].tolist() == ["S1", "S2"]


def test_layer_is_reprojected_to_the_analysis_crs(tmp_path):
    lonlat = gpd.GeoDataFrame(
        {"id": ["1"], "nm": ["a"]},
        geometry=[box(-90.25, 38.60, -90.24, 38.61)],
        crs="EPSG:4326",
    )
    path = tmp_path / "lonlat.geojson"
    lonlat.to_file(path)
    out = read_area_layer(path, "id", "nm", ANALYSIS)
    assert out.crs.equals(ANALYSIS)
    to_metres = Transformer.from_crs("EPSG:4326", ANALYSIS, always_xy=True)
    lon, lat = np.array(lonlat.geometry.iloc[0].exterior.coords).T
    expected = np.column_stack(to_metres.transform(lon, lat))
    # Vertex by vertex: GeoJSON round trip keeps the ring, only reprojected.
    np.testing.assert_allclose(
        np.array(out.geometry.iloc[0].exterior.coords), expected, atol=0.01
    )


def test_real_neighborhood_layer_reads_88_areas():
    out = read_area_layer(
        REPO / "data/sample/neighborhoods.geojson", "NHD_NUM", "NHD_NAME", ANALYSIS
    )
    assert len(out) == 88
    assert out["area_id"].tolist() == [str(i) for i in range(1, 89)]
    assert out.geometry.is_valid.all()


# --- id normalization ---


def test_normalize_area_ids_strips_padding_decimals_and_spaces():
    values = pd.Series(["0111", 111, "111.0", " 7 ", "A1", None], dtype=object)
    assert normalize_area_ids(values).tolist() == ["111", "111", "111", "7", "A1", None]


def test_normalize_area_ids_keeps_text_ids_and_fractional_numbers_as_text():
    values = pd.Series([" a1 ", "12.5", "0", "000"], dtype=object)
    assert normalize_area_ids(values).tolist() == ["a1", "12.5", "0", "0"]


def test_normalize_area_ids_of_float_column_with_missing_value():
    values = pd.Series([3.0, np.nan, 14.0])
    assert normalize_area_ids(values).tolist() == ["3", None, "14"]


# --- file formats ---


def lonlat_squares(ids=("1", "2")) -> gpd.GeoDataFrame:
    """Squares of 0.01 degree in St. Louis, lon/lat."""
    return gpd.GeoDataFrame(
        {"id": list(ids), "nm": [f"Area {i}" for i in ids]},
        geometry=[
            box(-90.30 + 0.01 * k, 38.60, -90.29 + 0.01 * k, 38.61)
            for k in range(len(ids))
        ],
        crs="EPSG:4326",
    )


def shapefile_bytes(
    frame: gpd.GeoDataFrame, tmp_path: Path, stem: str = "areas"
) -> dict[str, bytes]:
    """The files of ``frame`` written as a shapefile, by file name."""
    folder = tmp_path / f"shp_{stem}"
    folder.mkdir()
    frame.to_file(folder / f"{stem}.shp")
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def reference(tmp_path) -> gpd.GeoDataFrame:
    path = tmp_path / "ref.geojson"
    lonlat_squares().to_file(path)
    return read_area_layer(path, "id", "nm", ANALYSIS)


def assert_same_areas(out: gpd.GeoDataFrame, ref: gpd.GeoDataFrame) -> None:
    assert out["area_id"].tolist() == ref["area_id"].tolist()
    assert out["name"].tolist() == ref["name"].tolist()
    assert out.crs.equals(ANALYSIS)
    np.testing.assert_allclose(out.geometry.area, ref.geometry.area, rtol=1e-6)


def test_geopackage_shapefile_and_geoparquet_read_the_same_areas(tmp_path):
    ref = reference(tmp_path)
    frame = lonlat_squares().to_crs("EPSG:3857")  # another CRS, declared
    frame.to_file(tmp_path / "areas.gpkg", driver="GPKG")
    frame.to_file(tmp_path / "areas.shp")
    frame.to_parquet(tmp_path / "areas.parquet")
    for name in ("areas.gpkg", "areas.shp", "areas.parquet"):
        assert_same_areas(read_area_layer(tmp_path / name, "id", "nm", ANALYSIS), ref)


def test_geopackage_layer_is_chosen_by_name(tmp_path):
    path = tmp_path / "two.gpkg"
    lonlat_squares(("1", "2")).to_file(path, layer="beats", driver="GPKG")
    lonlat_squares(("7",)).to_file(path, layer="sectors", driver="GPKG")
    out = read_area_layer(path, "id", "nm", ANALYSIS, layer="sectors")
    assert out["area_id"].tolist() == ["7"]


def test_geopackage_with_several_layers_needs_a_layer_name(tmp_path):
    path = tmp_path / "two.gpkg"
    lonlat_squares().to_file(path, layer="beats", driver="GPKG")
    lonlat_squares().to_file(path, layer="sectors", driver="GPKG")
    with pytest.raises(
        AreaLayerError,
        match=r"two\.gpkg: holds 2 layers \['beats', 'sectors'\]; expected one\. "
        r"Name the layer to read \(`layer`\), or save that layer to its own file$",
    ):
        read_area_layer(path, "id", "nm", ANALYSIS)
    with pytest.raises(
        AreaLayerError,
        match=r"two\.gpkg: layer 'districts' not found; the file's layers are "
        r"\['beats', 'sectors'\]$",
    ):
        read_area_layer(path, "id", "nm", ANALYSIS, layer="districts")


def test_zipped_shapefile_is_read_from_a_temporary_folder(tmp_path):
    parts = shapefile_bytes(lonlat_squares(), tmp_path)
    path = write_zip(
        tmp_path / "areas.zip",
        {
            **{f"export/areas/{name}": data for name, data in parts.items()},
            "__MACOSX/export/areas/._areas.shp": b"resource fork, not a layer",
            "export/readme.txt": b"not extracted",
        },
    )
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    with mock.patch.object(tempfile, "tempdir", str(tmp)):
        out = read_area_layer(path, "id", "nm", ANALYSIS)
    assert_same_areas(out, reference(tmp_path))
    assert list(tmp.iterdir()) == []  # the extraction folder is removed


def test_zip_with_two_shapefiles_needs_a_layer_name(tmp_path):
    members = {
        **shapefile_bytes(lonlat_squares(("1",)), tmp_path, "beats"),
        **shapefile_bytes(lonlat_squares(("5", "6")), tmp_path, "sectors"),
    }
    path = write_zip(tmp_path / "both.zip", members)
    with pytest.raises(
        AreaLayerError,
        match=r"both\.zip: the zip holds 2 shapefiles "
        r"\['beats\.shp', 'sectors\.shp'\]; "
        r"expected one\. Name the one to read \(`layer`\), or zip it alone$",
    ):
        read_area_layer(path, "id", "nm", ANALYSIS)
    out = read_area_layer(path, "id", "nm", ANALYSIS, layer="sectors")
    assert out["area_id"].tolist() == ["5", "6"]
    with pytest.raises(AreaLayerError, match=r"no shapefile named 'tracts\.shp'"):
        read_area_layer(path, "id", "nm", ANALYSIS, layer="tracts")


def test_zipped_shapefile_without_prj_names_the_fix(tmp_path):
    parts = shapefile_bytes(lonlat_squares(), tmp_path)
    path = write_zip(
        tmp_path / "noprj.zip",
        {k: v for k, v in parts.items() if not k.endswith(".prj")},
    )
    with pytest.raises(
        AreaLayerError,
        match=r"^\S*noprj\.zip: the zip holds areas\.shp but no areas\.prj, so the "
        r"layer's CRS is unknown; add the \.prj file to the zip \(export the layer "
        r"again with its projection\), or convert the layer to GeoJSON or GeoPackage "
        r"with its CRS$",
    ):
        read_area_layer(path, "id", "nm", ANALYSIS)


@pytest.mark.parametrize("missing", [".shx", ".dbf"])
def test_zipped_shapefile_without_index_or_table_is_an_error(tmp_path, missing):
    parts = shapefile_bytes(lonlat_squares(), tmp_path)
    path = write_zip(
        tmp_path / "part.zip",
        {k: v for k, v in parts.items() if not k.endswith(missing)},
    )
    with pytest.raises(
        AreaLayerError,
        match=rf"the zip holds areas\.shp but not its .* areas\{missing}",
    ):
        read_area_layer(path, "id", "nm", ANALYSIS)


def test_zip_without_a_shapefile_and_a_corrupt_zip_are_errors(tmp_path):
    empty = write_zip(tmp_path / "empty.zip", {"readme.txt": b"hello"})
    with pytest.raises(AreaLayerError, match=r"empty\.zip: the zip holds no \.shp"):
        read_area_layer(empty, "id", "nm", ANALYSIS)
    corrupt = tmp_path / "corrupt.zip"
    corrupt.write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(AreaLayerError, match=r"corrupt\.zip: not a readable zip file"):
        read_area_layer(corrupt, "id", "nm", ANALYSIS)


@pytest.mark.parametrize(
    "member",
    [
        "../evil.txt",
        "../../evil.txt",
        "/tmp/evil.txt",
        "a/../../evil.txt",
        "..\\evil.txt",
        "C:/evil.txt",
        "C:\\evil.txt",
    ],
)
def test_zip_with_path_traversal_is_refused_and_writes_nothing(tmp_path, member):
    parts = shapefile_bytes(lonlat_squares(), tmp_path)
    path = write_zip(tmp_path / "evil.zip", {**parts, member: b"pwned"})
    tmp = tmp_path / "tmp" / "inner"
    tmp.mkdir(parents=True)
    before = set(tmp_path.rglob("*"))
    existed = Path("/tmp/evil.txt").exists()
    with (
        mock.patch.object(tempfile, "tempdir", str(tmp)),
        pytest.raises(
            AreaLayerError,
            match=rf"evil\.zip: member '{re.escape(member)}' has an absolute path or "
            r"'\.\.' "
            r"\(path traversal\); refusing to extract an archive that could write outside "
            r"its folder\. Zip the layer's files again with plain relative names$",
        ),
    ):
        read_area_layer(path, "id", "nm", ANALYSIS)
    assert set(tmp_path.rglob("*")) == before
    assert Path("/tmp/evil.txt").exists() == existed


def test_zip_bomb_member_is_refused_before_extraction(tmp_path):
    parts = shapefile_bytes(lonlat_squares(), tmp_path)
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            if not name.endswith(".dbf"):
                zf.writestr(name, data)
        zf.writestr("areas.dbf", bytes(8 * 1024 * 1024))  # 8 MiB of zeros
    with pytest.raises(
        AreaLayerError,
        match=r"bomb\.zip: member 'areas\.dbf' expands [\d,]+ times \([\d,]+ -> "
        r"8,388,608 bytes\); expected at most 200 times \(refusing a possible zip "
        r"bomb\)$",
    ):
        read_area_layer(path, "id", "nm", ANALYSIS)


def test_safe_zip_caps_the_total_size_and_refuses_repeated_names(tmp_path):
    path = write_zip(tmp_path / "big.zip", {"a.shp": b"x" * 600, "a.dbf": b"y" * 600})
    with pytest.raises(
        ArchiveError,
        match=r"declare 1,200 bytes uncompressed; "
        r"expected at most 1,000",
    ):
        extract_members(path, tmp_path, max_total_bytes=1000)
    with zipfile.ZipFile(tmp_path / "twice.zip", "w") as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns on duplicates
        zf.writestr("a.shp", b"1")
        zf.writestr("a.shp", b"2")
    with pytest.raises(ArchiveError, match=r"member\(s\) \['a\.shp'\] appear more"):
        extract_members(tmp_path / "twice.zip", tmp_path)


def test_safe_zip_extracts_only_the_wanted_suffixes(tmp_path):
    path = write_zip(
        tmp_path / "mixed.zip",
        {"d/a.SHP": b"1", "d/a.dbf": b"2", "d/notes.txt": b"3", "d/": b""},
    )
    dest = tmp_path / "out"
    dest.mkdir()
    files = extract_members(path, dest, (".shp", ".dbf"))
    assert [f.relative_to(dest).as_posix() for f in files] == ["d/a.SHP", "d/a.dbf"]
    assert (dest / "d" / "a.dbf").read_bytes() == b"2"
    assert not (dest / "d" / "notes.txt").exists()


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        (
            "broken.geojson",
            '{"type": "FeatureCollection", "features": [',
            r"broken\.geojson: cannot be read as an area layer \(.*\); expected polygons "
            r"as GeoJSON, GeoPackage, Shapefile \(or a \.zip of one\) or GeoParquet",
        ),
        ("empty.geojson", "", r"empty\.geojson: cannot be read as an area layer"),
        ("text.parquet", "not parquet", r"text\.parquet: cannot be read as an area"),
    ],
)
def test_unreadable_files_are_errors_naming_the_file(tmp_path, name, content, match):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(AreaLayerError, match=match):
        read_area_layer(path, "id", "nm", ANALYSIS)


def test_parquet_without_geometry_is_an_error(tmp_path):
    path = tmp_path / "table.parquet"
    pd.DataFrame({"id": ["1"], "nm": ["a"]}).to_parquet(path)
    with pytest.raises(
        AreaLayerError,
        match=r"table\.parquet: cannot be read .*"
        r"Missing geo metadata",
    ):
        read_area_layer(path, "id", "nm", ANALYSIS)


def test_a_table_without_geometry_is_an_error():
    with pytest.raises(
        AreaLayerError,
        match=r"^mem: the file has no geometry column; expected polygons",
    ):
        prepare_area_layer(
            pd.DataFrame({"id": ["1"], "nm": ["a"]}), "id", "nm", ANALYSIS, "mem"
        )


def test_empty_feature_collection_is_an_error(tmp_path):
    path = tmp_path / "none.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(
        AreaLayerError,
        match=r"none\.geojson: the layer has no features; expected one polygon per "
        r"area$",
    ):
        read_area_layer(path, "id", "nm", ANALYSIS)


# --- geometry checks ---


@pytest.mark.parametrize(
    ("geometry", "kind"),
    [
        (Point(5, 5), "Point"),
        (LineString([(0, 0), (9, 9)]), "LineString"),
        (MultiPoint([(1, 1), (2, 2)]), "MultiPoint"),
    ],
)
def test_points_and_lines_are_not_areas(geometry, kind):
    layer = squares(["1", "2"])
    layer.loc[1, "geometry"] = geometry
    with pytest.raises(
        AreaLayerError,
        match=rf"^mem: area\(s\) \['2'\] are \['{kind}'\], not polygons; an area layer "
        r"needs Polygon or MultiPolygon geometries \(is this a file of points or "
        r"street lines\?\)$",
    ):
        prepare_area_layer(layer, "id", "nm", ANALYSIS, "mem")


def test_repair_keeps_only_the_polygonal_part_of_a_spike(caplog):
    # make_valid turns the square with a zero-width spike into a collection of
    # the square and a line; the line is dropped.
    spike = Polygon([(0, 0), (10, 0), (10, 5), (20, 5), (10, 5), (10, 10), (0, 10)])
    assert shapely.make_valid(spike).geom_type == "GeometryCollection"
    layer = gpd.GeoDataFrame(
        {"id": ["1", "2"], "nm": ["a", "b"]},
        geometry=[spike, box(30, 0, 40, 10)],
        crs=ANALYSIS,
    )
    with caplog.at_level(logging.WARNING, logger="geo.io"):
        out = prepare_area_layer(layer, "id", "nm", ANALYSIS, "mem")
    assert [r.getMessage() for r in caplog.records] == [
        "mem: repaired 1 invalid polygon(s): ['1']",
        "mem: kept only the polygonal parts of 1 area(s) (dropped points and lines): "
        "['1']",
    ]
    assert out.geom_type.tolist() == ["Polygon", "Polygon"]
    np.testing.assert_allclose(out.geometry.area, [100.0, 100.0])


def test_input_geometry_collection_keeps_its_polygons():
    collection = GeometryCollection(
        [box(0, 0, 10, 10), box(20, 0, 30, 10), LineString([(0, 20), (5, 25)])]
    )
    layer = gpd.GeoDataFrame(
        {"id": ["1"], "nm": ["a"]}, geometry=[collection], crs=ANALYSIS
    )
    out = prepare_area_layer(layer, "id", "nm", ANALYSIS, "mem")
    assert out.geom_type.tolist() == ["MultiPolygon"]
    np.testing.assert_allclose(out.geometry.area, [200.0])


def test_polygon_with_zero_area_is_an_error():
    flat = Polygon([(0, 0), (10, 0), (5, 0), (0, 0)])
    layer = squares(["1", "2"])
    layer.loc[0, "geometry"] = flat
    with pytest.raises(
        AreaLayerError,
        match=r"^mem: area\(s\) \['1'\] have no polygonal part \(zero area, or only "
        r"lines and points\); fix or drop them$",
    ):
        prepare_area_layer(layer, "id", "nm", ANALYSIS, "mem")


def test_projected_coordinates_labelled_lon_lat_are_an_error(tmp_path):
    # A GeoJSON file without a `crs` member is read as EPSG:4326.
    path = tmp_path / "feet.geojson"
    doc = json.loads(
        squares(["1"]).assign(geometry=[box(270000, 300000, 271000, 301000)]).to_json()
    )
    doc.pop("crs", None)
    path.write_text(json.dumps(doc))
    with pytest.raises(
        AreaLayerError,
        match=r"feet\.geojson: the layer's CRS is EPSG:4326 \(longitude/latitude\) but "
        r"its coordinates span x 270,000 to 271,000 and y 300,000 to 301,000, which "
        r"are not degrees \(a GeoJSON file without a `crs` member is read as "
        r"lon/lat\); export the layer again with its real CRS",
    ):
        read_area_layer(path, "id", "nm", ANALYSIS)


def test_missing_ids_are_an_error_naming_the_features():
    layer = squares(["1", "2", "3"]).assign(id=["1", None, " "])
    with pytest.raises(
        AreaLayerError,
        match=r"^mem: feature\(s\) \[2, 3\] have no value in `id`; every area needs an "
        r"id \(fill it in, or drop features that are not areas\)$",
    ):
        prepare_area_layer(layer, "id", "nm", ANALYSIS, "mem")


def test_analysis_crs_in_degrees_is_an_error():
    with pytest.raises(
        AreaLayerError,
        match=r'^mem: analysis CRS "EPSG:4326" must be projected in metres \(found '
        r"units \['degree'\]\)",
    ):
        prepare_area_layer(squares(["1"]), "id", "nm", "EPSG:4326", "mem")


def test_unrecognised_analysis_crs_is_an_area_layer_error():
    with pytest.raises(AreaLayerError, match=r'mem: CRS "EPSG:999999" is not recog'):
        prepare_area_layer(squares(["1"]), "id", "nm", "EPSG:999999", "mem")
