"""Knox near-repeat test (geo/knox.py) against a brute-force O(n^2) reference.

The reference loops over every pair, bins distance and days apart with plain
comparisons, and draws the same permutations (``default_rng(seed).permutation``
once per Monte Carlo run) so observed, expected and p-values must agree exactly.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from geo.knox import knox_test

SPACE = (0.0, 1.0, 100.0, 250.0)
TIME = (0.0, 7.0, 14.0, 30.0)


def band(value: float, edges: tuple[float, ...]) -> int | None:
    for k in range(len(edges) - 1):
        if edges[k] <= value < edges[k + 1]:
            return k
    return None


def brute_table(x, y, days) -> np.ndarray:
    table = np.zeros((len(SPACE) - 1, len(TIME) - 1))
    for i in range(len(x)):
        for j in range(i + 1, len(x)):
            s = band(math.hypot(x[i] - x[j], y[i] - y[j]), SPACE)
            t = band(abs(days[i] - days[j]), TIME)
            if s is not None and t is not None:
                table[s, t] += 1
    return table.ravel()


def brute_knox(x, y, days, permutations, seed):
    observed = brute_table(x, y, days)
    rng = np.random.default_rng(seed)
    sims = np.array(
        [
            brute_table(x, y, days[rng.permutation(len(days))])
            for _ in range(permutations)
        ]
    )
    larger = (sims >= observed).sum(axis=0)
    return observed, sims.mean(axis=0), (larger + 1) / (permutations + 1)


def test_matches_brute_force_on_random_points():
    rng = np.random.default_rng(1)
    n = 80
    x, y = rng.uniform(0, 600, n), rng.uniform(0, 600, n)
    x[:5], y[:5] = 300.0, 300.0  # a few at the same place (the 0-1 m band)
    days = rng.integers(0, 60, n).astype(float)
    result = knox_test(x, y, days, SPACE, TIME, permutations=19, seed=5)
    observed, expected, p = brute_knox(x, y, days, 19, 5)
    np.testing.assert_array_equal(result.table["observed"], observed)
    np.testing.assert_allclose(result.table["expected"], expected)
    np.testing.assert_allclose(result.table["p_value"], p)
    assert (result.permutations, result.seed, result.n_points) == (19, 5, n)


def test_observed_table_by_hand():
    # A at (0, 0) day 0; B at (50, 0) day 3; C at (200, 0) day 20; D at (0, 0) day 40.
    # Pairs: AB 50 m / 3 d -> (1-100, 0-7); AC 200 m / 20 d -> (100-250, 14-30);
    # AD 0 m / 40 d -> past the last time edge; BC 150 m / 17 d -> (100-250, 14-30);
    # BD 50 m / 37 d -> dropped; CD 200 m / 20 d -> (100-250, 14-30).
    x = np.array([0.0, 50.0, 200.0, 0.0])
    y = np.zeros(4)
    days = np.array([0.0, 3.0, 20.0, 40.0])
    table = knox_test(x, y, days, SPACE, TIME, permutations=9).table
    observed = table.set_index(["space_lo", "time_lo"])["observed"]
    assert observed[(1.0, 0.0)] == 1
    assert observed[(100.0, 14.0)] == 3
    assert observed.sum() == 4
    assert table.columns.tolist() == [
        "space_lo",
        "space_hi",
        "time_lo",
        "time_hi",
        "observed",
        "expected",
        "ratio",
        "p_value",
    ]


def test_near_repeats_show_as_elevated_ratio():
    rng = np.random.default_rng(3)
    # 40 origins spread over 10 km and 2 years, each followed within 100 m and
    # a week by a repeat: close-in-space pairs are also close in time.
    ox, oy = rng.uniform(0, 10_000, 40), rng.uniform(0, 10_000, 40)
    od = rng.uniform(0, 730, 40)
    x = np.concatenate([ox, ox + rng.uniform(-60, 60, 40)])
    y = np.concatenate([oy, oy + rng.uniform(-60, 60, 40)])
    days = np.concatenate([od, od + rng.uniform(0, 6, 40)])
    table = knox_test(
        x, y, days, (0, 100, 200), (0, 7, 14), permutations=99, seed=2
    ).table
    close = table[(table["space_lo"] == 0) & (table["time_lo"] == 0)].iloc[0]
    assert close["ratio"] > 5 and close["p_value"] <= 0.02


def test_unlocated_rows_are_dropped():
    x = np.array([0.0, 10.0, np.nan])
    result = knox_test(x, np.zeros(3), np.array([0.0, 1.0, 2.0]), SPACE, TIME, 9)
    assert result.n_points == 2 and result.n_pairs == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"space_edges": (10, 100)}, "space_edges was .* start at 0 and increase"),
        ({"time_edges": (0, 7, 7)}, "time_edges was .* start at 0 and increase"),
        ({"permutations": 0}, "permutations must be >= 1"),
    ],
)
def test_bad_arguments_are_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        knox_test(np.zeros(3), np.zeros(3), np.zeros(3), **kwargs)


def test_lengths_must_match():
    with pytest.raises(ValueError, match="same length, got 3, 3, 2"):
        knox_test(np.zeros(3), np.zeros(3), np.zeros(2))
