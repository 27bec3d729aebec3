"""Harm weights (pipelines/analysis/refresh/harm.py) and the time slices (pipelines/analysis/periods.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from pipelines import schema as s
from pipelines.analysis.harm import harm_of
from pipelines.analysis.periods import block_codes, last_complete_month, month_codes
from pipelines.analysis_settings import DEFAULT_HARM_WEIGHTS, harm_weights


def test_every_category_has_a_default_weight():
    assert list(DEFAULT_HARM_WEIGHTS) == list(s.CATEGORIES)
    assert (
        DEFAULT_HARM_WEIGHTS["homicide"]
        > DEFAULT_HARM_WEIGHTS["robbery"]
        > DEFAULT_HARM_WEIGHTS["burglary"]
        > DEFAULT_HARM_WEIGHTS["disorder"]
    )


def test_overrides_replace_defaults():
    weights = harm_weights({"burglary": 60})
    assert weights["burglary"] == 60.0 and weights["theft"] == 5.0
    assert harm_of(pd.Series(["burglary", "unknown"]), weights).tolist() == [60.0, 0.0]


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"burglaries": 1}, 'harm weight given for "burglaries"'),
        ({"theft": -1}, 'harm weight of "theft" must be >= 0'),
    ],
)
def test_bad_overrides_are_errors(override, message):
    with pytest.raises(ValueError, match=message):
        harm_weights(override)


def test_last_complete_month():
    assert last_complete_month(pd.Timestamp("2019-12-31")) == pd.Timestamp("2019-12-01")
    assert last_complete_month(pd.Timestamp("2019-12-30")) == pd.Timestamp("2019-11-01")


def test_month_and_block_codes():
    times = pd.Series(pd.to_datetime(["2019-01-05", "2018-12-31", "2019-03-01", None]))
    assert month_codes(times, pd.Timestamp("2019-01-01")).tolist() == [0, -1, 2, -1]
    # Blocks of 28 days ending 2019-03-31: Mar 04-31 is block 0, Feb 04-Mar 03 block 1.
    days = pd.Series(
        pd.to_datetime(["2019-03-31", "2019-03-04", "2019-03-03", "2019-04-01", None])
    )
    codes = block_codes(days, pd.Timestamp("2019-03-31"), 28)
    assert codes.tolist() == [0, 0, 1, -1, -1]
