"""Analyst exports: CSV safe for spreadsheets, GeoJSON with every column."""

from __future__ import annotations

import csv
import io
import json

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from pipelines.exports import cell_id_from_feature, to_csv_text, to_geojson_text


def test_csv_defuses_spreadsheet_formulas_and_keeps_numbers():
    frame = pd.DataFrame(
        {
            "desc": ['=HYPERLINK("x")', "@SUM(A1)", "plain", "-5 apples"],
            "n": [-1, 2, 3, 4],
        }
    )
    rows = list(csv.reader(io.StringIO(to_csv_text(frame))))
    assert rows[1] == ['\'=HYPERLINK("x")', "-1"]  # numbers are left alone
    assert rows[2] == ["'@SUM(A1)", "2"]
    assert rows[3] == ["plain", "3"]
    assert rows[4] == ["'-5 apples", "4"]


def test_geojson_keeps_columns_and_dates_as_text():
    cells = gpd.GeoDataFrame(
        {"cell_id": [7], "day": pd.to_datetime(["2019-12-31"])},
        geometry=[box(-90.3, 38.6, -90.2, 38.7)],
        crs="EPSG:4326",
    )
    feature = json.loads(to_geojson_text(cells))["features"][0]
    assert feature["properties"] == {"cell_id": 7, "day": "2019-12-31"}


def test_cell_ids_are_read_from_map_feature_ids():
    assert cell_id_from_feature("cell:42") == 42
    assert cell_id_from_feature("35") is None
    assert cell_id_from_feature("cell:x") is None
    assert cell_id_from_feature(None) is None
