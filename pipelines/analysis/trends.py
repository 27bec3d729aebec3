"""Comparing two counts with a test suited to small numbers (exact Poisson).

Two Poisson counts ``current`` (over exposure t1) and ``previous`` (over t2):
under equal rates, ``current`` given the total is binomial with
``p = t1 / (t1 + t2)``. The two-sided exact binomial p-value of that
conditional test is reported, never a bare percent change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from scipy.stats import binomtest

ALPHA = 0.05


@dataclass(frozen=True)
class CountComparison:
    """A current count against a previous one, with the exact test's verdict."""

    current: int
    previous: int
    p_value: float
    exposure_ratio: float = 1.0
    alpha: float = ALPHA

    @property
    def significant(self) -> bool:
        return self.p_value < self.alpha

    @property
    def direction(self) -> str:
        """``up``, ``down`` or ``same``, after adjusting for exposure."""
        expected = self.previous * self.exposure_ratio
        if self.current > expected:
            return "up"
        if self.current < expected:
            return "down"
        return "same"

    @property
    def verdict(self) -> str:
        """``up``/``down`` when significant, else ``no significant change``."""
        return self.direction if self.significant else "no significant change"

    def describe(self, period: str = "", previous_period: str = "") -> str:
        """One sentence in words, e.g. "48 against 27 before: a significant rise"."""
        now = f"{self.current}{' ' + period if period else ''}"
        before = f"{self.previous}{' ' + previous_period if previous_period else ''}"
        if self.current == 0 and self.previous == 0:
            return f"None {period or 'now'} and none {previous_period or 'before'}."
        if self.significant:
            word = "rise" if self.direction == "up" else "fall"
            return (
                f"{now} against {before}: a significant {word} "
                f"(exact Poisson test, {format_p(self.p_value)})."
            )
        return (
            f"{now} against {before}: within normal variation "
            f"(exact Poisson test, {format_p(self.p_value, decimals=2)})."
        )


def format_p(p_value: float, decimals: int = 3) -> str:
    """A p-value in words: ``p < 0.001`` below a thousandth, never ``p = 0.000``.

    Significant results get three decimals; ``decimals=2`` is for results
    within normal variation, where the third decimal says nothing.

    Example
    -------
    >>> format_p(0.0), format_p(0.0123), format_p(0.5, decimals=2)
    ('p < 0.001', 'p = 0.012', 'p = 0.50')
    """
    if p_value < 0.001:
        return "p < 0.001"
    if p_value < 0.01:  # two decimals would read "p = 0.00"
        decimals = max(decimals, 3)
    return f"p = {p_value:.{decimals}f}"


def compare_counts(
    current: int, previous: int, exposure_ratio: float = 1.0, alpha: float = ALPHA
) -> CountComparison:
    """Exact conditional Poisson test of ``current`` against ``previous``.

    Parameters
    ----------
    current, previous : int
        Counts in the two periods.
    exposure_ratio : float
        Length (or population) of the current period over the previous one.
    alpha : float
        Significance level for the verdict.

    Returns
    -------
    CountComparison

    Raises
    ------
    ValueError
        Negative counts or a non-positive exposure ratio.

    Example
    -------
    >>> compare_counts(48, 27).significant
    True
    """
    if current < 0 or previous < 0:
        raise ValueError(f"counts must be >= 0, got {current} and {previous}")
    if not math.isfinite(exposure_ratio) or exposure_ratio <= 0:
        raise ValueError(f"exposure_ratio must be > 0, got {exposure_ratio}")
    p_value = _p_value(int(current), int(previous), round(float(exposure_ratio), 9))
    return CountComparison(int(current), int(previous), p_value, exposure_ratio, alpha)


@lru_cache(maxsize=65536)
def _p_value(current: int, previous: int, exposure_ratio: float) -> float:
    total = current + previous
    if total == 0:
        return 1.0
    share = exposure_ratio / (1.0 + exposure_ratio)
    return float(binomtest(current, total, share, alternative="two-sided").pvalue)
