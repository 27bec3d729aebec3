"""Gi* hot spots (geo/hotspots.py): esda's numbers, the FDR cut, exact p-values.

References: esda's ``G_Local`` on libpysal ``Queen`` weights built from the
cell squares (the weights and the statistic must match it exactly), a
Benjamini-Hochberg cut worked out by hand and checked against statsmodels and
esda's ``fdr``, and the exact randomization p-value against full enumeration.
"""

from __future__ import annotations

import itertools

import esda
import libpysal
import numpy as np
import pytest
import shapely
from statsmodels.stats.multitest import multipletests

from geo.grid import cell_boxes, make_grid
from geo.hotspots import (
    BIN_LABELS,
    bh_reject,
    exact_p_values,
    gi_star,
    grid_weights,
    significance_bins,
)

# A disc of 100 m cells: an irregular set of kept cells with edge cells that
# have fewer neighbours.
DISC = make_grid(shapely.Point(0, 0).buffer(1000), 100.0)


def queen_reference(grid) -> libpysal.weights.W:
    return libpysal.weights.Queen.from_iterable(list(cell_boxes(grid)))


def test_grid_weights_are_queen_contiguity_plus_the_cell_itself():
    ours = grid_weights(DISC)
    reference = queen_reference(DISC)
    for i in range(DISC.n_cells):
        expected = set(reference.neighbors[i]) | {i}
        assert set(ours[i].index) == expected
        assert set(ours[i].to_numpy()) == {1.0}


def test_z_and_p_values_equal_esda_on_queen_weights():
    counts = np.random.default_rng(3).poisson(1.5, DISC.n_cells)
    ours = gi_star(counts, grid_weights(DISC), permutations=99, seed=7)
    reference = esda.G_Local(
        counts.astype(float),
        queen_reference(DISC),
        transform="B",
        star=True,
        permutations=99,
        seed=7,
    )
    np.testing.assert_allclose(ours.z, reference.Zs, rtol=1e-10)
    np.testing.assert_allclose(ours.p_norm, reference.p_norm, rtol=1e-10)
    np.testing.assert_allclose(ours.p_sim, reference.p_sim)
    assert (ours.permutations, ours.seed) == (99, 7)
    assert ours.p_method == "exact randomization"


def test_no_permutations_gives_nan_p_sim():
    counts = np.random.default_rng(3).poisson(1.5, DISC.n_cells)
    result = gi_star(counts, grid_weights(DISC), permutations=0)
    assert np.isnan(result.p_sim).all()


# --- Benjamini-Hochberg, by hand ---

# Ten p-values (m = 10), given out of order. Sorted:
#   k:      1     2     3     4     5     6     7     8     9     10
#   p(k): .001  .008  .039  .041  .042  .060  .074  .205  .212  .216
# alpha = 0.05: thresholds k * .005 = .005 .010 .015 .020 .025 .030 .035 .040
#   .045 .050; p(1), p(2) pass, nothing after: reject the 2 smallest.
# alpha = 0.10: thresholds k * .01 = .01 .02 .03 .04 .05 .06 .07 .08 .09 .10;
#   p(5) = .042 <= .05 and p(6) = .060 <= .06 pass, p(7..10) fail; step-up
#   rejects the 6 smallest, including p(3), p(4) which fail on their own.
# alpha = 0.01: thresholds k * .001; only p(1) = .001 <= .001: reject 1.
HAND_P = np.array(
    [0.205, 0.041, 0.001, 0.074, 0.039, 0.216, 0.008, 0.060, 0.042, 0.212]
)


def test_bh_cut_matches_the_hand_computation():
    assert np.flatnonzero(bh_reject(HAND_P, 0.05)).tolist() == [2, 6]
    assert np.flatnonzero(bh_reject(HAND_P, 0.10)).tolist() == [1, 2, 4, 6, 7, 8]
    assert np.flatnonzero(bh_reject(HAND_P, 0.01)).tolist() == [2]


def test_bins_take_the_highest_level_passed_and_the_sign_of_z():
    z = np.array([1, 1, 5, 1, -2, 1, 3, 1, 2, 1], dtype=float)
    # From the hand cut: index 2 passes at 99% (bin 3), index 6 at 95% (2),
    # indices 1, 4, 7, 8 at 90% (1); index 4 has a negative z (cold).
    assert significance_bins(z, HAND_P).tolist() == [0, 1, 3, 0, -1, 0, 2, 1, 1, 0]
    # Without FDR a plain p < alpha: .041 passes 95% but not 99%.
    assert significance_bins(z, HAND_P, fdr=False)[[1, 0]].tolist() == [2, 0]


def test_bh_agrees_with_statsmodels_and_esda():
    p = np.random.default_rng(11).beta(0.3, 4.0, size=500)
    for alpha in (0.01, 0.05, 0.10):
        ours = bh_reject(p, alpha)
        assert ours.tolist() == multipletests(p, alpha, method="fdr_bh")[0].tolist()
        assert ours.any()
        # esda returns the cut-off p-value (strict inequality; no ties here).
        assert ours.tolist() == (p <= esda.fdr(p, alpha)).tolist()


def test_bh_ignores_nan_and_checks_alpha():
    assert bh_reject(np.array([np.nan, 0.001]), 0.05).tolist() == [False, True]
    with pytest.raises(ValueError, match="alpha must be between 0 and 1"):
        bh_reject(HAND_P, 1.5)


def test_labels_name_the_bins():
    assert BIN_LABELS[3] == "hot 99%" and BIN_LABELS[-1] == "cold 90%"


# --- exact randomization p-value ---


def test_exact_p_values_match_full_enumeration():
    counts = np.array([0, 0, 1, 2, 0, 3])
    size = 3
    sums = np.array([sum(d) for d in itertools.product(counts, repeat=size)])
    windows = np.arange(0, 10)
    expected = [
        min(1.0, 2 * min((sums >= w).mean(), (sums <= w).mean())) for w in windows
    ]
    got = exact_p_values(counts, windows.astype(float), np.full(10, size))
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_exact_p_values_handle_mixed_window_sizes():
    counts = np.array([0, 1, 0, 0])
    # One draw: P(S >= 1) = 1/4 -> two-sided 0.5. Two draws: P(S >= 2) = 1/16.
    got = exact_p_values(counts, np.array([1.0, 2.0]), np.array([1, 2]))
    np.testing.assert_allclose(got, [0.5, 0.125])


def test_exact_p_values_are_calibrated_where_the_normal_ones_are_not():
    """Random counts (no clustering): the FDR cut should rarely flag any cell."""
    grid = make_grid(shapely.box(0, 0, 6000, 6000), 100.0)
    weights = grid_weights(grid)
    rng = np.random.default_rng(2024)
    runs, exact_any, normal_any = 40, 0, 0
    for _ in range(runs):
        counts = rng.poisson(0.2, grid.n_cells)
        result = gi_star(counts, weights, permutations=0)
        exact_any += bool((result.gi_bin >= 2).any())
        normal = significance_bins(result.z, np.minimum(1, 2 * result.p_norm))
        normal_any += bool((normal >= 2).any())
    assert exact_any <= 6  # FDR at 5% allows about 2 of 40 runs
    assert normal_any >= 30  # the normal approximation flags cells in most runs


def test_non_integer_values_fall_back_to_the_normal_p_value():
    values = np.random.default_rng(5).gamma(2.0, 1.5, DISC.n_cells)
    result = gi_star(values, grid_weights(DISC), permutations=0)
    assert result.p_method == "normal"
    np.testing.assert_allclose(result.p_value, np.minimum(1, 2 * result.p_norm))


def test_wrong_length_and_all_zero_counts_are_errors():
    weights = grid_weights(DISC)
    with pytest.raises(ValueError, match="counts has 3 values but the weights have"):
        gi_star(np.ones(3), weights)
    with pytest.raises(ValueError, match="all counts are zero"):
        gi_star(np.zeros(DISC.n_cells), weights)
