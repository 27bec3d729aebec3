"""Which watch-meeting comparisons the data can answer, and the words when not.

A comparison is tested only when both of its windows lie inside the days the
data cover (:class:`pipelines.analysis.coverage.DataSpan`); otherwise the
report says so in words (``uncovered_note``) and shows no trend. The span
travels into the public store as two metadata rows (``data_first``,
``data_last``) so the public page can check again; a public store without
them refuses every trend.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from pipelines.analysis.coverage import DataSpan, uncovered_note
from pipelines.analysis.windows import PERIOD_DAYS, DayRange, preceding, trailing

NO_SPAN_NOTE = (
    "No comparison: this public store does not record which days its data "
    "cover; publish it again with `beatprofile publish`."
)
"""What a public store written before the span was recorded says instead."""


def problem_note(span: DataSpan | None, as_of: date) -> str:
    """Why the last 28 days cannot be compared with the 28 before ("" if they can)."""
    last = trailing(as_of, PERIOD_DAYS)
    before = preceding(last)
    for window, label in (
        (last, f"The last {PERIOD_DAYS} days"),
        (before, f"The {PERIOD_DAYS} days before"),
    ):
        note = uncovered_note(span, window, label)
        if note:
            return note
    return ""


def since_note(span: DataSpan | None, meeting: date, as_of: date) -> str:
    """Why the days since ``meeting`` cannot be compared with as many before it."""
    days = (as_of - meeting).days
    after = DayRange(meeting + timedelta(days=1), as_of)
    before = trailing(meeting, days)
    return uncovered_note(span, after, "The days since the meeting") or (
        uncovered_note(span, before, f"The {days} days before the meeting") or ""
    )


def span_meta(span: DataSpan | None) -> dict[str, str]:
    """The span as public-store metadata rows (none when unknown)."""
    if span is None:
        return {}
    return {
        "data_first": f"{span.first:%Y-%m-%d}",
        "data_last": f"{span.last:%Y-%m-%d}",
    }


def span_from_meta(meta: dict) -> DataSpan | None:
    """The span recorded in a public store's metadata, or ``None``.

    Example
    -------
    >>> span_from_meta({"data_first": "2018-01-01", "data_last": "2019-12-31"}).words()
    '1 Jan 2018 to 31 Dec 2019'
    """
    first, last = meta.get("data_first"), meta.get("data_last")
    if not first or not last:
        return None
    return DataSpan(pd.Timestamp(str(first)), pd.Timestamp(str(last)))
