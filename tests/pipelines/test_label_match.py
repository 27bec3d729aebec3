"""Label normal forms, label-column detection and the agreement rule (issue 11).

Hand-made columns whose right answers are obvious: 78 numbered, named areas
and a district column 1-7 that coincides with 7 of their ids.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from pipelines.errors import ConfigError
from pipelines.ingest.agreement import (
    LowAgreementError,
    agreement_lines,
    agreement_problems,
    enforce_agreement,
)
from pipelines.ingest.draft.labels import rank_finest, score_label_column
from pipelines.ingest.label_match import (
    area_keys,
    find_area,
    fuzzy_pairs,
    label_key,
    resolve_labels,
)


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("five-points", "Five Points"),  # case and hyphen
        ("FIVE_POINTS", "Five Points"),  # underscore
        ("five points.", "Five  Points"),  # punctuation and spaces
        ("st-louis-hills", "Saint Louis Hills"),  # St. / Saint
        ("St. Anne's", "Saint Annes"),
        ("0111", "111"),  # leading zeros
        ("111.0", "111"),
    ],
)
def test_label_forms_share_one_normal_form(label, name):
    assert label_key(label) == label_key(name)


def test_different_areas_keep_different_normal_forms():
    assert label_key("Five Points") != label_key("Five Points West")
    assert label_key("") is None and label_key(None) is None


def test_labels_resolve_to_ids_by_id_or_name_and_unknown_ones_stay():
    keys = area_keys(["1", "37"], ["Baker", "Five Points"])
    out = resolve_labels(
        pd.Series(["five-points", "BAKER", "01", "nowhere", None]), keys
    )
    assert out.tolist() == ["37", "1", "1", "nowhere", None]


def test_a_normal_form_two_areas_share_matches_neither():
    keys = area_keys(["1", "2"], ["Five Points", "five-points"])
    assert keys.resolve("five points") is None


def test_fuzzy_pair_is_proposed_with_its_ratio_and_far_ones_are_not():
    keys = area_keys(["10", "11"], ["Sloan's Lake", "Baker"])
    pairs = fuzzy_pairs(
        ["sloan-lake", "zzz"], keys, {"10": "Sloan's Lake", "11": "Baker"}
    )
    assert pairs == {"sloan-lake": ("10", 0.95)}


# --- detection: the coincidence case ------------------------------------------------


def seventy_eight_areas() -> gpd.GeoDataFrame:
    """78 unit squares in a 13 x 6 grid, ids 1-78, names "Area 1 Name".."""
    cells = [box(i % 13, i // 13, i % 13 + 1, i // 13 + 1) for i in range(78)]
    return gpd.GeoDataFrame(
        {
            "NBHD_ID": list(range(1, 79)),
            "NBHD_NAME": [f"Hood {i} Name" for i in range(1, 79)],
        },
        geometry=cells,
        crs="EPSG:4326",
    )


def rows_in_every_area(n_per: int = 3):
    """Per area, ``n_per`` rows at its centre: the slug of its name and its district."""
    k = np.repeat(np.arange(78), n_per)
    slug = pd.Series([f"hood-{i + 1}-name" for i in k])
    district = pd.Series([str(i // 12 + 1) for i in k])  # 1..7, nested in areas
    return k, slug, district


def test_district_ids_1_to_7_are_not_taken_for_the_78_neighborhoods():
    areas = seventy_eight_areas()
    k, slug, district = rows_in_every_area()
    pip = k.astype("int64")  # each row's point lies in its own area
    true = score_label_column("NEIGHBORHOOD_ID", slug, areas, pip)
    coincidence = score_label_column("DISTRICT_ID", district, areas, pip)
    assert (true.role, true.coverage, true.agreement) == ("finest", 1.0, 1.0)
    assert coincidence.coverage == pytest.approx(7 / 78)
    assert coincidence.rows == 1.0  # every value is an id: the trap
    assert coincidence.agreement == pytest.approx(3 / 234)  # only area 1 agrees
    assert coincidence.role == "coarser"  # nested in the areas: a coarser level
    assert rank_finest([coincidence, true]) is true
    assert rank_finest([coincidence]) is None


def test_without_points_coverage_alone_rejects_the_coincidence():
    areas = seventy_eight_areas()
    _, slug, district = rows_in_every_area()
    assert score_label_column("D", district, areas, None).role == "unverified"
    assert score_label_column("N", slug, areas, None).role == "finest"


def test_the_values_map_lists_name_matches_and_fuzzy_pairs_only():
    areas = seventy_eight_areas()
    labels = pd.Series(["hood-1-name", "2", "Hood 3 Nmae"])
    cand = score_label_column("N", labels, areas, None)
    assert cand.values == {"hood-1-name": "1", "Hood 3 Nmae": "3"}
    assert set(cand.fuzzy) == {"Hood 3 Nmae"}


# --- the agreement rule -------------------------------------------------------------


def agreement_row(level, labelled, matched, agree, assigned_rows=100, from_label=False):
    return {
        "source": "all",
        "level": level,
        "labelled": labelled,
        "matched": matched,
        "compared": matched,
        "point_in_polygon_agree": agree,
        "assigned_agree": agree,
        "assigned_rows": assigned_rows,
        "approximate_layer": from_label,
        "from_label": from_label,
    }


def test_zero_percent_match_is_said_with_the_fix():
    table = pd.DataFrame([agreement_row("neighborhood", 50, 0, 0)])
    line = agreement_lines(table)[0]
    assert line.startswith(
        "label agreement, neighborhood: 0% of labels match any area at level "
        "neighborhood: see the [labels] neighborhood entry of the source profile"
    )


def test_label_only_levels_say_from_labels_and_are_never_low():
    table = pd.DataFrame([agreement_row("district", 50, 50, 10, from_label=True)])
    assert "from labels (50 labelled rows" in agreement_lines(table)[0]
    assert agreement_problems(table, 0.8) == []


def test_empty_level_and_low_agreement_fail_unless_allowed():
    table = pd.DataFrame(
        [
            agreement_row("neighborhood", 100, 90, 70),
            agreement_row("district", 0, 0, 0, assigned_rows=0, from_label=True),
        ]
    )
    with pytest.raises(
        LowAgreementError,
        match=(
            r"label agreement at level neighborhood is 70.0% of 100 labelled rows, "
            r"below \[assignment\] min_label_agreement 80%.*level district is empty: "
            r"no incident was assigned.*pass --allow-low-agreement"
        ),
    ):
        enforce_agreement(table, 0.8, allow_low=False)
    warnings = enforce_agreement(table, 0.8, allow_low=True)
    assert len(warnings) == 2
    assert enforce_agreement(table.iloc[:1], 0.6, allow_low=False) == ()


# --- --area by name -----------------------------------------------------------------


def named_areas() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_id": ["15", "16", "17"],
            "name": ["Tower Grove South", "Tower Grove East", "Shaw"],
        }
    )


@pytest.mark.parametrize(
    "text", ["15", "015", "Tower Grove South", "tower-grove-south"]
)
def test_area_is_found_by_id_or_any_form_of_its_name(text):
    assert find_area(named_areas(), text, "neighborhood") == "15"


def test_unknown_area_name_lists_the_closest_names():
    with pytest.raises(
        ConfigError,
        match=(
            r"--area 'Tower Grove': no area is called that at level neighborhood; "
            r"closest names: Tower Grove South \(15\), Tower Grove East \(16\)\. Give "
            r"the area's id or its exact name"
        ),
    ):
        find_area(named_areas(), "Tower Grove", "neighborhood")


def test_ambiguous_area_name_is_an_error():
    areas = pd.DataFrame({"area_id": ["1", "2"], "name": ["Baker", "BAKER"]})
    with pytest.raises(ConfigError, match="more than one area is called that"):
        find_area(areas, "baker", "neighborhood")
