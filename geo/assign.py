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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

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
    tree = shapely.STRtree(polygons)

    spatial = _first_covering(tree, x, y, located)
    outside = located & (spatial < 0)
    spatial[outside] = _nearest_within(tree, x[outside], y[outside], tolerance)

    index = spatial.copy()
    method = np.full(n, NONE, dtype=object)
    method[located & (spatial >= 0)] = POLYGON
    method[outside & (spatial >= 0)] = TOLERANCE

    disagree = located & (label_index >= 0) & (label_index != spatial)
    if disagree.any():
        rows = np.flatnonzero(disagree)
        points = shapely.points(x[rows], y[rows])
        near = shapely.distance(points, polygons[label_index[rows]]) <= tolerance
        index[rows[near]] = label_index[rows[near]]
        method[rows[near]] = LABEL

    unlocated_labelled = ~located & (label_index >= 0)
    index[unlocated_labelled] = label_index[unlocated_labelled]
    method[unlocated_labelled] = LABEL_UNLOCATED
    return Assignment(index=index, method=method, spatial_index=spatial)


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
    # Keep the smallest polygon position per point: sort by (point, polygon).
    order = np.lexsort((poly_pos, point_pos))
    point_pos, poly_pos = point_pos[order], poly_pos[order]
    first = np.ones(len(point_pos), dtype=bool)
    first[1:] = point_pos[1:] != point_pos[:-1]
    out[rows[point_pos[first]]] = poly_pos[first]
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
    order = np.lexsort((poly_pos, point_pos))
    point_pos, poly_pos = point_pos[order], poly_pos[order]
    first = np.ones(len(point_pos), dtype=bool)
    first[1:] = point_pos[1:] != point_pos[:-1]
    out[point_pos[first]] = poly_pos[first]
    return out
