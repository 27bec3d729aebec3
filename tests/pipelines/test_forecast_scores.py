"""PAI, RRI and PEI* (pipelines/analysis/refresh/forecast_scores.py) on fixtures computed by hand.

Ten cells of equal area (1 each, total 10). The forecast scores
``[9, 7, 7, 5, 3, 2, 1, 0, 0, 0]``; cells 1 and 2 tie at 7. At 20% of the area
two cells are flagged: cell 0 and whichever of cells 1, 2 ranks first in the
tie order.

Scored period counts ``[4, 0, 6, 2, 1, 0, 3, 0, 0, 4]``: N = 20.
Fitted-on counts ``[10, 8, 8, 5, 2, 2, 1, 0, 0, 4]``: N_fit = 40.

Tie order 0..9 (cell 1 before cell 2): flagged {0, 1}.
  hits n = 4 + 0 = 4; hit rate 4 / 20 = 0.2; area share 2 / 10 = 0.2;
  PAI = 0.2 / 0.2 = 1.0.
  n_fit = 10 + 8 = 18; RRI = (4 / 18) / (20 / 40) = 0.2222 / 0.5 = 0.4444.
  best 2 cells of the scored period: 6 + 4 = 10; PEI* = 4 / 10 = 0.4.
Tie order with cell 2 first: flagged {0, 2}.
  n = 4 + 6 = 10; PAI = 0.5 / 0.2 = 2.5; RRI = (10 / 18) / 0.5 = 1.1111;
  PEI* = 10 / 10 = 1.0.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.analysis.forecast_scores import flag_cells, score_flagged, tie_order

SCORE = np.array([9, 7, 7, 5, 3, 2, 1, 0, 0, 0], dtype=float)
NEXT = np.array([4, 0, 6, 2, 1, 0, 3, 0, 0, 4])
FIT = np.array([10, 8, 8, 5, 2, 2, 1, 0, 0, 4])
AREA = np.ones(10)


def test_scores_by_hand_with_cell_1_winning_the_tie():
    flagged = flag_cells(SCORE, AREA, 0.2, np.arange(10))
    assert np.flatnonzero(flagged).tolist() == [0, 1]
    result = score_flagged(flagged, AREA, NEXT, FIT)
    assert (result.hits, result.incidents, result.cells) == (4, 20, 2)
    assert result.area_share == pytest.approx(0.2)
    assert result.pai == pytest.approx(1.0)
    assert result.rri == pytest.approx((4 / 18) / (20 / 40))
    assert result.pei_star == pytest.approx(0.4)


def test_scores_by_hand_with_cell_2_winning_the_tie():
    ties = np.array([0, 2, 1, 3, 4, 5, 6, 7, 8, 9])
    flagged = flag_cells(SCORE, AREA, 0.2, ties)
    assert np.flatnonzero(flagged).tolist() == [0, 2]
    result = score_flagged(flagged, AREA, NEXT, FIT)
    assert result.pai == pytest.approx(2.5)
    assert result.rri == pytest.approx((10 / 18) / 0.5)
    assert result.pei_star == pytest.approx(1.0)


def test_area_share_counts_only_the_area_inside_the_jurisdiction():
    # Areas 1, 0.5, 1, 1 (total 3.5); 40% is 1.4: cell 0 (cumulative 0 -> 1)
    # and cell 1 (1 -> 1.5) are flagged; the share is 1.5 / 3.5.
    area = np.array([1.0, 0.5, 1.0, 1.0])
    flagged = flag_cells(np.array([4.0, 3.0, 2.0, 1.0]), area, 0.4, np.arange(4))
    assert flagged.tolist() == [True, True, False, False]
    result = score_flagged(flagged, area, np.array([2, 1, 1, 0]), np.ones(4))
    assert result.area_share == pytest.approx(1.5 / 3.5)
    assert result.pai == pytest.approx((3 / 4) / (1.5 / 3.5))


def test_nan_scores_rank_last():
    flagged = flag_cells(np.array([np.nan, 1.0, 2.0]), np.ones(3), 0.5, np.arange(3))
    assert flagged.tolist() == [False, True, True]


def test_empty_periods_give_nan_not_errors():
    result = score_flagged(
        np.array([True, False]), np.ones(2), np.zeros(2, int), np.zeros(2, int)
    )
    assert np.isnan(result.pai) and np.isnan(result.rri) and np.isnan(result.pei_star)


def test_share_must_be_a_fraction():
    with pytest.raises(ValueError, match=r"area share must be in \(0, 1\], got 5"):
        flag_cells(SCORE, AREA, 5, np.arange(10))


def test_tie_order_is_fixed_by_the_seed():
    assert tie_order(50, 3).tolist() == tie_order(50, 3).tolist()
    assert sorted(tie_order(50, 3)) == list(range(50))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 100), st.floats(0.05, 1)), min_size=1, max_size=30),
    st.floats(0.01, 1.0),
)
def test_flagged_area_just_reaches_the_target(cells, share):
    score = np.array([c[0] for c in cells])
    area = np.array([c[1] for c in cells])
    flagged = flag_cells(score, area, share, np.arange(len(cells)))
    target = share * area.sum()
    assert area[flagged].sum() >= target - 1e-6
    # Dropping the lowest-ranked flagged cell falls short of the target.
    order = np.lexsort((np.arange(len(cells)), -score))
    last = [i for i in order if flagged[i]][-1]
    assert area[flagged].sum() - area[last] < target
    # Everything flagged ranks above everything not flagged.
    if (~flagged).any():
        assert score[flagged].min() >= score[~flagged].max()
