"""What the data covers: the span, windows outside it, partial trend bins."""

from datetime import date

import pandas as pd
import pytest

from pipelines import queries
from pipelines.analysis.coverage import (
    DataSpan,
    partial_bins,
    span_from_daily,
    uncovered_note,
)
from pipelines.analysis.trends import compare_counts, format_p
from pipelines.analysis.windows import DayRange
from pipelines.store import connect_read_only

SPAN = DataSpan(pd.Timestamp("2018-01-01"), pd.Timestamp("2019-12-31"))


def test_span_skips_the_lead_in_of_late_reports():
    # 30 a day in 2018-19; 1973 and Nov 2017 hold a few late-reported stragglers.
    body = pd.DataFrame({"day": pd.date_range("2018-01-01", "2019-12-31"), "n": 30})
    strays = pd.DataFrame(
        {"day": pd.to_datetime(["1973-06-01", "2017-11-20", "2017-12-30"]), "n": 1}
    )
    span = span_from_daily(pd.concat([strays, body]))
    assert span == SPAN


def test_span_starts_mid_month_when_the_export_does():
    body = pd.DataFrame({"day": pd.date_range("2018-01-10", "2018-12-20"), "n": 5})
    span = span_from_daily(body)
    assert (span.first, span.last) == (
        pd.Timestamp("2018-01-10"),
        pd.Timestamp("2018-12-20"),
    )


def test_empty_data_has_no_span_and_nothing_is_covered():
    assert span_from_daily(pd.DataFrame({"day": [], "n": []})) is None
    note = uncovered_note(
        None, DayRange(date(2019, 1, 1), date(2019, 1, 7)), "Last year"
    )
    assert note.startswith("No comparison: last year (1 Jan 2019 to 7 Jan 2019)")


def test_window_outside_the_data_is_refused_in_words():
    note = uncovered_note(
        SPAN, DayRange(date(2016, 1, 1), date(2017, 12, 31)), "The period before"
    )
    assert note == (
        "No comparison: the period before (1 Jan 2016 to 31 Dec 2017) lies outside "
        "the data (1 Jan 2018 to 31 Dec 2019)."
    )


def test_window_half_outside_the_data_is_refused_too():
    note = uncovered_note(
        SPAN, DayRange(date(2017, 12, 1), date(2018, 1, 31)), "The period before"
    )
    assert "is not fully inside the data" in note


@pytest.mark.parametrize(
    ("start", "end"),
    [(date(2018, 1, 1), date(2018, 1, 1)), (date(2019, 12, 25), date(2019, 12, 31))],
)
def test_windows_inside_the_data_are_compared(start, end):
    assert uncovered_note(SPAN, DayRange(start, end), "Last year") is None


def test_partial_weeks_and_months_at_both_ends():
    weeks = pd.to_datetime(["2017-12-25", "2018-01-01", "2019-12-23", "2019-12-30"])
    assert partial_bins(weeks, 7, SPAN).tolist() == [True, False, False, True]
    months = pd.to_datetime(["2017-12-01", "2018-01-01", "2019-12-01"])
    assert partial_bins(months, "month", SPAN).tolist() == [True, False, False]
    short = DataSpan(pd.Timestamp("2018-01-01"), pd.Timestamp("2019-12-15"))
    assert partial_bins(months, "month", short).tolist() == [True, False, True]


def test_p_below_a_thousandth_reads_as_an_inequality():
    assert format_p(0.0) == "p < 0.001"
    assert format_p(0.00099) == "p < 0.001"
    assert format_p(0.001) == "p = 0.001"
    assert format_p(0.004, decimals=2) == "p = 0.004"  # never "p = 0.00"
    assert format_p(0.289, decimals=2) == "p = 0.29"
    sentence = compare_counts(591, 0).describe()
    assert "p < 0.001" in sentence and "p = 0.000" not in sentence


def test_sample_store_span_is_the_two_exported_years(sample_store):
    # The bundled sample is 2018-19; it carries late reports back to 1973.
    with connect_read_only(sample_store) as con:
        first_day, _ = queries.date_bounds(con)
        span = queries.data_span(con)
    assert first_day < date(2018, 1, 1)
    assert span.first == pd.Timestamp("2018-01-01")
    assert span.last.year == 2019
