"""Boundary-rule assignment (geo/assign.py) on a 3x3 grid of unit squares.

Square ``i`` is ``box(i % 3, i // 3, i % 3 + 1, i // 3 + 1)``: row-major from the
south-west corner, so squares 0, 1, 2 form the bottom row and 6, 7, 8 the top.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from geo.assign import (
    LABEL,
    LABEL_UNLOCATED,
    NONE,
    POLYGON,
    TOLERANCE,
    assign_points,
)

SQUARES = np.array([box(i % 3, i // 3, i % 3 + 1, i // 3 + 1) for i in range(9)])


def assign(points, labels=None, tolerance=1.0):
    xs = np.array([p[0] for p in points], dtype="float64")
    ys = np.array([p[1] for p in points], dtype="float64")
    if labels is not None:
        labels = np.array(labels, dtype="int64")
    return assign_points(xs, ys, SQUARES, labels, tolerance=tolerance)


# --- rule 1: inside or on the boundary ---


def test_interior_points_land_in_their_square():
    centres = [(i % 3 + 0.5, i // 3 + 0.5) for i in range(9)]
    off_centre = [(i % 3 + 0.1, i // 3 + 0.9) for i in range(9)]
    result = assign(centres + off_centre)
    assert result.index.tolist() == list(range(9)) * 2
    assert set(result.method) == {POLYGON}
    assert result.spatial_index.tolist() == list(range(9)) * 2


@pytest.mark.parametrize(
    ("point", "expected"),
    [
        # Each point touches exactly two squares; the rule gives it to the one
        # earlier in layer order, i.e. the lower position.
        ((1.0, 0.5), 0),  # vertical edge between 0 and 1
        ((2.0, 0.5), 1),  # between 1 and 2
        ((0.5, 1.0), 0),  # horizontal edge between 0 and 3
        ((1.5, 2.0), 4),  # between 4 and 7
        ((2.0, 2.5), 7),  # between 7 and 8
        ((2.5, 1.0), 2),  # between 2 and 5
    ],
)
def test_point_on_shared_edge_goes_to_lowest_touching_square(point, expected):
    result = assign([point])
    assert result.index.tolist() == [expected]
    assert result.method.tolist() == [POLYGON]


def test_point_on_shared_vertex_goes_to_one_square():
    # (1, 1) is a corner of squares 0, 1, 3 and 4. Rule 1 of the module: the
    # first polygon in layer order wins, so the lowest position, 0. (2, 2) is a
    # corner of 4, 5, 7 and 8, so it goes to 4.
    result = assign([(1.0, 1.0), (2.0, 2.0), (1.0, 2.0), (2.0, 1.0)])
    assert result.index.tolist() == [0, 4, 3, 1]
    assert set(result.method) == {POLYGON}


def test_point_on_outer_boundary_is_inside_its_square():
    result = assign([(0.0, 0.5), (3.0, 3.0), (1.5, 0.0)], tolerance=0.0)
    assert result.index.tolist() == [0, 8, 1]
    assert set(result.method) == {POLYGON}


def test_same_point_always_gets_the_same_square():
    result = assign([(1.0, 1.0)] * 5 + [(2.0, 0.5)] * 5)
    assert result.index.tolist() == [0] * 5 + [1] * 5


# --- rule 3: outside but within tolerance ---


def test_point_half_outside_goes_to_nearest_square_within_tolerance():
    # (-0.5, 1.5) is 0.5 left of square 3 and further from every other square.
    result = assign([(-0.5, 1.5), (3.5, 0.5), (1.5, 3.5)], tolerance=1.0)
    assert result.index.tolist() == [3, 2, 7]
    assert result.method.tolist() == [TOLERANCE] * 3
    assert result.spatial_index.tolist() == [3, 2, 7]


def test_outside_point_equally_near_two_squares_goes_to_lower_position():
    # (-0.5, 1.0) is 0.5 from both square 0 (its top-left corner) and square 3.
    result = assign([(-0.5, 1.0)], tolerance=1.0)
    assert result.index.tolist() == [0]
    assert result.method.tolist() == [TOLERANCE]


def test_outside_point_near_a_corner_uses_euclidean_distance():
    # (3.5, -0.5) is sqrt(0.5) ~ 0.707 from square 2's corner (3, 0).
    assert assign([(3.5, -0.5)], tolerance=0.75).index.tolist() == [2]
    assert assign([(3.5, -0.5)], tolerance=0.70).index.tolist() == [-1]


def test_point_exactly_at_tolerance_is_assigned():
    result = assign([(-1.0, 1.5)], tolerance=1.0)
    assert result.index.tolist() == [3]
    assert result.method.tolist() == [TOLERANCE]


def test_point_beyond_tolerance_is_outside_the_layer():
    result = assign([(-1.5, 1.5), (4.2, 4.2)], tolerance=1.0)
    assert result.index.tolist() == [-1, -1]
    assert result.method.tolist() == [NONE, NONE]
    assert result.spatial_index.tolist() == [-1, -1]


def test_zero_tolerance_assigns_no_outside_point():
    result = assign([(-0.5, 1.5)], tolerance=0.0)
    assert result.index.tolist() == [-1]
    assert result.method.tolist() == [NONE]


# --- rule 2: the source's own label ---


def test_label_within_tolerance_wins_over_location():
    # (1.2, 0.5) is inside square 1 and 0.2 from square 0, its label.
    result = assign([(1.2, 0.5)], labels=[0], tolerance=1.0)
    assert result.index.tolist() == [0]
    assert result.method.tolist() == [LABEL]
    assert result.spatial_index.tolist() == [1]


def test_label_beyond_tolerance_loses_to_location():
    # (2.5, 0.5) is inside square 2 and 1.5 from square 0, its label.
    result = assign([(2.5, 0.5)], labels=[0], tolerance=1.0)
    assert result.index.tolist() == [2]
    assert result.method.tolist() == [POLYGON]
    assert result.spatial_index.tolist() == [2]


def test_label_agreeing_with_location_keeps_method_polygon():
    result = assign([(0.5, 0.5)], labels=[0])
    assert result.index.tolist() == [0]
    assert result.method.tolist() == [POLYGON]


def test_label_wins_for_point_outside_grid_when_labelled_square_is_near():
    # (-0.5, 1.5): nearest is square 3 (0.5 away); label 0 is sqrt(0.5) away.
    result = assign([(-0.5, 1.5)], labels=[0], tolerance=1.0)
    assert result.index.tolist() == [0]
    assert result.method.tolist() == [LABEL]
    assert result.spatial_index.tolist() == [3]


def test_label_on_point_beyond_tolerance_of_everything_is_ignored():
    result = assign([(-2.0, 1.5)], labels=[3], tolerance=1.0)
    assert result.index.tolist() == [-1]
    assert result.method.tolist() == [NONE]


# --- rule 4: no coordinates ---


def test_unlocated_point_with_label_goes_to_label():
    result = assign([(np.nan, np.nan), (np.nan, 0.5), (0.5, np.nan)], labels=[4, 5, 6])
    assert result.index.tolist() == [4, 5, 6]
    assert result.method.tolist() == [LABEL_UNLOCATED] * 3
    assert result.spatial_index.tolist() == [-1, -1, -1]


def test_unlocated_point_without_label_is_unassigned():
    result = assign([(np.nan, np.nan), (np.nan, np.nan)], labels=[-1, -1])
    assert result.index.tolist() == [-1, -1]
    assert result.method.tolist() == [NONE, NONE]
    no_labels = assign([(np.nan, np.nan)])
    assert no_labels.index.tolist() == [-1]
    assert no_labels.method.tolist() == [NONE]


def test_empty_input_gives_empty_assignment():
    result = assign([])
    assert len(result.index) == len(result.method) == len(result.spatial_index) == 0


# --- properties ---

# Coordinates on grid lines and half-way between them, plus arbitrary floats.
snapped = st.sampled_from([-0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5])
anywhere = st.floats(min_value=-1.0, max_value=4.0, allow_nan=False)
coordinate = st.one_of(snapped, anywhere)
point = st.tuples(coordinate, coordinate)


def lowest_covering(x: float, y: float) -> int:
    p = shapely.Point(x, y)
    covering = [i for i, square in enumerate(SQUARES) if square.covers(p)]
    return min(covering) if covering else -1


@settings(max_examples=200, deadline=None)
@given(st.lists(point, min_size=1, max_size=40))
def test_points_in_grid_closure_get_lowest_covering_square(points):
    result = assign(points, tolerance=0.0)
    for (x, y), index in zip(points, result.index, strict=True):
        if 0.0 <= x <= 3.0 and 0.0 <= y <= 3.0:
            assert 0 <= index <= 8
            assert SQUARES[index].covers(shapely.Point(x, y))
            assert index == lowest_covering(x, y)
        else:
            assert index == -1


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(coordinate, st.just(float("nan"))),
            coordinate,
            st.integers(min_value=-1, max_value=8),
        ),
        min_size=1,
        max_size=40,
    ),
    st.randoms(use_true_random=False),
    st.sampled_from([0.0, 0.3, 1.0]),
)
def test_assignment_does_not_depend_on_input_order(rows, rng, tolerance):
    points = [(x, y) for x, y, _ in rows]
    labels = [label for _, _, label in rows]
    before = assign(points, labels, tolerance)
    order = list(range(len(rows)))
    rng.shuffle(order)
    after = assign([points[i] for i in order], [labels[i] for i in order], tolerance)
    undo = np.argsort(order)
    np.testing.assert_array_equal(after.index[undo], before.index)
    np.testing.assert_array_equal(after.method[undo], before.method)
    np.testing.assert_array_equal(after.spatial_index[undo], before.spatial_index)


def nearest_within(x: float, y: float, tolerance: float) -> int:
    distances = shapely.distance(shapely.Point(x, y), SQUARES)
    best = distances.min()
    return int(np.flatnonzero(distances == best)[0]) if best <= tolerance else -1


@settings(max_examples=200, deadline=None)
@given(st.lists(point, min_size=1, max_size=40))
def test_points_outside_grid_go_to_nearest_lowest_square_within_tolerance(points):
    result = assign(points, tolerance=0.5)
    for (x, y), index, method in zip(points, result.index, result.method, strict=True):
        if 0.0 <= x <= 3.0 and 0.0 <= y <= 3.0:
            assert method == POLYGON
        else:
            assert index == nearest_within(x, y, 0.5)
            assert method == (TOLERANCE if index >= 0 else NONE)


# --- the grid fast path gives the same answers as the tree and as brute force ---

voronoi_seeds = st.lists(
    st.tuples(st.integers(0, 10), st.integers(0, 10)),
    min_size=2,
    max_size=12,
    unique=True,
)


def voronoi_layer(seeds: list[tuple[int, int]]) -> np.ndarray:
    """Voronoi cells of integer seeds clipped to the 10 x 10 square, in seed order."""
    frame = box(0.0, 0.0, 10.0, 10.0)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=frame)
    )
    clipped = shapely.intersection(cells, frame)
    return clipped[shapely.area(clipped) > 0]


def brute_force_spatial(
    x: float, y: float, polygons: np.ndarray, tolerance: float
) -> int:
    p = shapely.Point(x, y)
    covering = [i for i, poly in enumerate(polygons) if poly.covers(p)]
    if covering:
        return min(covering)
    if tolerance <= 0:  # rule 3 is off without a tolerance (geo.assign)
        return -1
    distances = shapely.distance(p, polygons)
    best = distances.min()
    return int(np.flatnonzero(distances == best)[0]) if best <= tolerance else -1


@settings(max_examples=150, deadline=None)
@given(
    voronoi_seeds,
    st.lists(st.tuples(anywhere, anywhere), min_size=1, max_size=30),
    st.lists(st.tuples(st.integers(0, 500), st.floats(0.0, 1.0)), max_size=30),
    st.lists(st.integers(0, 500), max_size=20),
    st.sampled_from([16, 64, 300, 2000]),
    st.sampled_from([0.0, 0.05, 0.3, 1.0]),
)
def test_grid_path_equals_tree_path_and_brute_force_on_voronoi_layers(
    seeds, free_points, on_edges, on_vertices, cells, tolerance
):
    from unittest import mock

    import geo.assign as assign_module

    polygons = voronoi_layer(seeds)
    boundaries = shapely.boundary(polygons)
    edge_points = [
        shapely.line_interpolate_point(
            boundaries[i % len(polygons)], f, normalized=True
        )
        for i, f in on_edges
    ]
    vertices = shapely.get_coordinates(polygons)
    points = (
        [(x * 10.0 / 3.0, y * 10.0 / 3.0) for x, y in free_points]
        + [(p.x, p.y) for p in edge_points]
        + [tuple(vertices[i % len(vertices)]) for i in on_vertices]
    )
    xs = np.array([p[0] for p in points])
    ys = np.array([p[1] for p in points])
    with (
        mock.patch.object(assign_module, "GRID_MIN_POINTS", 0),
        mock.patch.multiple(
            assign_module, _GRID_MIN_CELLS=cells, _GRID_MAX_CELLS=cells
        ),
    ):
        fast = assign_points(xs, ys, polygons, tolerance=tolerance)
    with mock.patch.object(assign_module, "GRID_MIN_POINTS", 10**12):
        tree = assign_points(xs, ys, polygons, tolerance=tolerance)
    np.testing.assert_array_equal(fast.index, tree.index)
    np.testing.assert_array_equal(fast.method, tree.method)
    np.testing.assert_array_equal(fast.spatial_index, tree.spatial_index)
    expected = [brute_force_spatial(x, y, polygons, tolerance) for x, y in points]
    assert fast.spatial_index.tolist() == expected


def test_grid_path_answers_interior_points_without_the_tree():
    import geo.assign as assign_module

    polygons = SQUARES
    tree = shapely.STRtree(polygons)
    grid = assign_module._build_grid(polygons, tree, 0.01, 0, cells=900)
    assert grid is not None
    centres_x = np.array([i % 3 + 0.5 for i in range(9)])
    centres_y = np.array([i // 3 + 0.5 for i in range(9)])
    found = assign_module._grid_lookup(grid, centres_x, centres_y, np.ones(9, bool))
    assert found.tolist() == list(range(9))
    # On a shared edge the grid defers to the tree (the boundary band).
    edge = assign_module._grid_lookup(
        grid, np.array([1.0]), np.array([0.5]), np.ones(1, bool)
    )
    assert edge.tolist() == [assign_module._ASK]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(coordinate, coordinate, st.integers(-1, 8)), min_size=1, max_size=40
    ),
    st.sampled_from([0.0, 0.3, 0.5, 1.0]),
)
def test_label_rule_equals_a_distance_reference(rows, tolerance):
    points = [(x, y) for x, y, _ in rows]
    labels = [label for _, _, label in rows]
    result = assign(points, labels, tolerance)
    for (x, y, label), spatial, index in zip(
        rows, result.spatial_index, result.index, strict=True
    ):
        near = (
            label >= 0
            and shapely.distance(shapely.Point(x, y), SQUARES[label]) <= tolerance
        )
        expected = label if label != spatial and near else spatial
        assert index == expected
