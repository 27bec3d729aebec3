"""Regular square cells over a jurisdiction, and counting points in them.

The lattice is snapped to multiples of the cell size (so the same extent and
size always give the same cells and ids), and only cells that overlap the
jurisdiction are kept, each with the share of its area that lies inside.
A cell's id is its lattice position ``row * n_cols + col`` (row 0 at the
south). Points are counted by integer floor division of their coordinates, not
by spatial joins: a point on a shared edge goes to the cell to its north/east.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True, eq=False)
class Grid:
    """Square cells of ``cell_size`` metres kept where they overlap the jurisdiction.

    Attributes
    ----------
    x0, y0 : float
        South-west corner of the lattice (a multiple of ``cell_size``).
    cell_size : float
        Side of a cell in CRS units (metres).
    n_cols, n_rows : int
        Size of the bounding lattice.
    cell_id : ndarray of int64
        Lattice position of each kept cell, ascending.
    inside_share : ndarray of float
        Share (0-1] of each kept cell's area inside the jurisdiction.
    crs : str or None
        CRS of the coordinates, recorded for exports.
    """

    x0: float
    y0: float
    cell_size: float
    n_cols: int
    n_rows: int
    cell_id: np.ndarray
    inside_share: np.ndarray
    crs: str | None = None

    @property
    def n_cells(self) -> int:
        return len(self.cell_id)

    @property
    def rows(self) -> np.ndarray:
        return self.cell_id // self.n_cols

    @property
    def cols(self) -> np.ndarray:
        return self.cell_id % self.n_cols

    @property
    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Cell centre coordinates ``(x, y)``."""
        half = self.cell_size / 2
        return (
            self.x0 + self.cols * self.cell_size + half,
            self.y0 + self.rows * self.cell_size + half,
        )

    @property
    def cell_area_km2(self) -> float:
        return self.cell_size**2 / 1e6

    @property
    def inside_area_km2(self) -> np.ndarray:
        """Area of each kept cell inside the jurisdiction, km2."""
        return self.inside_share * self.cell_area_km2

    @property
    def lookup(self) -> np.ndarray:
        """Lattice position -> kept-cell position (-1 where the cell was dropped)."""
        table = np.full(self.n_cols * self.n_rows, -1, dtype="int64")
        table[self.cell_id] = np.arange(self.n_cells)
        return table


def make_grid(
    jurisdiction: BaseGeometry, cell_size: float, crs: str | None = None
) -> Grid:
    """Square cells over ``jurisdiction``, keeping those that overlap it.

    Parameters
    ----------
    jurisdiction : shapely Polygon or MultiPolygon
        The study area in a projected CRS (e.g. the union of the finest areas).
    cell_size : float
        Side of a cell in the CRS units (metres), > 0.
    crs : str, optional
        Recorded on the grid.

    Returns
    -------
    Grid

    Raises
    ------
    ValueError
        A non-positive cell size, an empty jurisdiction, or a lattice over
        5 million cells (the cell size is too small for the extent).

    Example
    -------
    >>> grid = make_grid(shapely.box(0, 0, 250, 100), 100.0)
    >>> grid.n_cells, grid.inside_share.round(2).tolist()
    (3, [1.0, 1.0, 0.5])
    """
    if not (cell_size > 0 and math.isfinite(cell_size)):
        raise ValueError(
            f"cell_size must be a positive number of metres, got {cell_size}"
        )
    if jurisdiction is None or jurisdiction.is_empty:
        raise ValueError(
            "the jurisdiction polygon is empty; check the finest area layer"
        )
    minx, miny, maxx, maxy = jurisdiction.bounds
    x0 = math.floor(minx / cell_size) * cell_size
    y0 = math.floor(miny / cell_size) * cell_size
    n_cols = max(1, math.ceil((maxx - x0) / cell_size))
    n_rows = max(1, math.ceil((maxy - y0) / cell_size))
    if n_cols * n_rows > 5_000_000:
        raise ValueError(
            f"cell size {cell_size} m gives a {n_cols} x {n_rows} lattice over the "
            "jurisdiction (more than 5 million cells); use a larger cell size"
        )
    flat = np.arange(n_cols * n_rows, dtype="int64")
    share = _inside_shares(jurisdiction, x0, y0, cell_size, n_cols, flat)
    keep = share > 1e-9
    return Grid(
        x0=float(x0),
        y0=float(y0),
        cell_size=float(cell_size),
        n_cols=n_cols,
        n_rows=n_rows,
        cell_id=flat[keep],
        inside_share=np.minimum(share[keep], 1.0),
        crs=crs,
    )


def _inside_shares(
    region: BaseGeometry,
    x0: float,
    y0: float,
    size: float,
    n_cols: int,
    flat: np.ndarray,
) -> np.ndarray:
    """Share of each lattice cell inside ``region``; exact overlay only on the edge."""
    xmin = x0 + (flat % n_cols) * size
    ymin = y0 + (flat // n_cols) * size
    boxes = shapely.box(xmin, ymin, xmin + size, ymin + size)
    shapely.prepare(region)
    share = np.zeros(len(flat))
    touches = shapely.intersects(region, boxes)
    inside = touches & shapely.contains_properly(region, boxes)
    share[inside] = 1.0
    edge = np.flatnonzero(touches & ~inside)
    if len(edge):
        share[edge] = shapely.area(shapely.intersection(boxes[edge], region)) / size**2
    return share


def cell_of(grid: Grid, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Kept-cell position of each point (-1 if unlocated or outside every kept cell).

    Example
    -------
    >>> cell_of(make_grid(shapely.box(0, 0, 200, 100), 100.0), np.array([150.0]),
    ...         np.array([20.0]))
    array([1])
    """
    x = np.asarray(x, dtype="float64")
    y = np.asarray(y, dtype="float64")
    out = np.full(len(x), -1, dtype="int64")
    ok = np.isfinite(x) & np.isfinite(y)
    col = np.floor((x[ok] - grid.x0) / grid.cell_size).astype("int64")
    row = np.floor((y[ok] - grid.y0) / grid.cell_size).astype("int64")
    on_lattice = (col >= 0) & (col < grid.n_cols) & (row >= 0) & (row < grid.n_rows)
    positions = np.full(len(col), -1, dtype="int64")
    positions[on_lattice] = grid.lookup[row[on_lattice] * grid.n_cols + col[on_lattice]]
    out[np.flatnonzero(ok)] = positions
    return out


def count_cells(
    grid: Grid, cells: np.ndarray, groups: np.ndarray | None = None, n_groups: int = 1
) -> np.ndarray:
    """Counts per (group, cell) from cell positions (see :func:`cell_of`).

    Parameters
    ----------
    grid : Grid
    cells : ndarray of int
        Kept-cell position of each point; -1 entries are ignored.
    groups : ndarray of int, optional
        Group code of each point in ``0..n_groups-1`` (e.g. period or category);
        negative codes are ignored.
    n_groups : int
        Number of groups.

    Returns
    -------
    ndarray of int64, shape (n_groups, n_cells)

    Example
    -------
    >>> grid = make_grid(shapely.box(0, 0, 200, 100), 100.0)
    >>> count_cells(grid, np.array([0, 1, 1, -1]))
    array([[1, 2]])
    """
    cells = np.asarray(cells, dtype="int64")
    if groups is None:
        groups = np.zeros(len(cells), dtype="int64")
    groups = np.asarray(groups, dtype="int64")
    if len(groups) != len(cells):
        raise ValueError(
            f"groups has {len(groups)} entries but cells has {len(cells)}; "
            "give one group code per point"
        )
    ok = (cells >= 0) & (groups >= 0) & (groups < n_groups)
    flat = groups[ok] * grid.n_cells + cells[ok]
    counts = np.bincount(flat, minlength=n_groups * grid.n_cells)
    return counts.reshape(n_groups, grid.n_cells).astype("int64")


def to_lattice(grid: Grid, values: np.ndarray, fill: float = 0.0) -> np.ndarray:
    """Kept-cell values placed on the full ``(n_rows, n_cols)`` lattice."""
    lattice = np.full(grid.n_rows * grid.n_cols, fill, dtype="float64")
    lattice[grid.cell_id] = values
    return lattice.reshape(grid.n_rows, grid.n_cols)


def from_lattice(grid: Grid, lattice: np.ndarray) -> np.ndarray:
    """Values of the kept cells from a ``(n_rows, n_cols)`` lattice array."""
    return np.asarray(lattice).reshape(-1)[grid.cell_id]


def cell_boxes(grid: Grid, clip_to: BaseGeometry | None = None) -> np.ndarray:
    """Shapely squares of the kept cells, optionally clipped to the jurisdiction."""
    xmin = grid.x0 + grid.cols * grid.cell_size
    ymin = grid.y0 + grid.rows * grid.cell_size
    boxes = shapely.box(xmin, ymin, xmin + grid.cell_size, ymin + grid.cell_size)
    if clip_to is not None:
        boxes = shapely.intersection(boxes, clip_to)
    return boxes
