"""Reading and validating area layers (geo/io.py)."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import Polygon, box

from geo.io import (
    AreaLayerError,
    normalize_area_ids,
    prepare_area_layer,
    read_area_layer,
)

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
