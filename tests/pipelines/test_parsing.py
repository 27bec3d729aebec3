"""Dates and numbers read from export text (``pipelines/ingest/normalize/parsing.py``).

Each reader must give exactly what pandas gives (the values staged before the
fast paths existed), so the tests compare against ``pd.to_datetime`` and
``pd.to_numeric`` as well as against hand-checked values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.ingest.parsing import _fixed_layout, parse_dates, parse_numbers


def pandas_dates(values: pd.Series, formats: tuple[str, ...]) -> pd.Series:
    """What ingest did before: pd.to_datetime per format on what is left."""
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    for fmt in formats:
        todo = parsed.isna() & (values != "")
        if not todo.any():
            break
        parsed[todo] = pd.to_datetime(values[todo], format=fmt, errors="coerce")
    if not formats:
        todo = values != ""
        parsed[todo] = pd.to_datetime(values[todo], errors="coerce", format="mixed")
    return parsed


SLMPD = ("%m/%d/%Y %H:%M",)


def test_dates_in_the_departments_layout():
    values = pd.Series(
        [
            "06/15/2019 14:30",  # the usual form
            "6/5/2019 4:07",  # unpadded: read by pandas
            "02/29/2019 00:00",  # no such day
            "02/29/2020 23:59",  # leap day
            "01/01/1900 00:00",  # the department's unknown-date placeholder
            "13/01/2019 00:00",
            "06/15/2019 24:00",
            "",
            "06/15/2019",
        ],
        index=range(10, 19),
    )
    parsed = parse_dates(values, SLMPD)
    t, nat = pd.Timestamp, pd.NaT
    expected = [
        t("2019-06-15 14:30"),
        t("2019-06-05 04:07"),
        nat,
        t("2020-02-29 23:59"),
        t("1900-01-01"),
        nat,
        nat,
        nat,
        nat,
    ]
    pd.testing.assert_series_equal(
        parsed, pd.Series(expected, index=values.index, dtype="datetime64[us]")
    )


@pytest.mark.parametrize(
    ("values", "formats"),
    [
        (["2019-06", "2019-6", "0000-01", "2019-13", "1500-01", ""], ("%Y-%m",)),
        (
            ["2019-06-15 14:30:59", "2019-06-15 14:30:60", "2019-06-31 00:00:00"],
            ("%Y-%m-%d %H:%M:%S",),
        ),
        (["06/15/2019 14:30", "2019-06-15", "x"], ("%m/%d/%Y %H:%M", "%Y-%m-%d")),
        (["201906151430", "201913011200"], ("%Y%m%d%H%M",)),
        (
            ["06/15/2019 02:30:00 PM", "06/15/2019 12:00:00 AM"],
            ("%m/%d/%Y %I:%M:%S %p",),
        ),
        (["2019-06-15", "15 June 2019", ""], ()),
    ],
)
def test_dates_match_pandas(values, formats):
    series = pd.Series(values, dtype="str")
    pd.testing.assert_series_equal(
        parse_dates(series, formats), pandas_dates(series, formats)
    )


def test_only_fixed_width_numeric_layouts_are_read_arithmetically():
    assert _fixed_layout("%m/%d/%Y %H:%M") == (
        r"^\d{2}/\d{2}/\d{4}\ \d{2}:\d{2}$",
        {"m": 0, "d": 3, "Y": 6, "H": 11, "M": 14},
        16,
    )
    for fmt in ("%m/%d/%Y %I:%M:%S %p", "%Y-%m-%dT%H:%M:%S.%f", "%d %b %Y", "%d/%m"):
        assert _fixed_layout(fmt) is None


@st.composite
def date_texts(draw) -> str:
    number = st.integers(0, 99)
    y, m, d, hh, mm = (
        draw(st.sampled_from([0, 1, 1899, 1900, 2019, 2020, 9999])),
        draw(number),
        draw(number),
        draw(number),
        draw(number),
    )
    pad = draw(st.booleans())
    two = (lambda v: f"{v:02d}") if pad else str
    return draw(
        st.sampled_from(
            [
                f"{two(m)}/{two(d)}/{y:04d} {two(hh)}:{two(mm)}",
                f"{y:04d}-{two(m)}",
                f"{two(m)}/{two(d)}/{y:04d}  {two(hh)}:{two(mm)}",
                "",
                "garbage",
            ]
        )
    )


@settings(max_examples=200, deadline=None)
@given(
    st.lists(date_texts(), max_size=30),
    st.sampled_from([SLMPD, ("%Y-%m",), ("%Y-%m", "%m/%d/%Y %H:%M")]),
)
def test_dates_match_pandas_for_any_text(values, formats):
    series = pd.Series(values, dtype="str")
    pd.testing.assert_series_equal(
        parse_dates(series, formats), pandas_dates(series, formats)
    )


def test_numbers_in_the_departments_layout():
    values = pd.Series(["907309.5", "1033435.8", "0", "", "-12.25", "n/a"])
    np.testing.assert_array_equal(
        parse_numbers(values), [907309.5, 1033435.8, 0.0, np.nan, -12.25, np.nan]
    )


@pytest.mark.parametrize(
    "values",
    [
        ["907309.5", "", "x"],
        ["-0", "1"],  # pandas reads "-0" as 0 here ...
        ["-0", "1.5"],  # ... and as -0 here
        ["-0.0", "0.0"],
        ["1e5", "2"],
        ["12345678901234567", "1"],
        ["007", " 1", "+3", ".5", "1."],
        [],
    ],
)
def test_numbers_match_pandas_to_the_sign_bit(values):
    series = pd.Series(values, dtype="str")
    ours = parse_numbers(series)
    theirs = pd.to_numeric(series, errors="coerce").to_numpy("float64")
    np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(np.signbit(ours), np.signbit(theirs))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.decimals(allow_nan=False, allow_infinity=False, places=4).map(str),
            st.integers(-(10**17), 10**17).map(str),
            st.sampled_from(["", "-0", "-0.0", "x", "1e3"]),
        ),
        max_size=20,
    )
)
def test_numbers_match_pandas_for_any_text(values):
    series = pd.Series(values, dtype="str")
    ours = parse_numbers(series)
    theirs = pd.to_numeric(series, errors="coerce").to_numpy("float64")
    np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(np.signbit(ours), np.signbit(theirs))
