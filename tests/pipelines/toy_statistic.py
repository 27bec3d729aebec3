"""A toy hotspot statistic, written as a ``geo/`` module would be (arrays in,
arrays out): the incidents per cell in the last ``months`` months of a history.
Used by the registry tests to show that a method is one such module plus one
registry entry."""

from __future__ import annotations

import numpy as np


def recent_counts(history: np.ndarray, months: int = 3) -> np.ndarray:
    """Incidents per cell over the last ``months`` rows of ``history``
    (months x cells, oldest first)."""
    return history[-months:].sum(axis=0)
