"""A layer of about 1,000 areas over St. Louis for the assignment benchmark.

Voronoi cells of seeded random points inside the city, clipped to the union of
the real neighborhoods: a partition of the city (shared edges and vertices, no
gaps, no overlaps) with many more areas than the 88 neighborhoods, like the
beat or block-group layers large departments assign to.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from benchmarks.layout import REAL_DIR

ANALYSIS_CRS = "EPSG:26996"


def make_voronoi_areas(
    n_areas: int = 1000, seed: int = 0, real_dir: str | Path = REAL_DIR
) -> gpd.GeoDataFrame:
    """Voronoi cells of ``n_areas`` random points in the city, clipped to it.

    Parameters
    ----------
    n_areas : int
        Number of seed points (and so of areas; a clipped cell split by the
        city's outline stays one multipolygon area).
    seed : int
        Seed of the point draw.
    real_dir : str or Path
        Folder holding ``neighborhoods.geojson``.

    Returns
    -------
    GeoDataFrame
        ``area_id`` (strings ``"0"``..), ``geometry`` in EPSG:26996, sorted by
        position so that the layer order is the id order.

    Raises
    ------
    ValueError
        If ``n_areas`` is below 2.

    Example
    -------
    >>> len(make_voronoi_areas(1000, seed=0))
    1000
    """
    if n_areas < 2:
        raise ValueError(f"`n_areas` was {n_areas} but is expected to be at least 2")
    city = gpd.read_file(Path(real_dir) / "neighborhoods.geojson").to_crs(ANALYSIS_CRS)
    outline = shapely.union_all(shapely.make_valid(city.geometry.values))
    seeds = _points_inside(outline, n_areas, np.random.default_rng(seed))
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=outline)
    )
    # voronoi_polygons does not keep the input order: match cells to seeds.
    tree = shapely.STRtree(cells)
    seed_pos, cell_pos = tree.query(shapely.points(seeds), predicate="within")
    order = np.empty(len(seeds), dtype="int64")
    order[seed_pos] = cell_pos
    clipped = shapely.intersection(cells[order], outline)
    clipped = np.asarray([_polygonal(g) for g in clipped])
    return gpd.GeoDataFrame(
        {"area_id": [str(i) for i in range(n_areas)]},
        geometry=clipped,
        crs=ANALYSIS_CRS,
    )


def _points_inside(outline, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` distinct uniform random points inside ``outline`` (rejection)."""
    x0, y0, x1, y1 = outline.bounds
    shapely.prepare(outline)
    found = np.empty((0, 2))
    while len(found) < n:
        xy = np.column_stack([rng.uniform(x0, x1, 4 * n), rng.uniform(y0, y1, 4 * n)])
        found = np.vstack([found, xy[shapely.contains_xy(outline, xy[:, 0], xy[:, 1])]])
    return found[:n]


def _polygonal(geometry):
    """Drop any points or lines an intersection leaves on the outline."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type == "Polygon"]
    return shapely.multipolygons(parts) if len(parts) > 1 else parts[0]
