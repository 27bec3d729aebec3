"""Hotspot step of the build: grid cells with Gi*, KDE and emerging categories.

Pure functions on frames: the build reads the incidents and areas from the
store, calls :func:`build_grid`, :func:`grid_cells_table` and
:func:`build_hotspot_cells`, and writes the frames back. Every row records the
window, the permutations and the seed it was computed with.
"""

from __future__ import annotations

import logging
from functools import partial

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.crs import LONLAT, transform_xy
from geo.density import kde_surface
from geo.emerging import emerging_hotspots
from geo.grid import Grid, cell_boxes, cell_of, count_cells, make_grid
from geo.hotspots import NEIGHBOURHOOD, gi_star, grid_weights
from geo.knox import DEFAULT_SPACE_EDGES, DEFAULT_TIME_EDGES, knox_test
from pipelines import schema as s
from pipelines.analysis.methods import HistoryWindow, HotspotMethod, page_methods
from pipelines.analysis.periods import block_codes, last_complete_month, month_codes
from pipelines.analysis_settings import HotspotSettings

log = logging.getLogger(__name__)

INCIDENT_COLUMNS = (s.X, s.Y, s.OCCURRED_AT, s.CATEGORY)
MAP_HISTORY_MONTHS = 12
"""Complete months a registered method's map column is scored on (as in the
back-test's default history)."""


def jurisdiction_polygon(
    areas: pd.DataFrame, level: str, analysis_crs: str
) -> BaseGeometry:
    """Union of one level's polygons (the finest), in the analysis CRS.

    Parameters
    ----------
    areas : DataFrame
        The store's ``areas`` table: ``level, geometry_wkb`` (lon/lat WKB).
    level : str
        The finest level's name.
    analysis_crs : str
        Projected CRS in metres (the store's ``meta.analysis_crs``).

    Raises
    ------
    ValueError
        The level has no areas.

    Example
    -------
    >>> jurisdiction_polygon(con.execute("SELECT * FROM areas").df(),
    ...                      "neighborhood", "EPSG:26996").area / 1e6
    """
    rows = areas[areas["level"] == level]
    if rows.empty:
        raise ValueError(
            f'no areas at level "{level}"; levels present are '
            f"{sorted(areas['level'].unique())}"
        )
    geoms = shapely.from_wkb([bytes(b) for b in rows["geometry_wkb"]])

    def project(coords: np.ndarray) -> np.ndarray:
        return np.column_stack(
            transform_xy(coords[:, 0], coords[:, 1], LONLAT, analysis_crs)
        )

    projected = [shapely.transform(g, project) for g in geoms]
    return shapely.make_valid(shapely.union_all(projected))


def build_grid(
    areas: pd.DataFrame, level: str, analysis_crs: str, cell_size_m: float = 150.0
) -> Grid:
    """Square cells over the union of ``level``'s areas (:func:`geo.grid.make_grid`)."""
    return make_grid(
        jurisdiction_polygon(areas, level, analysis_crs), cell_size_m, analysis_crs
    )


def grid_cells_table(grid: Grid, clip_to: BaseGeometry | None = None) -> pd.DataFrame:
    """One row per kept cell: ids, centre, inside share and lon/lat geometry.

    Returns
    -------
    DataFrame
        ``cell_id, row, col, x, y, inside_share, area_km2, geometry_wkb``; x/y
        are the centre in the analysis CRS, ``geometry_wkb`` the square (clipped
        to ``clip_to`` when given) in lon/lat for maps.
    """
    if grid.crs is None:
        raise ValueError(
            "the grid has no CRS; build it with build_grid(..., analysis_crs)"
        )
    x, y = grid.centres
    boxes = cell_boxes(grid, clip_to)

    crs = grid.crs

    def to_lonlat(coords: np.ndarray) -> np.ndarray:
        return np.column_stack(transform_xy(coords[:, 0], coords[:, 1], crs, LONLAT))

    lonlat = shapely.transform(boxes, to_lonlat)
    return pd.DataFrame(
        {
            "cell_id": grid.cell_id,
            "row": grid.rows,
            "col": grid.cols,
            "x": x,
            "y": y,
            "inside_share": grid.inside_share,
            "area_km2": grid.inside_area_km2,
            "geometry_wkb": shapely.to_wkb(lonlat),
        }
    )


def build_hotspot_cells(
    incidents: pd.DataFrame,
    grid: Grid,
    as_of: pd.Timestamp,
    settings: HotspotSettings = HotspotSettings(),
) -> pd.DataFrame:
    """Gi*, KDE and emerging category per cell, for all crimes and each category.

    Parameters
    ----------
    incidents : DataFrame
        ``x, y, occurred_at, category`` (the store's located incidents).
    grid : Grid
    as_of : Timestamp
        Last day of data; the window is the ``window_days`` ending on it.
    settings : HotspotSettings

    Returns
    -------
    DataFrame
        One row per (category, cell) for ``all`` and every category with at
        least ``min_incidents`` in the window: ``category, cell_id, n, z,
        p_value, p_norm, p_sim, gi_bin, significance, kde_per_km2, emerging,
        trend_z, trend_p, n_hot_months, n_cold_months`` plus the settings
        (``window_start, window_end, permutations, seed, bandwidth_m,
        cell_size_m, neighbourhood``). ``emerging`` is None outside
        ``emerging_categories``. Each method of the registry
        (:mod:`pipelines.analysis.methods`) whose display column is not one of
        these adds that column: its score on the last ``MAP_HISTORY_MONTHS``
        complete months of the category (:func:`registered_columns`).

    Raises
    ------
    ValueError
        A required column is missing.
    """
    _check_columns(incidents)
    cells = cell_of(grid, incidents[s.X].to_numpy(), incidents[s.Y].to_numpy())
    in_window = block_codes(incidents[s.OCCURRED_AT], as_of, settings.window_days) == 0
    names = [s.ALL_CATEGORIES] + [
        c
        for c in s.CATEGORIES
        if ((incidents[s.CATEGORY] == c).to_numpy() & in_window & (cells >= 0)).sum()
        >= settings.min_incidents
    ]
    code = _category_codes(incidents[s.CATEGORY], names)
    windowed = count_cells(grid, np.where(in_window, cells, -1), code, len(names))
    windowed[0] = count_cells(grid, np.where(in_window, cells, -1))[0]
    if windowed[0].sum() == 0:
        # Gi* is undefined without a single located crime in the window (a store
        # whose rows have no coordinates): no hotspot cells rather than a crash.
        log.warning(
            "no located crime in the %d days to %s: no hotspot cells",
            settings.window_days,
            pd.Timestamp(as_of).date(),
        )
        return pd.DataFrame(columns=[*CELL_COLUMNS, *registered_columns()])
    cube_of = partial(_monthly_cubes, incidents, cells, code, names, grid, as_of)
    cubes = cube_of(settings.emerging_months)
    history = cube_of(MAP_HISTORY_MONTHS) if registered_columns() else cubes
    weights = grid_weights(grid)
    frames = [
        _category_frame(
            name, windowed[k], cubes[k], grid, weights, settings, k == 0
        ).pipe(_with_registered, history[k], grid, weights, settings)
        for k, name in enumerate(names)
    ]
    out = pd.concat(frames, ignore_index=True)
    end = pd.Timestamp(as_of).normalize()
    return out.assign(
        window_start=end - pd.Timedelta(days=settings.window_days - 1),
        window_end=end,
        seed=settings.seed,
        bandwidth_m=settings.kde_bandwidth_m,
        cell_size_m=grid.cell_size,
        neighbourhood=NEIGHBOURHOOD,
    )


CELL_COLUMNS = (
    s.CATEGORY,
    "cell_id",
    "n",
    "z",
    "p_value",
    "p_norm",
    "p_sim",
    "gi_bin",
    "significance",
    "kde_per_km2",
    "permutations",
    "emerging",
    "trend_z",
    "trend_p",
    "n_hot_months",
    "n_cold_months",
    "window_start",
    "window_end",
    "seed",
    "bandwidth_m",
    "cell_size_m",
    "neighbourhood",
)


def registered_columns() -> dict[str, HotspotMethod]:
    """Display column -> method, for the registry's methods the page maps whose
    column the built-in statistics above do not fill (a method registered with
    :func:`~pipelines.analysis.methods.register_method`)."""
    return {
        m.column: m
        for m in page_methods()
        if m.column not in CELL_COLUMNS and m.score is not None
    }


def _with_registered(
    frame: pd.DataFrame,
    months: np.ndarray,
    grid: Grid,
    weights,
    settings: HotspotSettings,
) -> pd.DataFrame:
    """``frame`` plus each registered method's column: its score on ``months``."""
    window = HistoryWindow(
        months=months,
        grid=grid,
        weights=weights,
        kde_bandwidths_m=(settings.kde_bandwidth_m,),
        seed=settings.seed,
    )
    for column, method in registered_columns().items():
        scores = method.score(window)
        score, _ = scores.get(method.key) or next(iter(scores.values()))
        frame[column] = np.asarray(score, dtype="float64")
    return frame


def _check_columns(incidents: pd.DataFrame) -> None:
    missing = [c for c in INCIDENT_COLUMNS if c not in incidents.columns]
    if missing:
        raise ValueError(
            f"incidents is missing columns {missing}; expected "
            f"{list(INCIDENT_COLUMNS)} "
            f"(found {list(incidents.columns)})"
        )


def _category_codes(categories: pd.Series, names: list[str]) -> np.ndarray:
    """Position of each row's category in ``names`` (-1 where absent)."""
    lookup = {name: k for k, name in enumerate(names) if name != s.ALL_CATEGORIES}
    return categories.map(lookup).fillna(-1).astype("int64").to_numpy()


def _monthly_cubes(
    incidents: pd.DataFrame,
    cells: np.ndarray,
    code: np.ndarray,
    names: list[str],
    grid: Grid,
    as_of: pd.Timestamp,
    months: int,
) -> np.ndarray:
    """Counts per (category, month, cell) over the last ``months`` complete months."""
    last = last_complete_month(as_of)
    first = last - pd.DateOffset(months=months - 1)
    month = month_codes(incidents[s.OCCURRED_AT], first)
    month = np.where((month >= 0) & (month < months), month, -1)
    group = np.where((code >= 0) & (month >= 0), code * months + month, -1)
    cubes = count_cells(grid, cells, group, len(names) * months)
    cubes = cubes.reshape(len(names), months, grid.n_cells)
    cubes[0] = count_cells(grid, cells, month, months)
    return cubes


def _category_frame(
    name: str,
    counts: np.ndarray,
    cube: np.ndarray,
    grid: Grid,
    weights,
    settings: HotspotSettings,
    is_all: bool,
) -> pd.DataFrame:
    permutations = settings.permutations if is_all else settings.category_permutations
    gi = gi_star(counts, weights, permutations=permutations, seed=settings.seed)
    kde = kde_surface(
        grid, counts, settings.kde_bandwidth_m, edge_correct=settings.kde_edge_correct
    )
    frame = pd.DataFrame(
        {
            s.CATEGORY: name,
            "cell_id": grid.cell_id,
            "n": counts.astype("int64"),
            "z": gi.z,
            "p_value": gi.p_value,
            "p_norm": gi.p_norm,
            "p_sim": gi.p_sim,
            "gi_bin": gi.gi_bin,
            "significance": gi.labels,
            "kde_per_km2": kde.per_km2,
            "permutations": permutations,
        }
    )
    if name in settings.emerging_categories and cube.sum() >= settings.min_incidents:
        em = emerging_hotspots(
            cube, weights, settings.emerging_alpha, settings.trend_alpha
        )
        frame = frame.assign(
            emerging=em.category,
            trend_z=em.trend.z,
            trend_p=em.trend.p_value,
            n_hot_months=em.n_hot,
            n_cold_months=em.n_cold,
        )
    else:
        frame = frame.assign(
            emerging=None,
            trend_z=np.nan,
            trend_p=np.nan,
            n_hot_months=0,
            n_cold_months=0,
        )
    return frame


def build_knox(
    incidents: pd.DataFrame,
    category: str,
    as_of: pd.Timestamp,
    days: int = 365,
    space_edges: tuple[float, ...] = DEFAULT_SPACE_EDGES,
    time_edges: tuple[float, ...] = DEFAULT_TIME_EDGES,
    permutations: int = 99,
    seed: int = 12345,
) -> pd.DataFrame:
    """Knox near-repeat table for one category over the ``days`` ending on ``as_of``.

    Returns
    -------
    DataFrame
        :class:`geo.knox.Knox` table plus ``category, window_start, window_end,
        n_points, permutations, seed``.

    Example
    -------
    >>> build_knox(incidents, "burglary", as_of).query("p_value < 0.05 and ratio > 1")
    """
    _check_columns(incidents)
    if category != s.ALL_CATEGORIES and category not in s.CATEGORIES:
        raise ValueError(
            f'category was "{category}" but is expected to be "all" or one of '
            f"{list(s.CATEGORIES)}"
        )
    window = block_codes(incidents[s.OCCURRED_AT], as_of, days) == 0
    if category != s.ALL_CATEGORIES:
        window &= (incidents[s.CATEGORY] == category).to_numpy()
    rows = incidents[window]
    when = pd.to_datetime(rows[s.OCCURRED_AT])
    day = (when - when.min()).dt.total_seconds().to_numpy() / 86400.0
    result = knox_test(
        rows[s.X].to_numpy(),
        rows[s.Y].to_numpy(),
        day,
        space_edges,
        time_edges,
        permutations,
        seed,
    )
    end = pd.Timestamp(as_of).normalize()
    return result.table.assign(
        category=category,
        window_start=end - pd.Timedelta(days=days - 1),
        window_end=end,
        n_points=result.n_points,
        permutations=result.permutations,
        seed=result.seed,
    )
