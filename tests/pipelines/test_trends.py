"""Exact conditional Poisson comparison of two counts (pipelines/analysis/refresh/trends.py).

Reference: ``statsmodels.stats.rates.test_poisson_2indep(..., method="exact-cond")``.
Its two-sided p-value is ``statsmodels.stats.proportion.binom_test``, which calls
``scipy.stats.binomtest`` for the two-sided case: the "minlike" definition (sum of
the probabilities of all outcomes no more likely than the one observed), the same
definition the module uses. The test also carries that definition written out by
hand (``minlike_p``), so the reference does not rest on scipy alone.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.rates import test_poisson_2indep as poisson_2indep

from pipelines.analysis.trends import ALPHA, CountComparison, compare_counts

# (current, exposure of current, previous, exposure of previous)
PAIRS = [
    (0, 1, 3, 1),
    (3, 1, 0, 1),
    (1, 1, 1, 1),
    (48, 1, 27, 1),
    (27, 1, 48, 1),
    (10, 1.5, 3, 1),
    (3, 2, 0, 1),
    (0, 28, 7, 28),
    (12, 91, 20, 90),
    (100, 365, 130, 366),
    (4, 1, 9, 3),
    (0, 2, 1, 5),
]


def minlike_p(k: int, n: int, p: float) -> float:
    """Two-sided exact binomial p-value, outcomes no more likely than k."""
    pmf = [math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(n + 1)]
    return min(1.0, sum(q for q in pmf if q <= pmf[k] * (1 + 1e-7)))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # statsmodels divides by 0
@pytest.mark.parametrize(("c1", "e1", "c2", "e2"), PAIRS)
def test_p_value_matches_statsmodels_exact_conditional_test(c1, e1, c2, e2):
    expected = poisson_2indep(c1, e1, c2, e2, method="exact-cond").pvalue
    result = compare_counts(c1, c2, exposure_ratio=e1 / e2)
    assert result.p_value == pytest.approx(float(expected), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(("c1", "e1", "c2", "e2"), PAIRS)
def test_p_value_matches_hand_written_minlike_binomial(c1, e1, c2, e2):
    share = (e1 / e2) / (1 + e1 / e2)
    expected = minlike_p(c1, c1 + c2, share)
    assert compare_counts(c1, c2, e1 / e2).p_value == pytest.approx(expected, rel=1e-9)


def test_no_events_in_either_period_has_p_value_one():
    result = compare_counts(0, 0)
    assert result.p_value == 1.0
    assert result.direction == "same"
    assert result.verdict == "no significant change"


def test_five_against_zero_has_p_value_two_halves_to_the_fifth():
    # Given 5 events, each falls in the current period with probability 1/2;
    # P(all 5 current) = P(all 5 previous) = 0.5**5, the only outcomes this rare.
    assert compare_counts(5, 0).p_value == pytest.approx(2 * 0.5**5)
    assert compare_counts(0, 5).p_value == pytest.approx(0.0625)
    assert compare_counts(6, 0).p_value == pytest.approx(2 * 0.5**6)


def test_unequal_exposure_hand_computed():
    # 3 against 0 with the current period twice as long: share 2/3, n = 3.
    # pmf = 1/27, 6/27, 12/27, 8/27; outcomes <= 8/27 are 0, 1, 3: p = 15/27.
    assert compare_counts(3, 0, exposure_ratio=2.0).p_value == pytest.approx(15 / 27)


def test_equal_counts_equal_exposure_is_not_significant():
    assert compare_counts(20, 20).p_value == pytest.approx(1.0)


# --- verdict, direction, wording ---


def test_verdict_is_direction_only_when_significant():
    assert compare_counts(6, 0).verdict == "up"  # p = 0.03125
    assert compare_counts(0, 6).verdict == "down"
    assert compare_counts(5, 0).verdict == "no significant change"  # p = 0.0625
    assert compare_counts(5, 0).direction == "up"


def test_alpha_sets_the_significance_threshold():
    assert ALPHA == 0.05
    assert compare_counts(5, 0, alpha=0.1).significant
    assert compare_counts(5, 0, alpha=0.1).verdict == "up"
    assert not compare_counts(6, 0, alpha=0.03).significant


def test_docstring_example_48_against_27_is_significant():
    result = compare_counts(48, 27)
    assert result.significant
    assert result.verdict == "up"


def test_direction_adjusts_for_exposure():
    assert compare_counts(10, 5, exposure_ratio=2.0).direction == "same"
    assert compare_counts(11, 5, exposure_ratio=2.0).direction == "up"
    assert compare_counts(9, 5, exposure_ratio=2.0).direction == "down"
    assert compare_counts(9, 5).direction == "up"


def test_describe_no_events():
    assert compare_counts(0, 0).describe() == "None now and none before."
    assert (
        compare_counts(0, 0).describe("in March", "in February")
        == "None in March and none in February."
    )


def test_describe_significant_rise_and_fall():
    assert compare_counts(6, 0).describe() == (
        "6 against 0: a significant rise (exact Poisson test, p = 0.031)."
    )
    assert compare_counts(0, 6).describe("this month", "last month") == (
        "0 this month against 6 last month: a significant fall "
        "(exact Poisson test, p = 0.031)."
    )


def test_describe_within_normal_variation():
    assert compare_counts(5, 0).describe() == (
        "5 against 0: within normal variation (exact Poisson test, p = 0.06)."
    )
    assert compare_counts(3, 3).describe("in May", "in April") == (
        "3 in May against 3 in April: within normal variation "
        "(exact Poisson test, p = 1.00)."
    )


def test_result_records_inputs():
    result = compare_counts(4, 9, exposure_ratio=0.5, alpha=0.01)
    assert isinstance(result, CountComparison)
    assert (result.current, result.previous) == (4, 9)
    assert (result.exposure_ratio, result.alpha) == (0.5, 0.01)


# --- errors ---


def test_negative_count_is_an_error():
    with pytest.raises(ValueError, match=r"counts must be >= 0, got -1 and 3"):
        compare_counts(-1, 3)
    with pytest.raises(ValueError, match=r"counts must be >= 0, got 2 and -4"):
        compare_counts(2, -4)


@pytest.mark.parametrize("ratio", [0, 0.0, -1.5])
def test_non_positive_exposure_ratio_is_an_error(ratio):
    with pytest.raises(ValueError, match=rf"exposure_ratio must be > 0, got {ratio}"):
        compare_counts(1, 1, exposure_ratio=ratio)


@pytest.mark.parametrize("ratio", [float("nan"), float("inf")])
def test_nan_or_infinite_exposure_ratio_is_an_error_naming_it(ratio):
    with pytest.raises(ValueError, match=r"exposure_ratio"):
        compare_counts(1, 1, exposure_ratio=ratio)


# --- properties ---


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=0, max_value=60),
    st.integers(min_value=0, max_value=60),
    st.sampled_from([(1.0, 1.0), (2.0, 0.5), (4.0, 0.25), (0.8, 1.25)]),
)
def test_swapping_periods_and_inverting_exposure_gives_the_same_p(a, b, ratios):
    forward, backward = ratios
    p1 = compare_counts(a, b, forward).p_value
    p2 = compare_counts(b, a, backward).p_value
    assert 0.0 <= p1 <= 1.0
    assert p1 == pytest.approx(p2, rel=1e-6, abs=1e-12)
