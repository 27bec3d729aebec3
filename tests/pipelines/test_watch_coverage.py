"""Watch-meeting comparisons whose window is not inside the data are refused in words.

The sample's data cover 1 Jan 2018 to 31 Dec 2019. A concern raised at a meeting
on 6 Feb 2018 is compared, on the old code, with the 693 days before it (back to
2016): zero incidents, so every count "rose". The page, the exports and the
public store must say in words that the comparison is not possible instead.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest

from pipelines import queries
from pipelines.analysis.coverage import DataSpan
from pipelines.analysis.gaps import load_gaps
from pipelines.community import priorities
from pipelines.community.public_store import read_public_meta, read_public_report
from pipelines.community.publish import publish_public_store
from pipelines.community.watch_report import area_panels, build_watch_report
from pipelines.render.watch_export import panels_html, static_figure
from tests.pipelines.watch_helpers import AREA, make_watch_store

EARLY_AREA = "26"  # Compton Heights
EARLY_MEETING = date(2018, 2, 6)
TREND_VERDICTS = ("clear rise", "clear fall", "no clear change")


def add_early_meeting(store) -> None:
    """A concern raised at a meeting six weeks after the data start."""
    frame = pd.DataFrame(
        [
            {
                "meeting_date": EARLY_MEETING,
                "level": "neighborhood",
                "area_id": EARLY_AREA,
                "category": "theft",
                "status": "open",
                "note": "",
            }
        ]
    )
    with priorities.open_store_for_write(store) as con:
        known = priorities.known_areas(con)
        priorities.append_concerns(con, priorities.validate_concerns(frame, known))


@pytest.fixture(scope="module")
def store(sample_store, tmp_path_factory):
    path = make_watch_store(sample_store, tmp_path_factory.mktemp("cov") / "s.duckdb")
    add_early_meeting(path)
    return path


@pytest.fixture(scope="module")
def con(store):
    with duckdb.connect(str(store), read_only=True) as c:
        yield c


def test_counts_since_a_meeting_are_not_tested_against_days_before_the_data(con):
    report = build_watch_report(con, "neighborhood", EARLY_AREA)
    assert report.last_meeting == EARLY_MEETING
    since = report.raised[0].since
    assert since.startswith("Since the meeting (693 days): ")
    assert "No comparison: the 693 days before the meeting" in since
    assert "1 Jan 2018 to 31 Dec 2019" in since
    assert not any(word in since for word in TREND_VERDICTS)


def test_a_meeting_inside_the_data_is_still_compared(con):
    report = build_watch_report(con, "neighborhood", AREA)
    assert all("No comparison" not in r.since for r in report.raised)
    assert any(word in report.raised[0].since for word in TREND_VERDICTS)


def test_top_problems_are_not_tested_when_the_28_days_before_lie_outside(con):
    as_of = date(2019, 12, 31)
    late_start = DataSpan(pd.Timestamp("2019-11-20"), pd.Timestamp(as_of))
    panels = area_panels(
        con, "neighborhood", AREA, as_of, 3, load_gaps(con), late_start
    )
    assert panels.problems
    for problem in panels.problems:
        assert problem.trend == "untested"
        assert "No comparison: the 28 days before" in problem.sentence
        assert not any(word in problem.sentence for word in TREND_VERDICTS)


def test_the_exports_say_the_comparison_is_refused(con):
    report = build_watch_report(con, "neighborhood", EARLY_AREA)
    html = panels_html(report)
    assert "No comparison: the 693 days before the meeting" in html
    figure_text = " ".join(
        t.get_text()
        for t in static_figure(report).findobj(lambda a: hasattr(a, "get_text"))
    )
    assert "No comparison" in figure_text


def test_the_public_store_records_the_data_span_and_keeps_the_refusal(store, tmp_path):
    public = tmp_path / "public.duckdb"
    publish_public_store(store, public)
    with duckdb.connect(str(public), read_only=True) as pcon:
        meta = read_public_meta(pcon)
        report = read_public_report(pcon, "neighborhood", EARLY_AREA)
    with duckdb.connect(str(store), read_only=True) as fcon:
        span = queries.data_span(fcon)
    assert (meta["data_first"], meta["data_last"]) == ("2018-01-01", "2019-12-31")
    assert report.span == span
    assert "No comparison: the 693 days before the meeting" in report.raised[0].since


def test_a_public_store_without_a_span_refuses_every_trend(store, tmp_path):
    public = tmp_path / "public.duckdb"
    publish_public_store(store, public)
    with duckdb.connect(str(public)) as pcon:
        pcon.execute("DELETE FROM meta WHERE key IN ('data_first', 'data_last')")
    with duckdb.connect(str(public), read_only=True) as pcon:
        report = read_public_report(pcon, "neighborhood", AREA)
    assert report.span is None and report.problems
    assert all(p.trend == "untested" for p in report.problems)
    assert all("publish it again" in p.sentence for p in report.problems)
