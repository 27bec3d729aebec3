"""Square cells over a jurisdiction (geo/grid.py), checked by hand.

The L-shaped jurisdiction ``box(0, 0, 300, 100) | box(0, 0, 100, 300)`` with
100 m cells is a 3 x 3 lattice of which 5 cells are inside (the bottom row and
the left column) and the 4 in the north-east 200 x 200 m are dropped.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from geo.grid import (
    cell_boxes,
    cell_of,
    count_cells,
    from_lattice,
    make_grid,
    to_lattice,
)

L_SHAPE = shapely.union(box(0, 0, 300, 100), box(0, 0, 100, 300))


def test_rectangle_keeps_partial_cells_with_their_inside_share():
    grid = make_grid(box(0, 0, 250, 100), 100.0)
    assert (grid.n_cols, grid.n_rows) == (3, 1)
    assert grid.cell_id.tolist() == [0, 1, 2]
    # The third cell spans x 200-300 but the rectangle stops at 250: half inside.
    assert grid.inside_share.tolist() == pytest.approx([1.0, 1.0, 0.5])
    assert grid.inside_area_km2.sum() == pytest.approx(0.025)


def test_cells_outside_the_jurisdiction_are_dropped():
    grid = make_grid(L_SHAPE, 100.0)
    # Lattice ids are row * 3 + col (row 0 south): bottom row 0, 1, 2 and the
    # left column 3, 6; cells 4, 5, 7, 8 lie in the missing quarter.
    assert grid.cell_id.tolist() == [0, 1, 2, 3, 6]
    assert grid.inside_share.tolist() == [1.0] * 5
    assert grid.lookup.tolist() == [0, 1, 2, 3, -1, -1, 4, -1, -1]


def test_cell_touching_the_jurisdiction_only_at_an_edge_is_dropped():
    grid = make_grid(box(0, 0, 200, 100), 100.0)
    assert grid.n_cells == 2


def test_lattice_is_snapped_to_multiples_of_the_cell_size():
    grid = make_grid(box(130, 270, 480, 390), 100.0)
    assert (grid.x0, grid.y0) == (100.0, 200.0)
    assert (grid.n_cols, grid.n_rows) == (4, 2)
    x, y = grid.centres
    assert x[0] == 150.0 and y[0] == 250.0


def test_points_are_counted_by_floor_division():
    grid = make_grid(L_SHAPE, 100.0)
    x = np.array([50.0, 150.0, 100.0, 250.0, 50.0, 250.0, np.nan, -5.0])
    y = np.array([50.0, 50.0, 50.0, 50.0, 250.0, 250.0, 10.0, 50.0])
    # (100, 50) is on the edge between cells 0 and 1 and goes east, to cell 1;
    # (250, 250) is in a dropped cell; NaN and x < 0 are off the grid.
    assert cell_of(grid, x, y).tolist() == [0, 1, 1, 2, 4, -1, -1, -1]


def test_counts_per_group_and_cell():
    grid = make_grid(L_SHAPE, 100.0)
    cells = np.array([0, 1, 1, 4, -1, 0])
    groups = np.array([0, 0, 1, 1, 1, 2])
    counts = count_cells(grid, cells, groups, n_groups=2)
    assert counts.tolist() == [[1, 1, 0, 0, 0], [0, 1, 0, 0, 1]]  # group 2 ignored


def test_group_codes_must_match_the_points():
    grid = make_grid(L_SHAPE, 100.0)
    with pytest.raises(ValueError, match="groups has 1 entries but cells has 2"):
        count_cells(grid, np.array([0, 1]), np.array([0]))


@pytest.mark.parametrize("size", [0.0, -5.0, float("nan")])
def test_cell_size_must_be_positive(size):
    with pytest.raises(ValueError, match="cell_size must be a positive number"):
        make_grid(L_SHAPE, size)


def test_empty_jurisdiction_is_an_error():
    with pytest.raises(ValueError, match="jurisdiction polygon is empty"):
        make_grid(shapely.Polygon(), 100.0)


def test_too_many_cells_is_an_error():
    with pytest.raises(ValueError, match="use a larger cell size"):
        make_grid(box(0, 0, 100_000, 100_000), 10.0)


def test_lattice_round_trip():
    grid = make_grid(L_SHAPE, 100.0)
    values = np.arange(1.0, 6.0)
    lattice = to_lattice(grid, values)
    assert lattice.tolist() == [[1, 2, 3], [4, 0, 0], [5, 0, 0]]
    assert from_lattice(grid, lattice).tolist() == values.tolist()


def test_cell_boxes_clip_to_the_jurisdiction():
    grid = make_grid(box(0, 0, 250, 100), 100.0)
    assert shapely.area(cell_boxes(grid)).tolist() == [1e4] * 3
    clipped = shapely.area(cell_boxes(grid, box(0, 0, 250, 100)))
    assert clipped.tolist() == pytest.approx([1e4, 1e4, 5e3])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(1, 299), st.floats(1, 299)), max_size=40))
def test_floor_division_agrees_with_point_in_polygon(points):
    """Away from cell edges, each point's cell is the one whose square contains it."""
    grid = make_grid(L_SHAPE, 100.0)
    xs = np.array([p[0] for p in points], dtype=float)
    ys = np.array([p[1] for p in points], dtype=float)
    cells = cell_of(grid, xs, ys)
    squares = cell_boxes(grid)
    for x, y, cell in zip(xs, ys, cells, strict=True):
        if x % 100 == 0 or y % 100 == 0:
            continue
        inside = np.flatnonzero(shapely.contains_xy(squares, x, y))
        assert cell == (inside[0] if len(inside) else -1)
    assert count_cells(grid, cells).sum() == (cells >= 0).sum()
