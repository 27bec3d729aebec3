"""Scoring a hotspot forecast: which cells it flags, and PAI, RRI and PEI*.

A forecast ranks cells; the flagged area is the top of that ranking until the
cells' area inside the jurisdiction reaches the wanted share of the
jurisdiction's area (the cell that crosses the target is included, so the
actual share is at or just above it and is what PAI uses). Ties in the ranking
are broken by a fixed random order of the cells (``tie_order``), never by
position on the map.

Definitions (``n`` incidents of the scored period inside the flagged area,
``N`` all incidents of the scored period on the grid, ``a`` / ``A`` the flagged
and total area):

- PAI, prediction accuracy index (Chainey, Tompson and Uhlig 2008):
  ``(n / N) / (a / A)``.
- RRI, recapture rate index (Levine 2008, "The 'hottest' part of a hotspot",
  Security Journal 21): ``(n / n_fit) / (N / N_fit)``, with ``n_fit`` /
  ``N_fit`` the same counts over the data the forecast was fitted on: how much
  of its own past share the flagged area recaptures (1 = the same share;
  counts-based forecasts regress below 1).
- PEI*, prediction efficiency index star (Hunt 2016; White, Hunt and Green
  2023, Security Journal): ``n / n*``, with ``n*`` the most incidents any set
  of the same number of cells held in the scored period (the ``k`` cells with
  the most incidents): 1 = as good as hindsight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ForecastScore:
    """The scores of one flagged area against one period."""

    cells: int
    area_share: float
    hits: int
    incidents: int
    fit_hits: int
    fit_incidents: int
    best_hits: int

    @property
    def hit_rate(self) -> float:
        return self.hits / self.incidents if self.incidents else float("nan")

    @property
    def pai(self) -> float:
        if not self.incidents or not self.area_share:
            return float("nan")
        return self.hit_rate / self.area_share

    @property
    def rri(self) -> float:
        if not (self.incidents and self.fit_hits and self.fit_incidents):
            return float("nan")
        return (self.hits / self.fit_hits) / (self.incidents / self.fit_incidents)

    @property
    def pei_star(self) -> float:
        return self.hits / self.best_hits if self.best_hits else float("nan")


def tie_order(n_cells: int, seed: int) -> np.ndarray:
    """A fixed random rank of each cell, used to break ties in forecasts."""
    return np.random.default_rng(seed).permutation(n_cells)


def flag_cells(
    score: np.ndarray, area: np.ndarray, share: float, ties: np.ndarray
) -> np.ndarray:
    """Cells flagged by ranking ``score`` (high first) until ``share`` of the area.

    Parameters
    ----------
    score : ndarray
        Forecast value per cell (higher = more expected crime); NaN ranks last.
    area : ndarray
        Each cell's area inside the jurisdiction (any unit).
    share : float
        Wanted share of the total area, in (0, 1].
    ties : ndarray of int
        Tie-breaking rank per cell (:func:`tie_order`).

    Returns
    -------
    ndarray of bool

    Example
    -------
    >>> flag_cells(np.array([3.0, 1.0, 2.0, 0.0]), np.ones(4), 0.5,
    ...            np.arange(4)).tolist()
    [True, False, True, False]
    """
    if not 0 < share <= 1:
        raise ValueError(f"area share must be in (0, 1], got {share}")
    score = np.where(np.isfinite(score), score, -np.inf)
    order = np.lexsort((ties, -score))
    before = np.cumsum(area[order]) - area[order]
    flagged = np.zeros(len(score), dtype=bool)
    flagged[order[before < share * area.sum() - 1e-9]] = True
    return flagged


def score_flagged(
    flagged: np.ndarray,
    area: np.ndarray,
    counts: np.ndarray,
    fit_counts: np.ndarray,
) -> ForecastScore:
    """PAI, RRI and PEI* inputs of a flagged area (module docstring).

    Parameters
    ----------
    flagged : ndarray of bool
    area : ndarray
        Area of each cell inside the jurisdiction.
    counts : ndarray
        Incidents per cell in the scored period.
    fit_counts : ndarray
        Incidents per cell in the data the forecast was fitted on (for RRI).

    Example
    -------
    >>> s = score_flagged(np.array([True, False]), np.ones(2), np.array([3, 1]),
    ...                   np.array([4, 4]))
    >>> s.pai, s.rri, s.pei_star
    (1.5, 1.5, 1.0)
    """
    k = int(flagged.sum())
    best = np.sort(counts)[::-1][:k].sum() if k else 0
    return ForecastScore(
        cells=k,
        area_share=float(area[flagged].sum() / area.sum()),
        hits=int(counts[flagged].sum()),
        incidents=int(counts.sum()),
        fit_hits=int(fit_counts[flagged].sum()),
        fit_incidents=int(fit_counts.sum()),
        best_hits=int(best),
    )
