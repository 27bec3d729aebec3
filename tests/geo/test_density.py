"""Kernel density on the grid (geo/density.py).

Reference: a Gaussian kernel written out by hand, ``exp(-d^2 / 2h^2) / (2 pi h^2)``
per point, evaluated at cell centres; scipy's ``gaussian_kde`` for Scott's
factor.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from scipy.stats import gaussian_kde

from geo.density import kde_points, kde_surface, scott_bandwidth
from geo.grid import make_grid

GRID = make_grid(shapely.box(0, 0, 4000, 4000), 100.0)  # 40 x 40 cells


def centre_counts(cells: dict[int, int]) -> np.ndarray:
    counts = np.zeros(GRID.n_cells)
    for cell, n in cells.items():
        counts[cell] = n
    return counts


def test_surface_conserves_the_incidents_away_from_the_edge():
    counts = centre_counts({20 * 40 + 20: 7, 15 * 40 + 22: 3})
    surface = kde_surface(GRID, counts, bandwidth_m=250.0)
    assert (surface.per_km2 * GRID.cell_area_km2).sum() == pytest.approx(10.0)
    assert surface.n_points == 10 and surface.rule == "fixed"


def test_surface_matches_a_gaussian_kernel_written_by_hand():
    # One incident at the centre of cell (row 20, col 20): x = y = 2050.
    surface = kde_surface(GRID, centre_counts({20 * 40 + 20: 1}), bandwidth_m=300.0)
    x, y = GRID.centres
    d2 = (x - 2050.0) ** 2 + (y - 2050.0) ** 2
    h = 300.0
    per_m2 = np.exp(-d2 / (2 * h * h)) / (2 * math.pi * h * h)
    near = d2 <= (3 * h) ** 2
    # Sampling the kernel at 1/3 of its width costs well under 1% near the peak.
    np.testing.assert_allclose(surface.per_km2[near], per_m2[near] * 1e6, rtol=0.01)


def test_edge_correction_makes_a_uniform_pattern_flat():
    disc = make_grid(shapely.Point(0, 0).buffer(2000), 100.0)
    counts = 10.0 * disc.inside_share  # the same density everywhere inside
    plain = kde_surface(disc, counts, 300.0)
    corrected = kde_surface(disc, counts, 300.0, edge_correct=True)
    expected = 10.0 / disc.cell_area_km2
    assert plain.per_km2.min() < 0.7 * expected  # the rim loses mass outside
    np.testing.assert_allclose(corrected.per_km2, expected, rtol=1e-9)


def test_scott_bandwidth_uses_scipy_s_factor():
    rng = np.random.default_rng(4)
    x, y = rng.normal(0, 300, 500), rng.normal(0, 500, 500)
    factor = gaussian_kde(np.vstack([x, y])).factor  # n ** (-1/6) for d = 2
    sigma = math.sqrt((np.var(x, ddof=1) + np.var(y, ddof=1)) / 2)
    assert scott_bandwidth(x, y) == pytest.approx(sigma * factor)


def test_points_are_binned_then_smoothed():
    x, y = np.array([2050.0, 2050.0, np.nan]), np.array([2050.0, 2050.0, 0.0])
    surface = kde_points(GRID, x, y, bandwidth=200.0)
    reference = kde_surface(GRID, centre_counts({20 * 40 + 20: 2}), 200.0)
    np.testing.assert_allclose(surface.per_km2, reference.per_km2)
    spread = kde_points(
        GRID, np.array([1000.0, 3000.0]), np.array([1000.0, 3000.0]), bandwidth="scott"
    )
    assert spread.rule == "scott"
    assert spread.bandwidth_m == pytest.approx(
        scott_bandwidth(np.array([1000.0, 3000.0]), np.array([1000.0, 3000.0]))
    )


def test_bad_bandwidths_are_errors():
    with pytest.raises(ValueError, match='bandwidth was "silverman" but is expected'):
        kde_points(
            GRID, np.array([1.0, 2.0]), np.array([1.0, 2.0]), bandwidth="silverman"
        )
    with pytest.raises(ValueError, match="bandwidth must be a positive number"):
        kde_surface(GRID, np.zeros(GRID.n_cells), 0.0)
    with pytest.raises(ValueError, match="at least 2 located points"):
        scott_bandwidth(np.array([1.0]), np.array([1.0]))
    with pytest.raises(ValueError, match="all points are at one place"):
        scott_bandwidth(np.array([1.0, 1.0]), np.array([1.0, 1.0]))
    with pytest.raises(ValueError, match="counts has 2 values but the grid has"):
        kde_surface(GRID, np.zeros(2), 100.0)
