"""Near-repeat analysis: the Knox test with Monte Carlo significance.

For every pair of incidents, the distance apart and the days apart fall into a
space band and a time band (half-open intervals ``[lo, hi)``); the observed
table counts pairs per (space band, time band). Under the null hypothesis that
when an incident happened is unrelated to where, shuffling the dates among the
incidents (keeping the places) gives the expected table: the mean over the
permutations. The Knox ratio is observed / expected; the p-value is the
one-sided Monte Carlo ``(1 + #{simulated >= observed}) / (permutations + 1)``,
as in Ratcliffe's Near Repeat Calculator. Pairs further apart than the last
space or time edge are not counted.

Pairs within the largest distance are found once with a KD-tree; since only
the dates are shuffled, the same pairs serve every permutation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

DEFAULT_SPACE_EDGES = (0.0, 1.0, 100.0, 200.0, 300.0, 400.0, 500.0)
DEFAULT_TIME_EDGES = (0.0, 7.0, 14.0, 21.0, 28.0, 35.0, 42.0)


@dataclass(frozen=True, eq=False)
class Knox:
    """Knox table and how it was computed.

    Attributes
    ----------
    table : DataFrame
        ``space_lo, space_hi, time_lo, time_hi, observed, expected, ratio,
        p_value`` per (space band, time band); metres and days.
    permutations, seed : int
    n_points : int
        Incidents used.
    n_pairs : int
        Pairs within the largest distance (all time differences).
    """

    table: pd.DataFrame
    permutations: int
    seed: int
    n_points: int
    n_pairs: int


def knox_test(
    x: np.ndarray,
    y: np.ndarray,
    days: np.ndarray,
    space_edges: tuple[float, ...] = DEFAULT_SPACE_EDGES,
    time_edges: tuple[float, ...] = DEFAULT_TIME_EDGES,
    permutations: int = 99,
    seed: int = 12345,
) -> Knox:
    """Knox test of space-time clustering of incidents (module docstring).

    Parameters
    ----------
    x, y : ndarray
        Coordinates in metres (projected CRS); rows with NaN are dropped.
    days : ndarray
        Time of each incident in days (e.g. days since an epoch, may be
        fractional).
    space_edges, time_edges : tuple of float
        Increasing band edges in metres and days, starting at 0.
    permutations : int
        Monte Carlo shuffles of the days (>= 1).
    seed : int
        Seed of the shuffles, recorded in the result.

    Returns
    -------
    Knox

    Raises
    ------
    ValueError
        Mismatched lengths, edges not increasing from 0, or no permutations.

    Example
    -------
    >>> knox_test(x, y, days, (0, 100, 200), (0, 7, 14), permutations=99).table
    """
    x, y, days = (np.asarray(a, dtype="float64") for a in (x, y, days))
    if not len(x) == len(y) == len(days):
        raise ValueError(
            f"x, y and days must have the same length, got {len(x)}, {len(y)}, "
            f"{len(days)}"
        )
    space = _check_edges(space_edges, "space_edges")
    time = _check_edges(time_edges, "time_edges")
    if permutations < 1:
        raise ValueError(f"permutations must be >= 1, got {permutations}")
    ok = np.isfinite(x) & np.isfinite(y) & np.isfinite(days)
    x, y, days = x[ok], y[ok], days[ok]
    i, j = _pairs_within(x, y, space[-1])
    space_band = np.searchsorted(space, np.hypot(x[i] - x[j], y[i] - y[j]), "right") - 1
    observed = _table(space_band, np.abs(days[i] - days[j]), time, len(space) - 1)
    rng = np.random.default_rng(seed)
    larger = np.zeros_like(observed)
    total = np.zeros_like(observed)
    for _ in range(permutations):
        shuffled = days[rng.permutation(len(days))]
        simulated = _table(
            space_band, np.abs(shuffled[i] - shuffled[j]), time, len(space) - 1
        )
        larger += simulated >= observed
        total += simulated
    expected = total / permutations
    table = _frame(space, time, observed, expected, (larger + 1) / (permutations + 1))
    return Knox(
        table=table,
        permutations=int(permutations),
        seed=int(seed),
        n_points=int(len(x)),
        n_pairs=int(len(i)),
    )


def _check_edges(edges: tuple[float, ...], name: str) -> np.ndarray:
    values = np.asarray(edges, dtype="float64")
    if len(values) < 2 or values[0] != 0 or np.any(np.diff(values) <= 0):
        raise ValueError(
            f"{name} was {tuple(edges)} but is expected to start at 0 and increase, "
            "e.g. (0, 100, 200, 300)"
        )
    return values


def _pairs_within(
    x: np.ndarray, y: np.ndarray, radius: float
) -> tuple[np.ndarray, ...]:
    """Index pairs (i < j) at a distance strictly below ``radius``."""
    if len(x) < 2:
        empty = np.zeros(0, dtype="int64")
        return empty, empty
    pairs = cKDTree(np.column_stack([x, y])).query_pairs(radius, output_type="ndarray")
    i, j = pairs[:, 0], pairs[:, 1]
    keep = np.hypot(x[i] - x[j], y[i] - y[j]) < radius  # query_pairs includes == r
    return i[keep].astype("int64"), j[keep].astype("int64")


def _table(
    space_band: np.ndarray, gap: np.ndarray, time: np.ndarray, n_space: int
) -> np.ndarray:
    """Pair counts per (space band, time band), flat; gaps past the last edge out."""
    n_time = len(time) - 1
    time_band = np.searchsorted(time, gap, "right") - 1
    keep = time_band < n_time
    flat = space_band[keep] * n_time + time_band[keep]
    return np.bincount(flat, minlength=n_space * n_time).astype("float64")


def _frame(
    space: np.ndarray,
    time: np.ndarray,
    observed: np.ndarray,
    expected: np.ndarray,
    p_value: np.ndarray,
) -> pd.DataFrame:
    n_space, n_time = len(space) - 1, len(time) - 1
    s_idx, t_idx = np.divmod(np.arange(n_space * n_time), n_time)
    return pd.DataFrame(
        {
            "space_lo": space[s_idx],
            "space_hi": space[s_idx + 1],
            "time_lo": time[t_idx],
            "time_hi": time[t_idx + 1],
            "observed": observed.astype("int64"),
            "expected": expected,
            "ratio": np.divide(
                observed,
                expected,
                out=np.full(len(expected), np.nan),
                where=expected > 0,
            ),
            "p_value": p_value,
        }
    )
