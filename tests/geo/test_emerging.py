"""Emerging hot spot categories and the Mann-Kendall test (geo/emerging.py).

Each hand-built series has 10 slices of Gi* z-scores; a slice is a significant
hot spot when z > 1.96 and a cold spot when z < -1.96 (two-sided 5%), and the
trend is the Mann-Kendall test of the z-series at 5%. The expected category
follows from ESRI's published definitions (module docstring of
geo/emerging.py): 90% of 10 slices is 9.

Mann-Kendall reference: ``scipy.stats.kendalltau`` of the values against time
(asymptotic p-value; it has the same tie-corrected variance, without the
continuity correction).
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from scipy.stats import kendalltau

from geo.emerging import CATEGORIES, classify_emerging, emerging_hotspots, mann_kendall
from geo.grid import make_grid
from geo.hotspots import grid_weights

LOW = [0.1, 0.3, 0.2, 0.4, 0.1, 0.3, 0.2, 0.4, 0.1]  # never significant
RISING = [2.0 + 0.1 * k for k in range(10)]  # hot throughout, upward trend
STEADY = [2.5, 3.0] * 5  # hot throughout, no trend

SERIES = {
    # hot in the final slice only
    "new hot spot": LOW + [2.5],
    # a run of 3 hot slices at the end, nothing hot before
    "consecutive hot spot": LOW[:7] + [2.2, 2.6, 3.0],
    # hot in all 10 slices, rising (S = 45, p < 0.001)
    "intensifying hot spot": RISING,
    # hot in all 10 slices, alternating: S = 5, no significant trend
    "persistent hot spot": STEADY,
    # hot in all 10 slices, falling
    "diminishing hot spot": RISING[::-1],
    # hot in slices 2, 5 and 10 (not one final run), never cold
    "sporadic hot spot": [0.1, 2.5, 0.2, 0.3, 2.4, 0.1, 0.2, 0.3, 0.1, 2.6],
    # as sporadic but cold in slice 2
    "oscillating hot spot": [0.1, -2.5, 0.2, 0.3, 2.4, 0.1, 0.2, 0.3, 0.1, 2.6],
    # hot in 9 of 10 slices but not the last
    "historical hot spot": [2.5] * 9 + [0.5],
    # hot only in the middle: no published category applies
    "no pattern": [0.1, 0.2, 2.5, 2.6, 0.1, 0.2, 0.3, 0.1, 0.2, 0.3],
}
SERIES.update(
    {
        name.replace("hot", "cold"): [-z for z in series]
        for name, series in list(SERIES.items())
        if "hot" in name
    }
)
SERIES["no pattern (never significant)"] = LOW + [0.5]
# Overlaps resolved by the state of the final slice.
SERIES["oscillating cold spot (was mostly hot)"] = [2.5] * 9 + [-2.5]
SERIES["oscillating hot spot (was mostly cold)"] = [-2.5] * 9 + [2.5]
# 9 of 10 slices hot including the final one, rising
SERIES["intensifying hot spot (90%)"] = [0.5] + RISING[1:]


def classify(z_series: list[float]) -> str:
    z = np.array([z_series])
    trend = mann_kendall(z)
    return classify_emerging(z > 1.96, z < -1.96, trend.z, trend.p_value)[0]


@pytest.mark.parametrize("name", sorted(SERIES))
def test_hand_built_series_get_their_category(name):
    assert classify(SERIES[name]) == name.split(" (")[0]


def test_every_category_has_a_hand_built_series():
    assert {name.split(" (")[0] for name in SERIES} == set(CATEGORIES)


def test_persistent_series_really_has_no_trend():
    trend = mann_kendall(np.array(STEADY))
    # 15 pairs rise (a 3.0 after a 2.5), 10 fall, 20 are ties: S = 5.
    assert trend.s[0] == 5 and trend.p_value[0] > 0.5


@pytest.mark.parametrize("seed", range(5))
def test_mann_kendall_matches_kendall_tau_against_time(seed):
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 4, size=(3, 15)).astype(float)  # many ties
    values[1] += np.arange(15) * 0.3  # a trend
    result = mann_kendall(values, continuity=False)
    for row in range(3):
        tau, p = kendalltau(np.arange(15), values[row], method="asymptotic")
        assert result.tau[row] == pytest.approx(tau)
        assert result.p_value[row] == pytest.approx(p)


def test_mann_kendall_by_hand():
    # x = 1, 3, 2, 2: pairs (1,3)+ (1,2)+ (1,2)+ (3,2)- (3,2)- (2,2)0 -> S = 1.
    # Var = [4*3*13 - 2*1*9] / 18 = (156 - 18) / 18 = 7.667; with continuity
    # z = (1 - 1) / sqrt(7.667) = 0.
    result = mann_kendall(np.array([1.0, 3.0, 2.0, 2.0]))
    assert result.s[0] == 1
    assert result.var_s[0] == pytest.approx(138 / 18)
    assert result.z[0] == 0 and result.p_value[0] == 1


def test_mann_kendall_rejects_missing_values():
    with pytest.raises(ValueError, match="contain NaN"):
        mann_kendall(np.array([1.0, np.nan, 2.0]))


def test_classification_checks_its_inputs():
    hot = np.array([[True, False]])
    with pytest.raises(ValueError, match="hot has shape"):
        classify_emerging(hot, np.zeros((2, 2), bool), np.zeros(1), np.ones(1))
    with pytest.raises(ValueError, match="both a hot and a cold spot"):
        classify_emerging(hot, hot, np.zeros(1), np.ones(1))


def test_a_growing_cluster_on_a_grid_is_found():
    """End to end: Gi* per slice, then the categories, on a 15 x 15 grid."""
    grid = make_grid(shapely.box(0, 0, 1500, 1500), 100.0)
    rng = np.random.default_rng(8)
    slices = 12
    cube = rng.poisson(1.0, size=(slices, grid.n_cells))
    centre = 7 * 15 + 7
    window = [centre + dr * 15 + dc for dr in (-1, 0, 1) for dc in (-1, 0, 1)]
    for t in range(slices):
        cube[t, window] += 4 + 2 * t  # hot every month, more so each month
    result = emerging_hotspots(cube, grid_weights(grid))
    assert result.category[centre] == "intensifying hot spot"
    assert result.n_hot[centre] == slices
    assert result.z.shape == (grid.n_cells, slices)
    corner = 0
    assert result.category[corner] == "no pattern"


def test_emerging_checks_alpha_and_slices():
    grid = make_grid(shapely.box(0, 0, 300, 300), 100.0)
    with pytest.raises(ValueError, match="alpha was 0.2 but is expected"):
        emerging_hotspots(np.ones((3, grid.n_cells)), grid_weights(grid), alpha=0.2)
    with pytest.raises(ValueError, match="at least 2 slices"):
        emerging_hotspots(np.ones((1, grid.n_cells)), grid_weights(grid))
