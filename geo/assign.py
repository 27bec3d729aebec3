"""Point-in-polygon assignment with DESIGN's boundary rule.

Rule, in order, for each point and one polygon layer (polygons in a fixed
order, e.g. sorted by area id):

1. A point inside or on the boundary of one or more polygons goes to the first
   of them in layer order: a point on a shared edge or vertex lands in exactly
   one area, always the same one.
2. If the source carries its own label for the point and the labelled polygon
   lies within ``tolerance`` metres of the point, the label wins (block-level
   points sit on street centrelines that are also area boundaries).
3. A point outside every polygon but within ``tolerance`` of one goes to the
   nearest (first in layer order on ties).
4. A point without coordinates goes to its label's area when it has one.

Beyond the tolerance, location decides; a located point further than the
tolerance from every polygon is outside the layer (index -1).

Speed (same answers): for large inputs a regular grid over the layer is built
first. Every polygon boundary is sampled at half a cell and each sample marks
its cell and the eight around it, so an unmarked cell lies more than half a cell
from every boundary; a connected run of unmarked cells is then covered by the
same polygons everywhere, and one exact test of one of its cells answers rule 1
for all of it (or, outside every polygon and with the tolerance under half a
cell, rule 3 as well). Points in unmarked cells are answered by array lookup;
only points in marked cells (a band along the boundaries, a few percent) and
outside the grid go through ``STRtree.query(predicate="intersects")``. On 10M
points x 1,000 areas this is several times faster than ``geopandas.sjoin`` (see
``benchmarks/README.md``). Not used: DuckDB spatial (an optional extension pinned
to one duckdb version, and no faster on 1M points) and a loop of ``contains_xy``
over polygons (much slower). Rule 2 uses ``dwithin`` on prepared polygons
(``distance <= tolerance`` without computing the full distance).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from scipy import ndimage

# Method codes stored with each assignment.
POLYGON = "polygon"
TOLERANCE = "tolerance"
LABEL = "label"
LABEL_UNLOCATED = "label_unlocated"
NONE = "none"


@dataclass(frozen=True)
class Assignment:
    """Result of :func:`assign_points`, one entry per input point.

    Attributes
    ----------
    index : ndarray of int
        Position of the assigned polygon in the layer, -1 where none.
    method : ndarray of str
        How it was assigned (polygon, tolerance, label, label_unlocated, none).
    spatial_index : ndarray of int
        The purely spatial answer (rules 1 and 3 only), -1 where none; used to
        report agreement with the source's labels.
    """

    index: np.ndarray
    method: np.ndarray
    spatial_index: np.ndarray


def assign_points(
    x: np.ndarray,
    y: np.ndarray,
    polygons: np.ndarray,
    label_index: np.ndarray | None = None,
    tolerance: float = 1.0,
) -> Assignment:
    """Assign each point to one polygon by the boundary rule (module docstring).

    Parameters
    ----------
    x, y : ndarray
        Point coordinates in the polygons' CRS (metres); NaN where unlocated.
    polygons : ndarray of shapely geometries
        The layer, in the order that breaks ties.
    label_index : ndarray of int, optional
        Position of each point's labelled polygon, -1 where no usable label.
    tolerance : float
        Distance in the CRS units within which rules 2 and 3 apply.

    Returns
    -------
    Assignment

    Example
    -------
    >>> squares = np.array([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    >>> assign_points(np.array([1.0]), np.array([0.5]), squares).index
    array([0])
    """
    x = np.asarray(x, dtype="float64")
    y = np.asarray(y, dtype="float64")
    n = len(x)
    if label_index is None:
        label_index = np.full(n, -1, dtype="int64")
    label_index = np.asarray(label_index, dtype="int64")
    located = np.isfinite(x) & np.isfinite(y)
    polygons = np.asarray(polygons)
    tree = shapely.STRtree(polygons)

    spatial, outside = _spatial_assignment(polygons, tree, x, y, located, tolerance)

    index = spatial.copy()
    method = np.full(n, NONE, dtype=object)
    method[located & (spatial >= 0)] = POLYGON
    method[outside & (spatial >= 0)] = TOLERANCE

    disagree = located & (label_index >= 0) & (label_index != spatial)
    if disagree.any():
        rows = np.flatnonzero(disagree)
        points = shapely.points(x[rows], y[rows])
        shapely.prepare(polygons)  # a cache on the geometries; answers are unchanged
        near = shapely.dwithin(polygons[label_index[rows]], points, tolerance)
        index[rows[near]] = label_index[rows[near]]
        method[rows[near]] = LABEL

    unlocated_labelled = ~located & (label_index >= 0)
    index[unlocated_labelled] = label_index[unlocated_labelled]
    method[unlocated_labelled] = LABEL_UNLOCATED
    return Assignment(index=index, method=method, spatial_index=spatial)


def _spatial_assignment(
    polygons: np.ndarray,
    tree: shapely.STRtree,
    x: np.ndarray,
    y: np.ndarray,
    located: np.ndarray,
    tolerance: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Rules 1 and 3: the spatial index per point, and which points were outside."""
    n_located = int(located.sum())
    grid = (
        _build_grid(polygons, tree, tolerance, n_located)
        if (n_located >= GRID_MIN_POINTS)
        else None
    )
    if grid is None:
        spatial = _first_covering(tree, x, y, located)
        outside = located & (spatial < 0)
        spatial[outside] = _nearest_within(tree, x[outside], y[outside], tolerance)
        return spatial, outside
    found = _grid_lookup(grid, x, y, located)
    ask = located & (found == _ASK)
    spatial = np.where(found >= 0, found, -1)
    spatial[ask] = _first_covering(tree, x, y, ask)[ask]
    outside = located & (spatial < 0)
    rows = np.flatnonzero(ask & (spatial < 0))
    spatial[rows] = _nearest_within(tree, x[rows], y[rows], tolerance)
    return spatial, outside


# Grid fast path (module docstring). Below GRID_MIN_POINTS the tree alone is as
# fast as building a grid; the cell budget grows with the points, up to 2**24.
GRID_MIN_POINTS = 100_000
_GRID_MIN_CELLS = 2**16
_GRID_MAX_CELLS = 2**24
_GRID_CHUNK = 2_000_000
_ASK = -1  # grid answer: ask the tree (cell on a boundary band, or off the grid)
_BEYOND = -2  # grid answer: outside every polygon by more than the tolerance


@dataclass(frozen=True)
class _Grid:
    """Answer per cell: polygon position, _ASK or _BEYOND."""

    x0: float
    y0: float
    cell: float
    answer: np.ndarray  # int32, shape (ny, nx)


def _build_grid(
    polygons: np.ndarray,
    tree: shapely.STRtree,
    tolerance: float,
    n_points: int,
    cells: int | None = None,
) -> _Grid | None:
    """Grid of answers over the layer; None where the layer is not plain polygons."""
    kinds = shapely.get_type_id(polygons)
    if len(polygons) == 0 or not np.isin(kinds, (3, 6)).all():  # Polygon, MultiPolygon
        return None
    if shapely.is_empty(polygons).any():
        return None
    xmin, ymin, xmax, ymax = shapely.total_bounds(polygons)
    budget = cells or int(np.clip(2 * n_points, _GRID_MIN_CELLS, _GRID_MAX_CELLS))
    side = max(float(np.sqrt((xmax - xmin) * (ymax - ymin) / budget)), 1e-9)
    x0, y0 = xmin - 2 * side, ymin - 2 * side  # two free cells all round
    nx = int(np.ceil((xmax - x0) / side)) + 3
    ny = int(np.ceil((ymax - y0) / side)) + 3
    if nx * ny > 2 * budget + 10_000:  # a very thin layer: the padding would dominate
        return None
    marked = np.zeros((ny, nx), dtype=bool)
    samples = shapely.get_coordinates(
        shapely.segmentize(shapely.boundary(polygons), side / 2.0)
    )
    col = np.floor((samples[:, 0] - x0) / side).astype("int64")
    row = np.floor((samples[:, 1] - y0) / side).astype("int64")
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            marked[np.clip(row + dr, 0, ny - 1), np.clip(col + dc, 0, nx - 1)] = True
    regions, n_regions = ndimage.label(~marked)
    flat = regions.ravel()
    cells_of = np.flatnonzero(flat)
    some_cell = np.zeros(n_regions + 1, dtype="int64")
    some_cell[flat[cells_of]] = cells_of  # any one cell of each region
    r_row, r_col = np.divmod(some_cell[1:], nx)
    centre_x = x0 + (r_col + 0.5) * side
    centre_y = y0 + (r_row + 0.5) * side
    covering = _first_covering(tree, centre_x, centre_y, np.ones(n_regions, dtype=bool))
    # A free region outside every polygon is over half a cell from all of them.
    nowhere = _BEYOND if tolerance < side / 2.0 else _ASK
    per_region = np.concatenate([[_ASK], np.where(covering >= 0, covering, nowhere)])
    return _Grid(x0, y0, side, per_region.astype("int32")[regions])


def _grid_lookup(
    grid: _Grid, x: np.ndarray, y: np.ndarray, located: np.ndarray
) -> np.ndarray:
    """Grid answer per point (_ASK off the grid and for unlocated points)."""
    out = np.full(len(x), _ASK, dtype="int64")
    ny, nx = grid.answer.shape
    for start in range(0, len(x), _GRID_CHUNK):
        part = slice(start, start + _GRID_CHUNK)
        with np.errstate(invalid="ignore"):
            col = np.floor((x[part] - grid.x0) / grid.cell)
            row = np.floor((y[part] - grid.y0) / grid.cell)
        inside = located[part] & (col >= 0) & (col < nx) & (row >= 0) & (row < ny)
        hits = np.flatnonzero(inside)
        out[start + hits] = grid.answer[
            row[hits].astype("int64"), col[hits].astype("int64")
        ]
    return out


def _first_covering(
    tree: shapely.STRtree, x: np.ndarray, y: np.ndarray, located: np.ndarray
) -> np.ndarray:
    """Lowest polygon position whose closure contains each point (rule 1)."""
    out = np.full(len(x), -1, dtype="int64")
    rows = np.flatnonzero(located)
    if len(rows) == 0:
        return out
    points = shapely.points(x[rows], y[rows])
    point_pos, poly_pos = tree.query(points, predicate="intersects")
    if len(point_pos) == 0:
        return out
    point_pos, poly_pos = _smallest_per_point(point_pos, poly_pos)
    out[rows[point_pos]] = poly_pos
    return out


def _nearest_within(
    tree: shapely.STRtree, x: np.ndarray, y: np.ndarray, tolerance: float
) -> np.ndarray:
    """Nearest polygon position within ``tolerance`` (rule 3), -1 beyond it."""
    out = np.full(len(x), -1, dtype="int64")
    if len(x) == 0 or tolerance <= 0:
        return out
    points = shapely.points(x, y)
    (point_pos, poly_pos) = tree.query_nearest(
        points, max_distance=tolerance, all_matches=True
    )
    if len(point_pos) == 0:
        return out
    point_pos, poly_pos = _smallest_per_point(point_pos, poly_pos)
    out[point_pos] = poly_pos
    return out


def _smallest_per_point(
    point_pos: np.ndarray, poly_pos: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Keep one (point, polygon) pair per point: the smallest polygon position.

    Sorts the pairs by (point, polygon) and keeps each point's first: ties go to
    the lowest polygon position (rules 1 and 3). Returns the kept pairs.
    """
    order = np.lexsort((poly_pos, point_pos))
    point_pos, poly_pos = point_pos[order], poly_pos[order]
    first = np.ones(len(point_pos), dtype=bool)
    first[1:] = point_pos[1:] != point_pos[:-1]
    return point_pos[first], poly_pos[first]
