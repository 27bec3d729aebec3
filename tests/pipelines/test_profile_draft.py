"""Drafting source profiles for unseen exports (``pipelines/ingest/draft/profile.py``).

Unit tests on small hand-made exports whose right answers are obvious, and
integration tests on the real exports in ``../shared/data``: the draft is
loaded as written and ingested with no edits.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyproj import Transformer
from shapely.geometry import box

from pipelines import schema as s
from pipelines.errors import InputFileError
from pipelines.ingest.category_rules import (
    propose_call_source,
    propose_category,
    toml_value,
)
from pipelines.ingest.draft.profile import (
    ProfileDraft,
    detect_date_formats,
    draft_profile,
    rank_candidate_crs,
)
from pipelines.ingest.normalize import ISSUE, normalize_export
from pipelines.ingest.readers import (
    LINE_COLUMN,
    PROBLEM_COLUMN,
    ExportTable,
    read_export,
)
from pipelines.ingest.source_profile import load_source_profile
from tests.conftest import SHARED_DATA, requires_shared_data

MISSOURI_EAST_M = "EPSG:26996"


def make_table(columns: dict[str, list[str]], name: str = "export.csv") -> ExportTable:
    """An export as read_export returns it: text cells plus line numbers."""
    frame = pd.DataFrame(columns, dtype=object)
    frame[LINE_COLUMN] = np.arange(2, len(frame) + 2)
    frame[PROBLEM_COLUMN] = None
    return ExportTable(file_name=name, sha256="0" * 64, encoding="utf-8", rows=frame)


def grid_areas() -> gpd.GeoDataFrame:
    """A 3x3 grid of 0.01-degree square beats in St. Louis, ids 101..109."""
    cells = [
        box(-90.30 + 0.01 * i, 38.60 + 0.01 * j, -90.29 + 0.01 * i, 38.61 + 0.01 * j)
        for j in range(3)
        for i in range(3)
    ]
    ids = [str(101 + k) for k in range(9)]
    return gpd.GeoDataFrame({"beat_id": ids}, geometry=cells, crs="EPSG:4326")


def cell_centres(n: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``n`` points cycling through the grid's cell centres, with their beat ids."""
    k = np.arange(n) % 9
    lon = -90.295 + 0.01 * (k % 3)
    lat = 38.605 + 0.01 * (k // 3)
    return lon, lat, [str(101 + i) for i in k]


def typical_export(n: int = 12) -> dict[str, list[str]]:
    """An id, a date, an offense and lon/lat: what must ingest with no edits."""
    lon, lat, beats = cell_centres(n)
    offenses = ["ROBBERY", "BURGLARY-RESIDENCE", "LARCENY-FROM MTR VEH", "LOST ITEM"]
    return {
        "Incident ID": [f"19-{i:05d}" for i in range(n)],
        "Date Occurred": [
            f"06/{1 + i % 28:02d}/2019 {i % 12 + 1}:15:00 PM" for i in range(n)
        ],
        "Offense": [offenses[i % 4] for i in range(n)],
        "Beat": [f"0{b}" for b in beats],
        "District": [b[0] for b in beats],
        "Longitude": [f"{v:.6f}" for v in lon],
        "Latitude": [f"{v:.6f}" for v in lat],
    }


def load_draft(draft: ProfileDraft, tmp_path: Path):
    path = tmp_path / "draft.toml"
    path.write_text(draft.toml, encoding="utf-8")
    return load_source_profile(path)


# --- date formats ---------------------------------------------------------------------


def test_date_format_is_the_one_parsing_most_values():
    values = pd.Series(["06/15/2019 14:30", "06/16/2019 09:05", "06/17/2019 23:59"])
    assert detect_date_formats(values) == (("%m/%d/%Y %H:%M",), 1.0)


def test_mixed_date_formats_are_all_listed_most_common_first():
    values = pd.Series(["06/15/2019 14:30", "06/16/2019 09:05", "2019-06-17"])
    assert detect_date_formats(values) == (("%m/%d/%Y %H:%M", "%Y-%m-%d"), 1.0)


def test_twelve_hour_times_with_and_without_leading_zero_share_a_format():
    values = pd.Series(["08/19/2011 09:16:27 PM", "11/04/2023 6:08:26 PM"])
    assert detect_date_formats(values) == (("%m/%d/%Y %I:%M:%S %p",), 1.0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2012-01-01T00:00:00.000", "%Y-%m-%dT%H:%M:%S.%f"),
        ("2019-06-15 14:30:00", "%Y-%m-%d %H:%M:%S"),
        ("2019-06", "%Y-%m"),
        ("25/12/2019 10:00", "%d/%m/%Y %H:%M"),
    ],
)
def test_common_date_formats_are_recognised(value, expected):
    assert detect_date_formats(pd.Series([value]))[0] == (expected,)


def test_share_parsed_counts_values_no_format_reads():
    assert detect_date_formats(pd.Series(["2019-06", "not a date", ""])) == (
        ("%Y-%m",),
        0.5,
    )


def test_no_values_give_no_formats():
    assert detect_date_formats(pd.Series(["", "  "])) == ((), 0.0)


# --- column guesses -------------------------------------------------------------------


def test_typical_export_columns_are_guessed():
    g = draft_profile(make_table(typical_export())).guesses
    assert g["incident_id"].value == "Incident ID"
    assert g["unique_ids"].value is True
    assert g["occurred_at"].value == "Date Occurred"
    assert g["dates.occurred_at"].value == ("%m/%d/%Y %I:%M:%S %p",)
    assert g["offense_desc"].value == "Offense"
    assert (g["lon"].value, g["lat"].value) == ("Longitude", "Latitude")
    assert g["crs"].value is None
    assert g["kind"].value == "report"


def test_unique_offense_id_beats_a_report_number_that_repeats():
    table = make_table(
        {
            "Report Number": ["2020-1", "2020-1", "2020-2", "2020-3"],
            "Offense ID": ["11", "12", "13", "14"],
            "Offense Start DateTime": ["02/02/2020 08:30:00 PM"] * 4,
        }
    )
    g = draft_profile(table).guesses
    assert g["incident_id"].value == "Offense ID"
    assert g["unique_ids"].value is True


def test_repeated_ids_leave_unique_ids_false():
    table = make_table(
        {
            "Complaint": ["19-1", "19-1", "19-2"],
            "DateOccur": ["06/01/2019 10:00"] * 3,
        }
    )
    g = draft_profile(table).guesses
    assert g["incident_id"].value == "Complaint"
    assert g["unique_ids"].value is False


def test_date_roles_follow_the_header_words():
    table = make_table(
        {
            "Case Number": ["A", "B"],
            "Offense Start DateTime": ["02/02/2020 08:30:00 PM"] * 2,
            "Offense End DateTime": ["02/02/2020 09:30:00 PM"] * 2,
            "Report DateTime": ["02/05/2020 09:39:33 AM"] * 2,
            "Updated On": ["2020-02-06T10:00:00.000"] * 2,
        }
    )
    g = draft_profile(table).guesses
    assert g["occurred_at"].value == "Offense Start DateTime"
    assert g["reported_at"].value == "Report DateTime"
    assert g["updated_at"].value == "Updated On"
    assert g["dates.updated_at"].value == ("%Y-%m-%dT%H:%M:%S.%f",)


def test_zero_pairs_become_missing_xy():
    columns = typical_export()
    columns["Longitude"][0] = columns["Latitude"][0] = "0"
    g = draft_profile(make_table(columns)).guesses
    assert g["missing_xy"].value == (0.0, 0.0)
    assert g["missing_xy"].evidence == "1 rows have 0,0"


@pytest.mark.parametrize(
    "text",
    [
        "(38.605, -90.295)",
        "{'latitude': '38.605', 'longitude': '-90.295'}",
        "POINT (-90.295 38.605)",
    ],
)
def test_point_text_column_is_the_location(text):
    table = make_table(
        {
            "Case Number": ["A", "B"],
            "Date": ["2019-06-01"] * 2,
            "Location": [text, text],
        }
    )
    g = draft_profile(table).guesses
    assert g["location"].value == "Location"
    assert "lon" not in g and "x" not in g


def test_count_of_plus_and_minus_one_enables_reversals(tmp_path):
    columns = typical_export()
    columns["Count"] = ["1"] * 11 + ["-1"]
    draft = draft_profile(make_table(columns))
    assert draft.guesses["count"].value == "Count"
    profile = load_draft(draft, tmp_path)
    assert profile.reversals is True
    assert profile.columns[s.COUNT] == ("Count",)


def test_domestic_yes_no_column_becomes_the_sensitive_column(tmp_path):
    columns = typical_export()
    columns["Domestic"] = ["true", "false"] * 6
    profile = load_draft(draft_profile(make_table(columns)), tmp_path)
    assert profile.sensitive_column == "Domestic"
    assert profile.sensitive_true == ("TRUE",)


def test_primary_type_is_prefixed_when_the_description_is_ambiguous():
    table = make_table(
        {
            "Case Number": ["A", "B", "C", "D"],
            "Date": ["01/03/2016 11:57:00 PM"] * 4,
            "IUCR": ["0460", "0560", "0820", "0460"],
            "Primary Type": ["BATTERY", "ASSAULT", "THEFT", "BATTERY"],
            "Description": ["SIMPLE", "SIMPLE", "$500 AND UNDER", "SIMPLE"],
        }
    )
    g = draft_profile(table).guesses
    assert g["offense_code"].value == "IUCR"
    assert g["offense_desc"].value == ("Primary Type", "Description")


def test_codes_get_the_category_their_description_matched(tmp_path):
    table = make_table(
        {
            "Complaint": ["1", "2", "3", "4"],
            "DateOccur": ["06/01/2019 10:00"] * 4,
            "Crime": [" 31111", "265321", " 31111", "264100"],
            "Description": [
                "ROBBERY-HIGHWAY",
                "LEAVING SCENE OF ACCIDENT",
                "ROBBERY-HIGHWAY",
                "HEALTH-SANITATION VIOL",
            ],
            # coordinates are a required role (issue 11): without them the draft
            # leaves lon/lat = "TODO", which the loader refuses
            "Longitude": ["-90.295"] * 4,
            "Latitude": ["38.605"] * 4,
        }
    )
    draft = draft_profile(table)
    profile = load_draft(draft, tmp_path)
    assert profile.code_width == 6
    assert profile.code_categories == {"031111": "robbery", "265321": "traffic"}
    assert profile.default_category == "other"
    assert "#   264100 HEALTH-SANITATION VIOL (1 rows)" in draft.toml


def test_cad_export_is_drafted_as_calls(tmp_path):
    n = 8
    lon, lat, _ = cell_centres(n)
    sources = [
        "911",
        "ONVIEW",
        "TELEPHONE OTHER, NOT 911",
        "ALARM CALL (NOT POLICE ALARM)",
    ]
    table = make_table(
        {
            "CAD Event Number": [str(2023000000 + i) for i in range(n)],
            "Call Type": [sources[i % 4] for i in range(n)],
            "Priority": [str(1 + i % 3) for i in range(n)],
            "Final Call Type": ["--THEFT - CAR PROWL", "--TRAFFIC - PARKING VIOL"] * 4,
            "Original Time Queued": ["11/04/2023 6:08:26 PM"] * n,
            "Arrived Time": ["11/04/2023 6:51:06 PM"] * (n - 1) + [""],
            "Blurred_Longitude": [f"{v:.5f}" for v in lon],
            "Blurred_Latitude": [f"{v:.5f}" for v in lat],
        }
    )
    draft = draft_profile(table)
    g = draft.guesses
    assert g["kind"].value == "call"
    assert (g["priority"].value, g["call_source"].value) == ("Priority", "Call Type")
    assert g["occurred_at"].value == g["queued_at"].value == "Original Time Queued"
    assert g["arrived_at"].value == "Arrived Time"
    profile = load_draft(draft, tmp_path)
    assert profile.call_sources == {
        "911": "911",
        "ONVIEW": "on-view",
        "TELEPHONE OTHER, NOT 911": "phone",
        "ALARM CALL (NOT POLICE ALARM)": "alarm",
    }
    out = normalize_export(table, profile, MISSOURI_EAST_M)
    assert list(out[s.CALL_SOURCE][:4]) == ["911", "on-view", "phone", "alarm"]
    assert out[s.ARRIVED_AT].notna().sum() == n - 1


# --- areas: label column, lon/lat check, projected CRS --------------------------------


def test_label_matching_the_polygon_ids_is_chosen_after_normalization(tmp_path):
    draft = draft_profile(make_table(typical_export()), grid_areas())
    assert draft.guesses["area_label"].value == "Beat"  # "0101" matches "101"
    assert draft.guesses["area_label"].confidence == 1.0
    profile = load_draft(draft, tmp_path)
    assert list(profile.labels) == ["beat"]  # District stays a comment
    assert '# district = { column = "District" }' in draft.toml


def test_lonlat_points_are_checked_against_the_areas():
    crs = draft_profile(make_table(typical_export()), grid_areas()).guesses["crs"]
    assert crs.value is None
    assert crs.confidence == 1.0
    assert "100.0% of 12 sampled points fall inside" in crs.evidence


def test_swapped_lonlat_columns_are_swapped_back_with_a_warning():
    columns = typical_export()
    columns["Longitude"], columns["Latitude"] = (
        columns["Latitude"],
        columns["Longitude"],
    )
    draft = draft_profile(make_table(columns), grid_areas())
    g = draft.guesses
    assert (g["lon"].value, g["lat"].value) == ("Latitude", "Longitude")
    assert draft.warnings == [
        "`Longitude` holds latitudes, `Latitude` longitudes: swapped"
    ]


def projected_export(crs: str, n: int = 30) -> dict[str, list[str]]:
    columns = typical_export(n)
    lon, lat, _ = cell_centres(n)
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    del columns["Longitude"], columns["Latitude"]
    columns["XCoord"] = [f"{v:.1f}" for v in x]
    columns["YCoord"] = [f"{v:.1f}" for v in y]
    return columns


def assert_same_points(code: str, expected: str, x: np.ndarray, y: np.ndarray) -> None:
    """``code`` puts the points within 1 m of where ``expected`` puts them."""
    ref = Transformer.from_crs(expected, "EPSG:4326", always_xy=True).transform(x, y)
    got = Transformer.from_crs(code, "EPSG:4326", always_xy=True).transform(x, y)
    to_m = Transformer.from_crs("EPSG:4326", MISSOURI_EAST_M, always_xy=True)
    (rx, ry), (gx, gy) = to_m.transform(*ref), to_m.transform(*got)
    assert np.hypot(np.subtract(rx, gx), np.subtract(ry, gy)).max() < 1.0


def test_projected_points_get_the_crs_that_puts_them_inside_the_areas(tmp_path):
    columns = projected_export(MISSOURI_EAST_M)
    draft = draft_profile(make_table(columns), grid_areas())
    crs = draft.guesses["crs"]
    x, y = (np.array(columns[c], dtype=float) for c in ("XCoord", "YCoord"))
    assert_same_points(crs.value, MISSOURI_EAST_M, x, y)
    assert crs.confidence == 1.0
    out = normalize_export(
        make_table(columns), load_draft(draft, tmp_path), MISSOURI_EAST_M
    )
    assert out[s.LOCATED].all()


def test_candidate_crs_ranking_scores_the_share_of_points_inside():
    x, y = (
        np.array(projected_export("ESRI:102696")[c], dtype=float)
        for c in ("XCoord", "YCoord")
    )
    ranked = rank_candidate_crs(x, y, grid_areas())
    assert 10 <= len(ranked) <= 60  # State Plane and UTM zones, not every CRS
    assert ranked[0][2] == 1.0
    assert ranked[-1][2] == 0.0
    assert_same_points(ranked[0][0], "ESRI:102696", x, y)


def test_projected_points_without_areas_leave_a_crs_todo(tmp_path):
    draft = draft_profile(make_table(projected_export(MISSOURI_EAST_M)))
    assert draft.guesses["crs"].value is None
    assert '# TODO: crs = "EPSG:...."' in draft.toml
    assert any("could not be checked" in w for w in draft.warnings)
    assert load_draft(draft, tmp_path).crs is None


def test_area_layer_without_crs_is_an_error():
    areas = grid_areas().set_crs(None, allow_override=True)
    with pytest.raises(InputFileError, match="export.csv: the area layer has no CRS"):
        draft_profile(make_table(typical_export()), areas)


def test_export_without_rows_is_an_error():
    with pytest.raises(InputFileError, match="export.csv: no data rows"):
        draft_profile(make_table({"Case Number": [], "Date": []}))


# --- the typical export ingests with no edits -----------------------------------------


def test_typical_export_draft_ingests_with_no_edits(tmp_path):
    table = make_table(typical_export())
    profile = load_draft(draft_profile(table, grid_areas(), name="test-pd"), tmp_path)
    out = normalize_export(table, profile, MISSOURI_EAST_M)
    assert profile.name == "test-pd"
    assert len(out) == 12
    assert out[ISSUE].isna().all()
    assert out[s.LOCATED].all()
    assert out[s.OCCURRED_AT].notna().all()
    assert list(out[s.CATEGORY][:4]) == [
        "robbery",
        "burglary",
        "theft from vehicle",
        "other",
    ]
    assert list(out[s.label_column("beat")][:2]) == ["0101", "0102"]


# --- rules and TOML text --------------------------------------------------------------


@pytest.mark.parametrize(
    ("description", "category"),
    [
        ("Robbery", "robbery"),
        ("BATTERY AGGRAVATED DOMESTIC BATTERY: HANDGUN", "aggravated assault"),
        ("AGG.ASSAULT-FIREARM/CITIZEN ADULT 1ST DEGREE", "aggravated assault"),
        ("BATTERY DOMESTIC BATTERY SIMPLE", "domestic"),
        ("LARCENY-MTR VEH PARTS UNDER $500", "theft from vehicle"),
        ("MOTOR VEHICLE THEFT AUTOMOBILE", "motor vehicle theft"),
        ("DECEPTIVE PRACTICE FINANCIAL IDENTITY THEFT OVER $ 300", "fraud"),
        ("DUI-DRVING UNDR INFLUNC ALC/DRUGS", "traffic"),
        ("NARCOTICS POSS: CANNABIS 30GMS OR LESS", "drugs"),
        ("CRIM SEXUAL ASSAULT NON-AGGRAVATED", "sex offense"),
        ("LOST PASSPORT", None),
    ],
)
def test_default_rules_propose_a_category(description, category):
    assert propose_category(description) == category


@pytest.mark.parametrize(
    ("value", "source"),
    [
        ("911", "911"),
        ("TELEPHONE OTHER, NOT 911", "phone"),
        ("ONVIEW", "on-view"),
        ("ALARM CALL (NOT POLICE ALARM)", "alarm"),
        ("SCHEDULED EVENT", "other"),
    ],
)
def test_call_source_values_map_to_canonical_sources(value, source):
    assert propose_call_source(value) == source


@given(st.text())
def test_toml_values_read_back_as_written(text):
    assert tomllib.loads(f"k = {toml_value(text)}")["k"] == text
    assert tomllib.loads(f"k = {toml_value([text, 'x'])}")["k"] == [text, "x"]


# --- real exports: profile init, then ingest with no edits ----------------------------

SEATTLE = SHARED_DATA / "seattle"
CHICAGO = SHARED_DATA / "chicago"
CHICAGO_PORTAL = (
    CHICAGO
    / "incidents"
    / "computationforpolicy_lecture-examples__Crimes_-_2001_to_present__b1e44c4.csv"
)
STLOUIS_JUNE = SHARED_DATA / "stlouis" / "raw" / "2019" / "june2019.csv"


def draft_and_ingest(export: Path, areas: Path, analysis_crs: str, tmp_path: Path):
    table = read_export(export)
    draft = draft_profile(table, gpd.read_file(areas))
    profile = load_draft(draft, tmp_path)
    return table, draft, normalize_export(table, profile, analysis_crs)


def assert_ingests_cleanly(table: ExportTable, out: pd.DataFrame) -> None:
    assert len(out) == len(table.rows)
    assert list(out[s.LINE]) == list(table.rows[LINE_COLUMN])
    assert (out[ISSUE] == "unmapped_code").sum() == 0
    assert out[s.OCCURRED_AT].notna().mean() >= 0.99


@requires_shared_data()
def test_seattle_robbery_draft_ingests_with_no_edits(tmp_path):
    table, draft, out = draft_and_ingest(
        SEATTLE / "spd_crime_robbery_2008_2021.csv",
        SEATTLE / "beats_2018.geojson",
        "EPSG:2855",
        tmp_path,
    )
    assert_ingests_cleanly(table, out)
    assert out[s.LOCATED].mean() >= 0.95
    assert draft.guesses["area_label"].value == "Beat"
    robbery = out[s.OFFENSE_DESC] == "Robbery"
    assert robbery.sum() == len(out)
    assert (out.loc[robbery, s.CATEGORY] == "robbery").all()


@requires_shared_data()
def test_chicago_portal_draft_ingests_with_no_edits(tmp_path):
    table, draft, out = draft_and_ingest(
        CHICAGO_PORTAL, CHICAGO / "beats.geojson", "EPSG:26971", tmp_path
    )
    assert_ingests_cleanly(table, out)
    assert draft.guesses["area_label"].value == "Beat"
    # 188 of the 1,730 rows carry no coordinates at all (no Latitude, X
    # Coordinate or Location): 95% of all rows cannot be located by any
    # profile. Every row that has a point must be located.
    has_point = table.rows["Latitude"].str.strip() != ""
    assert has_point.mean() == pytest.approx(1542 / 1730)
    assert out.loc[has_point.to_numpy(), s.LOCATED].mean() >= 0.95
    assert out.loc[has_point.to_numpy(), s.LOCATED].all()


@requires_shared_data()
def test_stlouis_projected_draft_finds_state_plane_feet_and_reversals(tmp_path):
    table, draft, out = draft_and_ingest(
        STLOUIS_JUNE,
        SHARED_DATA / "stlouis" / "neighborhoods.geojson",
        MISSOURI_EAST_M,
        tmp_path,
    )
    g = draft.guesses
    x, y = (pd.to_numeric(table.rows[c]).to_numpy() for c in ("XCoord", "YCoord"))
    keep = (x != 0) & (y != 0)
    assert_same_points(g["crs"].value, "ESRI:102696", x[keep][:500], y[keep][:500])
    assert g["crs"].confidence >= 0.99
    assert g["count"].value == "Count"
    assert g["dates.occurred_at"].value == ("%m/%d/%Y %H:%M",)
    assert g["occurred_at"].value == "DateOccur"
    assert g["area_label"].value == "Neighborhood"
    assert load_draft(draft, tmp_path).reversals is True
    assert_ingests_cleanly(table, out)
    assert out[s.LOCATED].mean() >= 0.95
