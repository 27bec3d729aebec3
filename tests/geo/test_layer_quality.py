"""Overlaps and gaps between areas of a level (geo/layer_quality.py).

Hand-made squares in a projected CRS (metres), whose overlap and gap areas are
computed by hand; then the real layers in ../shared/data.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from pyproj import Transformer
from shapely.geometry import Point, box

from geo.io import read_area_layer
from geo.layer_quality import (
    GAP_COLUMNS,
    OVERLAP_COLUMNS,
    TABLE_COLUMNS,
    layer_overlaps_and_gaps,
    layer_quality_table,
)
from tests.conftest import SHARED_DATA, requires_shared_data

CRS = "EPSG:26996"  # NAD83 / Missouri East, metres
X0, Y0 = 270_000.0, 300_000.0  # inside St. Louis
CELL = 100.0


def layer(cells: dict[str, tuple[float, float, float, float]], crs=CRS):
    """Areas from ``id -> (minx, miny, maxx, maxy)`` offsets in metres from X0, Y0."""
    return gpd.GeoDataFrame(
        {"area_id": list(cells)},
        geometry=[box(X0 + a, Y0 + b, X0 + c, Y0 + d) for a, b, c, d in cells.values()],
        crs=crs,
    )


def grid(n: int = 3, skip: tuple[tuple[int, int], ...] = ()) -> gpd.GeoDataFrame:
    """``n`` x ``n`` squares of 100 m, ids "<col><row>", minus the cells in ``skip``."""
    return layer(
        {
            f"{i}{j}": (i * CELL, j * CELL, (i + 1) * CELL, (j + 1) * CELL)
            for i in range(n)
            for j in range(n)
            if (i, j) not in skip
        }
    )


def lonlat_to_metres(lon: float, lat: float) -> Point:
    t = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
    return Point(*t.transform(lon, lat))


def test_a_clean_grid_has_no_overlaps_and_no_gaps():
    quality = layer_overlaps_and_gaps(grid())
    assert quality.clean
    assert list(quality.overlaps.columns) == OVERLAP_COLUMNS
    assert list(quality.gaps.columns) == GAP_COLUMNS


def test_overlap_of_two_squares_is_measured_and_located():
    # A = 0..110 x 0..100 reaches 10 m into B = 100..200: a 10 x 100 m strip.
    quality = layer_overlaps_and_gaps(
        layer({"A": (0, 0, 110, 100), "B": (100, 0, 200, 100)})
    )
    assert quality.gaps.empty
    assert len(quality.overlaps) == 1
    row = quality.overlaps.iloc[0]
    assert (row["area_a"], row["area_b"]) == ("A", "B")
    assert_allclose(row["area_m2"], 1000.0)
    strip = box(X0 + 100, Y0, X0 + 110, Y0 + 100)
    assert strip.buffer(1e-6).contains(lonlat_to_metres(row["lon"], row["lat"]))


def test_an_area_inside_another_overlaps_by_its_whole_area():
    quality = layer_overlaps_and_gaps(
        layer({"big": (0, 0, 300, 300), "small": (100, 100, 130, 120)})
    )
    assert quality.overlaps[["area_a", "area_b"]].values.tolist() == [["big", "small"]]
    assert_allclose(quality.overlaps["area_m2"], [600.0])
    assert quality.gaps.empty


def test_pairs_of_overlaps_are_listed_largest_first():
    quality = layer_overlaps_and_gaps(
        layer(
            {
                "A": (0, 0, 105, 100),
                "B": (100, 0, 200, 100),
                "C": (180, 0, 300, 100),
            }
        )
    )
    assert quality.overlaps[["area_a", "area_b"]].values.tolist() == [
        ["B", "C"],
        ["A", "B"],
    ]
    assert_allclose(quality.overlaps["area_m2"], [2000.0, 500.0])


def test_shared_edges_and_corners_are_not_overlaps():
    quality = layer_overlaps_and_gaps(
        layer(
            {"A": (0, 0, 100, 100), "B": (100, 0, 200, 100), "C": (200, 100, 300, 200)}
        )
    )
    assert quality.overlaps.empty


def test_a_missing_centre_square_is_a_gap_between_its_four_neighbours():
    quality = layer_overlaps_and_gaps(grid(skip=((1, 1),)))
    assert quality.overlaps.empty
    assert len(quality.gaps) == 1
    gap = quality.gaps.iloc[0]
    assert_allclose(gap["area_m2"], CELL * CELL)
    # Edge neighbours only; the corner squares touch the hole at a point.
    assert gap["areas_around"] == "01, 10, 12, 21"
    hole = box(X0 + 100, Y0 + 100, X0 + 200, Y0 + 200)
    assert hole.contains(lonlat_to_metres(gap["lon"], gap["lat"]))


def test_an_island_area_inside_a_hole_is_not_part_of_the_gap():
    cells = {
        f"{i}{j}": (i * CELL, j * CELL, (i + 1) * CELL, (j + 1) * CELL)
        for i in range(3)
        for j in range(3)
        if (i, j) != (1, 1)
    }
    cells["island"] = (140, 140, 160, 170)  # 20 x 30 m inside the empty centre
    quality = layer_overlaps_and_gaps(layer(cells))
    assert len(quality.gaps) == 1
    assert_allclose(quality.gaps["area_m2"], [CELL * CELL - 600.0])
    assert "island" in quality.gaps["areas_around"].iloc[0]


def test_two_separate_holes_are_two_gaps():
    quality = layer_overlaps_and_gaps(grid(5, skip=((1, 1), (3, 3))))
    assert len(quality.gaps) == 2
    assert_allclose(quality.gaps["area_m2"], [CELL * CELL, CELL * CELL])


def test_a_notch_in_the_outer_boundary_is_not_a_gap():
    # Only holes inside the union count: the jurisdiction's edge is not known.
    quality = layer_overlaps_and_gaps(grid(skip=((1, 0),)))
    assert quality.clean


def test_slivers_below_the_minimum_area_are_ignored():
    # A row A, B, C between a bar D above and a bar E below. A reaches 5 mm into
    # B (overlap 0.005 x 100 = 0.5 m2); C starts 8 mm after B (gap 0.8 m2).
    areas = layer(
        {
            "A": (0, 0, 100.005, 100),
            "B": (100, 0, 200, 100),
            "C": (200.008, 0, 300, 100),
            "D": (0, 100, 300, 200),
            "E": (0, -100, 300, 0),
        }
    )
    assert layer_overlaps_and_gaps(areas).clean  # default: under 1 m2 ignored
    fine = layer_overlaps_and_gaps(areas, min_area_m2=0.1)
    assert fine.overlaps[["area_a", "area_b"]].values.tolist() == [["A", "B"]]
    assert_allclose(fine.overlaps["area_m2"], [0.5], rtol=1e-4)
    assert_allclose(fine.gaps["area_m2"], [0.8], rtol=1e-4)
    assert fine.gaps["areas_around"].tolist() == ["B, C, D, E"]


def test_zero_minimum_reports_every_piece_with_positive_area():
    quality = layer_overlaps_and_gaps(
        layer({"A": (0, 0, 100.01, 100), "B": (100, 0, 200, 100)}), min_area_m2=0
    )
    assert_allclose(quality.overlaps["area_m2"], [1.0], rtol=1e-3)


def test_a_lonlat_layer_is_measured_in_square_metres():
    metres = layer({"A": (0, 0, 110, 100), "B": (100, 0, 200, 100)})
    quality = layer_overlaps_and_gaps(metres.to_crs("EPSG:4326"))
    assert_allclose(quality.overlaps["area_m2"], [1000.0], rtol=2e-3)


def test_summary_lines_give_totals_and_places():
    quality = layer_overlaps_and_gaps(
        layer(
            {
                "A": (0, 0, 110, 100),
                "B": (100, 0, 200, 100),
                "C": (0, 100, 90, 200),
                "D": (100, 100, 200, 200),
                "E": (0, 200, 200, 300),
                "F": (-100, 0, 0, 300),
                "G": (200, 0, 300, 300),
            }
        )
    )
    lines = quality.summary_lines("beat")
    assert lines[0] == (
        "beat: 1 overlap(s), 1,000 m2; 1 gap(s), 1,000 m2 (pieces under 1 m2 ignored)"
    )
    assert lines[1].startswith("  overlap A / B: 1,000.0 m2 at 3")
    assert lines[2].startswith("  gap between A, C, D, E: 1,000.0 m2 at 3")


def test_quality_table_stacks_levels_and_kinds():
    table = layer_quality_table(
        {
            "beat": grid(skip=((1, 1),)),
            "sector": layer({"A": (0, 0, 110, 100), "B": (100, 0, 200, 100)}),
            "district": grid(),
        }
    )
    assert list(table.columns) == TABLE_COLUMNS
    assert table[["level", "kind"]].values.tolist() == [
        ["beat", "gap"],
        ["sector", "overlap"],
    ]
    assert_allclose(table["area_m2"], [10_000.0, 1000.0])


def test_quality_table_of_clean_layers_is_empty_with_columns():
    table = layer_quality_table({"beat": grid()})
    assert table.empty
    assert list(table.columns) == TABLE_COLUMNS


def test_errors_name_what_is_wrong():
    with pytest.raises(ValueError, match=r"`layer` has no CRS; areas in m2 need one"):
        layer_overlaps_and_gaps(grid().set_crs(None, allow_override=True))
    with pytest.raises(ValueError, match=r"lacks the id column 'beat'; columns are"):
        layer_overlaps_and_gaps(grid(), id_col="beat")
    with pytest.raises(ValueError, match=r"`min_area_m2` was -1 but is expected"):
        layer_overlaps_and_gaps(grid(), min_area_m2=-1)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(4, 6), data=st.data())
def test_removed_interior_cells_add_up_to_the_gap_area(n, data):
    interior = [(i, j) for i in range(1, n - 1) for j in range(1, n - 1)]
    removed = data.draw(
        st.lists(st.sampled_from(interior), unique=True, max_size=len(interior) - 1)
    )
    quality = layer_overlaps_and_gaps(grid(n, skip=tuple(removed)))
    assert quality.overlaps.empty
    assert_allclose(quality.gaps["area_m2"].sum(), len(removed) * CELL * CELL)


def test_overlaps_add_up_to_sum_of_areas_minus_union():
    # Pairwise overlaps only (no point in three areas): inclusion-exclusion is exact.
    areas = layer(
        {
            "A": (0, 0, 120, 100),
            "B": (100, 0, 200, 100),
            "C": (0, 95, 90, 200),
            "D": (200, 0, 300, 200),
        }
    )
    quality = layer_overlaps_and_gaps(areas)
    geoms = areas.geometry.to_numpy()
    expected = shapely.area(geoms).sum() - shapely.union_all(geoms).area
    assert_allclose(quality.overlaps["area_m2"].sum(), expected)


# --- the real layers ---


@requires_shared_data()
def test_chicago_beats_have_no_overlaps_and_no_gaps():
    beats = read_area_layer(
        SHARED_DATA / "chicago/beats.geojson", "beat", None, "EPSG:26971"
    )
    assert len(beats) == 275
    assert layer_overlaps_and_gaps(beats).clean


@requires_shared_data()
def test_seattle_beats_have_no_overlaps_and_no_gaps():
    beats = read_area_layer(
        SHARED_DATA / "seattle/beats_2018.geojson", "beat", None, "EPSG:2855"
    )
    assert layer_overlaps_and_gaps(beats).clean


@requires_shared_data()
def test_st_louis_neighborhoods_have_one_small_overlap_and_twelve_gaps():
    hoods = read_area_layer(
        SHARED_DATA / "stlouis/neighborhoods.geojson",
        "NHD_NUM",
        "NHD_NAME",
        "EPSG:26996",
    )
    quality = layer_overlaps_and_gaps(hoods)
    assert quality.overlaps[["area_a", "area_b"]].values.tolist() == [["38", "54"]]
    assert_allclose(quality.overlaps["area_m2"], [1.6], atol=0.05)
    assert len(quality.gaps) == 12
    assert_allclose(quality.gaps["area_m2"].sum(), 537, atol=1)
    largest = quality.gaps.iloc[0]
    assert largest["areas_around"] == "15, 19, 25"
    assert_allclose(largest["area_m2"], 153.0, atol=0.1)
    assert_allclose([largest["lat"], largest["lon"]], [38.5982, -90.2430], atol=1e-3)
    # Without the 1 m2 floor, sub-square-metre slivers appear too.
    every = layer_overlaps_and_gaps(hoods, min_area_m2=0)
    assert (len(every.overlaps), len(every.gaps)) == (4, 24)
    assert np.all(every.gaps["area_m2"] > 0)
