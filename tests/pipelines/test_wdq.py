"""The Weighted Displacement Quotient on counts computable by hand."""

from __future__ import annotations

import math

import pytest
from numpy.testing import assert_allclose

from pipelines.community.wdq import weighted_displacement_quotient


def test_wdq_matches_the_hand_computation_with_some_displacement():
    # Target R: 100 before, 60 after; buffer B: 50 -> 55; control C: 200 -> 200.
    # SM  = Ra/Ca - Rb/Cb = 60/200 - 100/200 = 0.30 - 0.50  = -0.20
    # BDM = Ba/Ca - Bb/Cb = 55/200 -  50/200 = 0.275 - 0.25 =  0.025
    # WDQ = BDM / SM = 0.025 / -0.20 = -0.125: displacement smaller than the gain.
    r = weighted_displacement_quotient(100, 60, 50, 55, 200, 200)
    assert_allclose([r.success_measure, r.buffer_measure, r.wdq], [-0.2, 0.025, -0.125])
    assert "some displacement" in r.interpretation


def test_wdq_with_a_changing_control_area():
    # R: 80 -> 40, B: 60 -> 45, C: 400 -> 300 (crime fell everywhere).
    # SM  = 40/300 - 80/400 = 0.13333 - 0.2  = -0.06667
    # BDM = 45/300 - 60/400 = 0.15    - 0.15 =  0
    # WDQ = 0 / -0.06667 = 0: no displacement, no diffusion.
    r = weighted_displacement_quotient(80, 40, 60, 45, 400, 300)
    assert_allclose(r.success_measure, 40 / 300 - 0.2)
    assert_allclose(r.buffer_measure, 0.0, atol=1e-12)
    assert r.wdq == 0
    assert "no sign of displacement" in r.interpretation


def test_wdq_reads_diffusion_of_benefit_and_backfire():
    # Buffer falls: BDM = 40/200 - 50/200 = -0.05; WDQ = -0.05 / -0.2 = 0.25.
    diffusion = weighted_displacement_quotient(100, 60, 50, 40, 200, 200)
    assert_allclose(diffusion.wdq, 0.25)
    assert "diffusion of benefit" in diffusion.interpretation
    # Buffer rises a lot: BDM = 100/200 - 50/200 = 0.25; WDQ = 0.25 / -0.2 = -1.25.
    backfire = weighted_displacement_quotient(100, 60, 50, 100, 200, 200)
    assert_allclose(backfire.wdq, -1.25)
    assert "backfired" in backfire.interpretation
    # Buffer improves more than the target: BDM = 0/200 - 50/200 = -0.25; WDQ = 1.25.
    assert weighted_displacement_quotient(100, 60, 50, 0, 200, 200).wdq > 1


def test_wdq_is_not_read_when_the_target_did_not_improve():
    r = weighted_displacement_quotient(50, 70, 50, 50, 200, 200)
    assert r.success_measure > 0
    assert "does not apply" in r.interpretation


def test_wdq_is_undefined_without_control_incidents():
    r = weighted_displacement_quotient(10, 5, 3, 3, 0, 4)
    assert math.isnan(r.wdq) and math.isnan(r.success_measure)
    assert "Not computable" in r.interpretation


def test_negative_counts_are_refused():
    with pytest.raises(ValueError, match=r"counts must be >= 0; got Rb, Ra, Bb, Ba"):
        weighted_displacement_quotient(1, -1, 0, 0, 1, 1)
