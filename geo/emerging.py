"""Emerging hot spot analysis: Gi* per time slice, Mann-Kendall trend, categories.

For every time slice (e.g. month) the cell counts get a Gi* z-score and an
FDR-corrected hot/cold bin (:mod:`geo.hotspots`; purely spatial neighbourhood,
no time lag, analytical p-values, so no permutations). Each cell's series of
z-scores then gets a Mann-Kendall trend test, and each cell is classified into
one of the categories of ESRI's Emerging Hot Spot Analysis, as published in
"How Emerging Hot Spot Analysis works" (ArcGIS Pro documentation,
https://pro.arcgis.com/en/pro-app/latest/tool-reference/space-time-pattern-mining/learnmoreemerging.htm).
The rules below are our reading of those definitions; where the published
definitions overlap we make a choice and say so. ``n`` is the number of
slices; "hot" / "cold" means a significant hot / cold bin in a slice.

- new: hot in the final slice and in no earlier slice (and never cold).
- consecutive: one uninterrupted run of >= 2 hot slices ending at the final
  slice, no hot slice before the run, never cold, and < 90% of slices hot.
- intensifying: hot in >= 90% of slices including the final one, with a
  significant upward trend of the z-scores.
- persistent: hot in >= 90% of slices including the final one, no
  significant trend. (The published definition does not name the final slice;
  a location >= 90% hot that is not hot at the end is, by the definition of
  historical, historical, so we give that case to historical.)
- diminishing: hot in >= 90% of slices including the final one, with a
  significant downward trend.
- sporadic: hot in the final slice, < 90% of slices hot, some earlier hot
  slice but not as one run ending at the final slice, never cold. (Current
  ArcGIS Pro wording requires the final slice to be hot; older ArcMap wording
  did not.)
- oscillating: hot in the final slice, cold in some earlier slice, < 90% of
  slices hot. A cold past takes precedence over new / consecutive, which the
  published text leaves open; sfdep's implementation makes the same choice.
- historical: not hot in the final slice, but hot in >= 90% of slices. If the
  final slice is cold, the cell is an oscillating cold spot instead: the state
  of the final slice wins where the definitions overlap.

Cold categories mirror these with hot and cold swapped (for intensifying and
diminishing: a significant downward / upward trend). Everything else is "no
pattern". Mann-Kendall: ``S = sum_{i<j} sign(z_j - z_i)``, variance with the
tie correction ``[n(n-1)(2n+5) - sum_t t(t-1)(2t+5)] / 18``, continuity
corrected z, two-sided normal p-value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from geo.hotspots import gi_star

NO_PATTERN = "no pattern"
CATEGORIES = (
    "new hot spot",
    "consecutive hot spot",
    "intensifying hot spot",
    "persistent hot spot",
    "diminishing hot spot",
    "sporadic hot spot",
    "oscillating hot spot",
    "historical hot spot",
    "new cold spot",
    "consecutive cold spot",
    "intensifying cold spot",
    "persistent cold spot",
    "diminishing cold spot",
    "sporadic cold spot",
    "oscillating cold spot",
    "historical cold spot",
    NO_PATTERN,
)


@dataclass(frozen=True, eq=False)
class MannKendall:
    """Mann-Kendall trend test of each row of a (cells, slices) array."""

    s: np.ndarray
    var_s: np.ndarray
    z: np.ndarray
    p_value: np.ndarray
    tau: np.ndarray


@dataclass(frozen=True, eq=False)
class Emerging:
    """Emerging hot spot result per cell.

    Attributes
    ----------
    category : ndarray of str
        One of :data:`CATEGORIES`.
    trend : MannKendall
        Trend test of the cell's Gi* z-series.
    z : ndarray, shape (cells, slices)
        Gi* z-score per slice.
    gi_bin : ndarray, shape (cells, slices)
        -3..3 FDR-corrected bins per slice.
    n_hot, n_cold : ndarray of int
        Slices in which the cell was a significant hot / cold spot.
    alpha, trend_alpha : float
        Significance levels of the bins and of the trend.
    """

    category: np.ndarray
    trend: MannKendall
    z: np.ndarray
    gi_bin: np.ndarray
    n_hot: np.ndarray
    n_cold: np.ndarray
    alpha: float
    trend_alpha: float


def mann_kendall(series: np.ndarray, continuity: bool = True) -> MannKendall:
    """Mann-Kendall test with tie correction on each row of ``series``.

    Parameters
    ----------
    series : ndarray, shape (rows, n) or (n,)
        Values in time order; must be finite.
    continuity : bool
        Subtract ``sign(S)`` from S before standardizing (the classical test);
        without it z equals the asymptotic Kendall tau test against time.

    Returns
    -------
    MannKendall
        ``tau`` is Kendall's tau-b between the values and time.

    Example
    -------
    >>> mann_kendall(np.array([1.0, 2.0, 3.0, 4.0])).s.tolist()
    [6.0]
    """
    x = np.atleast_2d(np.asarray(series, dtype="float64"))
    if not np.isfinite(x).all():
        raise ValueError("the series contain NaN or infinite values; fill them first")
    rows, n = x.shape
    s = np.zeros(rows)
    for lag in range(1, n):
        s += np.sign(x[:, lag:] - x[:, :-lag]).sum(axis=1)
    ties = _tie_term(x)
    var_s = (n * (n - 1) * (2 * n + 5) - ties[0]) / 18.0
    adjusted = s - np.sign(s) if continuity else s
    z = np.divide(adjusted, np.sqrt(var_s), out=np.zeros(rows), where=var_s > 0)
    pairs = n * (n - 1) / 2
    tau_den = np.sqrt(pairs * (pairs - ties[1]))
    tau = np.divide(s, tau_den, out=np.zeros(rows), where=tau_den > 0)
    return MannKendall(s=s, var_s=var_s, z=z, p_value=2 * norm.sf(np.abs(z)), tau=tau)


def _tie_term(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: sum of t(t-1)(2t+5) and of t(t-1)/2 over groups of tied values."""
    rows, n = x.shape
    ordered = np.sort(x, axis=1)
    starts = np.ones((rows, n), dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    group = np.cumsum(starts.ravel()) - 1
    size = np.bincount(group).astype("float64")
    group_row = np.repeat(np.arange(rows), n)[starts.ravel()]
    var_term = np.bincount(group_row, size * (size - 1) * (2 * size + 5), rows)
    pair_term = np.bincount(group_row, size * (size - 1) / 2, rows)
    return var_term, pair_term


def classify_emerging(
    hot: np.ndarray,
    cold: np.ndarray,
    trend_z: np.ndarray,
    trend_p: np.ndarray,
    trend_alpha: float = 0.05,
) -> np.ndarray:
    """Category of each cell from its hot/cold slices and trend (module docstring).

    Parameters
    ----------
    hot, cold : ndarray of bool, shape (cells, slices)
        Significant hot / cold spot per slice, in time order.
    trend_z, trend_p : ndarray
        Mann-Kendall z and p of each cell's Gi* z-series.
    trend_alpha : float
        Level below which the trend counts as significant.

    Returns
    -------
    ndarray of str

    Example
    -------
    >>> hot = np.array([[False] * 9 + [True]])
    >>> classify_emerging(hot, np.zeros_like(hot), np.zeros(1), np.ones(1)).tolist()
    ['new hot spot']
    """
    hot = np.atleast_2d(np.asarray(hot, dtype=bool))
    cold = np.atleast_2d(np.asarray(cold, dtype=bool))
    if hot.shape != cold.shape:
        raise ValueError(f"hot has shape {hot.shape} but cold has shape {cold.shape}")
    if np.any(hot & cold):
        raise ValueError("a slice cannot be both a hot and a cold spot")
    up = (np.asarray(trend_p) < trend_alpha) & (np.asarray(trend_z) > 0)
    down = (np.asarray(trend_p) < trend_alpha) & (np.asarray(trend_z) < 0)
    hot_rules = _rules(hot, cold, rising=up, falling=down)
    cold_rules = _rules(cold, hot, rising=down, falling=up)
    out = np.full(hot.shape[0], NO_PATTERN, dtype=object)
    # Historical first, so that the state of the final slice wins: a cell hot
    # in >= 90% of slices but cold at the end is an oscillating cold spot.
    for kind, rules in (("hot", hot_rules), ("cold", cold_rules)):
        out[rules.pop("historical")] = f"historical {kind} spot"
    for kind, rules in (("hot", hot_rules), ("cold", cold_rules)):
        for name, mask in rules.items():
            out[mask] = f"{name} {kind} spot"
    return out


def _rules(
    this: np.ndarray, other: np.ndarray, rising: np.ndarray, falling: np.ndarray
) -> dict[str, np.ndarray]:
    """Masks of each category for one side (hot or cold); ``rising`` = intensifying."""
    n = this.shape[1]
    count = this.sum(axis=1)
    mostly = 10 * count >= 9 * n  # at least 90% of the slices, in integers
    final = this[:, -1]
    run = _final_run(this)
    clean = final & ~mostly & ~other.any(axis=1)
    return {
        "historical": ~final & mostly,
        "intensifying": final & mostly & rising,
        "diminishing": final & mostly & falling,
        "persistent": final & mostly & ~rising & ~falling,
        "oscillating": final & ~mostly & other.any(axis=1),
        "new": clean & (count == 1),
        "consecutive": clean & (run >= 2) & (run == count),
        "sporadic": clean & (count > 1) & (run < count),
    }


def _final_run(flags: np.ndarray) -> np.ndarray:
    """Length of the run of True values ending at the last slice."""
    reversed_false = ~flags[:, ::-1]
    first_false = np.where(
        reversed_false.any(axis=1), reversed_false.argmax(axis=1), flags.shape[1]
    )
    return first_false


def emerging_hotspots(
    cube: np.ndarray,
    weights,
    alpha: float = 0.05,
    trend_alpha: float = 0.05,
    fdr: bool = True,
) -> Emerging:
    """Gi* per slice plus Mann-Kendall per cell, classified (module docstring).

    Parameters
    ----------
    cube : ndarray, shape (slices, cells)
        Counts per time slice (oldest first) and cell.
    weights : libpysal Graph
        From :func:`geo.hotspots.grid_weights`.
    alpha : float
        A slice is hot/cold when its FDR-corrected bin reaches 1 - alpha
        confidence; one of 0.10, 0.05, 0.01.
    trend_alpha : float
        Significance level of the Mann-Kendall trend.
    fdr : bool
        Benjamini-Hochberg correction within each slice.

    Returns
    -------
    Emerging

    Raises
    ------
    ValueError
        Fewer than 2 slices or an unsupported ``alpha``.

    Example
    -------
    >>> result = emerging_hotspots(monthly_counts, grid_weights(grid))
    >>> pd.Series(result.category).value_counts()
    """
    levels = {0.10: 1, 0.05: 2, 0.01: 3}
    if alpha not in levels:
        raise ValueError(f"alpha was {alpha} but is expected to be in {sorted(levels)}")
    cube = np.asarray(cube, dtype="float64")
    if cube.ndim != 2 or cube.shape[0] < 2:
        raise ValueError(
            f"cube must be (slices, cells) with at least 2 "
            f"slices, got shape {cube.shape}"
        )
    slices, cells = cube.shape
    z = np.zeros((cells, slices))
    bins = np.zeros((cells, slices), dtype="int64")
    for t in range(slices):
        if not cube[t].any():
            continue  # no incidents at all: no clustering, z = 0 everywhere
        gi = gi_star(cube[t], weights, permutations=0, seed=None, fdr=fdr)
        z[:, t] = np.nan_to_num(gi.z)
        bins[:, t] = gi.gi_bin
    hot, cold = bins >= levels[alpha], bins <= -levels[alpha]
    trend = mann_kendall(z)
    return Emerging(
        category=classify_emerging(hot, cold, trend.z, trend.p_value, trend_alpha),
        trend=trend,
        z=z,
        gi_bin=bins,
        n_hot=hot.sum(axis=1),
        n_cold=cold.sum(axis=1),
        alpha=alpha,
        trend_alpha=trend_alpha,
    )
