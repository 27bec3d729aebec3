"""The Weighted Displacement Quotient (Bowers & Johnson 2003).

With counts in the target area ``R`` (where the response ran), a buffer ring
``B`` around it and a control area ``C``, before (``b``) and after (``a``) the
start over equal windows:

    success measure    SM  = Ra/Ca - Rb/Cb
    buffer measure     BDM = Ba/Ca - Bb/Cb
    WDQ                    = BDM / SM

Dividing by the control count removes the general trend. ``SM < 0`` means the
target improved relative to the control; only then is the WDQ read:

- WDQ > 1: the buffer improved more than the target (diffusion of benefit
  larger than the direct effect);
- 0 < WDQ <= 1: diffusion of benefit: the buffer improved too;
- WDQ = 0: no displacement and no diffusion;
- -1 <= WDQ < 0: some displacement into the buffer, less than the gain in
  the target (a net benefit);
- WDQ < -1: displacement larger than the gain: the response backfired.

Reference: Bowers, K. J. and Johnson, S. D. (2003). Measuring the geographical
displacement and diffusion of benefit effects of crime prevention activity.
Journal of Quantitative Criminology 19(3), 275-301.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class WDQResult:
    """Counts, the two measures and the quotient, with its reading in words."""

    target_before: int
    target_after: int
    buffer_before: int
    buffer_after: int
    control_before: int
    control_after: int
    success_measure: float
    buffer_measure: float
    wdq: float

    @property
    def interpretation(self) -> str:
        """The reading of Bowers & Johnson's ranges, in one sentence."""
        if not math.isfinite(self.success_measure):
            return (
                "Not computable: the control area had no incidents in one of the "
                "windows."
            )
        if self.success_measure >= 0:
            return (
                "The target did not improve relative to the control area, so the "
                "displacement quotient does not apply."
            )
        q = self.wdq
        if q > 1:
            return (
                f"WDQ {q:.2f}: the buffer improved more than the target "
                "(diffusion of benefit larger than the direct effect)."
            )
        if q > 0:
            return f"WDQ {q:.2f}: diffusion of benefit: the buffer improved too."
        if q == 0:
            return "WDQ 0: no sign of displacement or diffusion of benefit."
        if q >= -1:
            return (
                f"WDQ {q:.2f}: some displacement into the buffer, smaller than the "
                "gain in the target (a net benefit)."
            )
        return (
            f"WDQ {q:.2f}: displacement into the buffer larger than the gain in "
            "the target (the response backfired)."
        )


def weighted_displacement_quotient(
    target_before: int,
    target_after: int,
    buffer_before: int,
    buffer_after: int,
    control_before: int,
    control_after: int,
) -> WDQResult:
    """Compute the success measure, the buffer measure and the WDQ.

    Parameters
    ----------
    target_before, target_after : int
        Counts in the target area (``Rb``, ``Ra``).
    buffer_before, buffer_after : int
        Counts in the buffer ring (``Bb``, ``Ba``).
    control_before, control_after : int
        Counts in the control area (``Cb``, ``Ca``).

    Returns
    -------
    WDQResult
        ``success_measure`` and ``buffer_measure`` are NaN when a control
        count is 0; ``wdq`` is NaN when it is undefined (``SM`` = 0 or NaN).

    Raises
    ------
    ValueError
        If a count is negative.

    Examples
    --------
    >>> r = weighted_displacement_quotient(100, 60, 50, 55, 200, 200)
    >>> round(r.success_measure, 3), round(r.buffer_measure, 3), round(r.wdq, 3)
    (-0.2, 0.025, -0.125)
    """
    counts = (
        target_before,
        target_after,
        buffer_before,
        buffer_after,
        control_before,
        control_after,
    )
    if any(c < 0 for c in counts):
        raise ValueError(f"counts must be >= 0; got Rb, Ra, Bb, Ba, Cb, Ca = {counts}")
    rb, ra, bb, ba, cb, ca = (int(c) for c in counts)
    if ca == 0 or cb == 0:
        nan = float("nan")
        return WDQResult(rb, ra, bb, ba, cb, ca, nan, nan, nan)
    success = ra / ca - rb / cb
    buffer = ba / ca - bb / cb
    wdq = buffer / success if success != 0 else float("nan")
    return WDQResult(rb, ra, bb, ba, cb, ca, success, buffer, wdq)
