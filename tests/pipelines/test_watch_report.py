"""The public-safe watch-meeting report on the St. Louis sample."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from pipelines import schema as s
from pipelines.community import public
from pipelines.community.watch_report import (
    PLAIN_WORDS,
    WatchReportError,
    build_watch_report,
    plain_words,
)
from pipelines.render.watch_export import count_classes, panels_html, static_bytes
from tests.pipelines.watch_helpers import (
    AREA,
    LAST_MEETING,
    SECRET_NOTE,
    make_watch_store,
)


@pytest.fixture(scope="module")
def store(sample_store, tmp_path_factory):
    return make_watch_store(sample_store, tmp_path_factory.mktemp("watch") / "s.duckdb")


@pytest.fixture(scope="module")
def con(store):
    with duckdb.connect(str(store), read_only=True) as c:
        yield c


def test_map_shows_the_area_and_its_neighbours_with_public_counts(con):
    report = build_watch_report(con, "neighborhood", AREA)
    assert report.area_name == "Tower Grove South"
    roles = dict(zip(report.areas["name"], report.areas["role"], strict=True))
    assert roles["Tower Grove South"] == "selected" and len(roles) == 8
    assert {"Dutchtown", "Bevo Mill", "Tower Grove Park"} <= set(roles)
    assert set(report.areas.geometry.geom_type) <= {"Polygon", "MultiPolygon"}
    # Counts exclude sensitive categories and rows flagged sensitive.
    start, end = report.map_window
    expected = con.execute(
        "SELECT count(*) FROM incidents WHERE area_neighborhood = ? "
        "AND kind = 'report' "
        "AND NOT sensitive AND category NOT IN ('domestic', 'sex offense') "
        "AND occurred_at::DATE BETWEEN ? AND ?",
        [AREA, start, end],
    ).fetchone()[0]
    everything = con.execute(
        "SELECT count(*) FROM incidents WHERE area_neighborhood = ? "
        "AND kind = 'report' "
        "AND occurred_at::DATE BETWEEN ? AND ?",
        [AREA, start, end],
    ).fetchone()[0]
    shown = report.areas.set_index("area_id").loc[AREA, "n"]
    assert shown == expected < everything


def test_counts_below_k_are_masked_everywhere(con):
    report = build_watch_report(con, "neighborhood", AREA, k=100)
    masked = report.areas[report.areas["n_suppressed"]]
    assert len(masked) and (masked["n_text"] == "fewer than 100").all()
    assert masked["n"].isna().all()
    assert (report.monthly["n"].dropna() >= 100).all()
    assert all(p.last28_text == "fewer than 100" for p in report.problems)
    assert report.suppressed > 0 and f"{report.suppressed} figures had fewer" in (
        report.withheld
    )


def test_top_problems_are_public_categories_in_plain_words_with_a_trend(con):
    report = build_watch_report(con, "neighborhood", AREA)
    assert 1 <= len(report.problems) <= 3
    for problem in report.problems:
        assert problem.category not in s.SENSITIVE_CATEGORIES
        assert problem.label == PLAIN_WORDS[problem.category]
        assert problem.marker in "▲▼●"
        assert "incidents in the last 28 days" in problem.sentence


def test_twelve_months_end_with_the_last_month_of_data(con):
    monthly = build_watch_report(con, "neighborhood", AREA).monthly
    assert monthly["label"].tolist()[0] == "Jan 2019"
    assert monthly["label"].tolist()[-1] == "Dec 2019" and len(monthly) == 12


def test_last_meeting_lists_public_concerns_with_counts_since(con):
    report = build_watch_report(con, "neighborhood", AREA)
    assert report.last_meeting == LAST_MEETING
    labels = [item.label for item in report.raised]
    assert labels == ["Thefts from vehicles", "Break-ins (burglary)"]  # no "domestic"
    days = (date(2019, 12, 31) - LAST_MEETING).days
    assert report.raised[0].since.startswith(f"Since the meeting ({days} days): ")
    assert report.raised[1].status == "in progress"
    text = " ".join(i.since for i in report.raised) + panels_html(report)
    assert SECRET_NOTE not in text and "number 12" not in text


def test_bad_level_or_area_is_named(con):
    with pytest.raises(
        WatchReportError,
        match=r"level was 'beat' but is expected to be one of "
        r"\['neighborhood', 'district'\]",
    ):
        build_watch_report(con, "beat", AREA)
    with pytest.raises(
        WatchReportError, match=r"area '999' is not a neighborhood of the store"
    ):
        build_watch_report(con, "neighborhood", "999")
    with pytest.raises(ValueError, match=r"expected to be a public category"):
        plain_words("domestic")


def test_legend_never_shows_a_number_below_k():
    import pandas as pd

    colours, legend = count_classes(
        pd.Series([pd.NA, 3, 40, 41, 900], dtype="Int64"), 3
    )
    assert legend[0] == ("#ffffff", "fewer than 3") and colours[0] == "#ffffff"
    assert legend[1][1].startswith("3")
    assert len(set(colours[1:])) == 4


def test_static_exports_are_one_1920x1080_page(con):
    report = build_watch_report(con, "neighborhood", AREA)
    png = static_bytes(report, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1920, 1080)
    assert static_bytes(report, "pdf").startswith(b"%PDF")
    with pytest.raises(ValueError, match=r"`fmt` was 'svg' but is expected"):
        static_bytes(report, "svg")


def test_panels_html_escapes_and_marks_counts(con):
    html = panels_html(build_watch_report(con, "neighborhood", AREA))
    assert f'class="{public.COUNT_CLASS}"' in html and "<script" not in html


def test_static_map_labels_never_overlap_and_the_selected_area_is_labelled(con):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Annotation

    from pipelines.render.watch_export import static_figure

    report = build_watch_report(con, "neighborhood", AREA)
    fig = static_figure(report)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    map_axes = fig.axes[0]
    labels = [a for a in map_axes.texts if isinstance(a, Annotation)]
    boxes = [a.get_bbox_patch().get_window_extent(renderer) for a in labels]
    assert len(labels) >= 4
    overlapping = [
        (labels[i].get_text(), labels[j].get_text())
        for i in range(len(boxes))
        for j in range(i + 1, len(boxes))
        if boxes[i].overlaps(boxes[j])
    ]
    assert overlapping == []
    selected = report.areas.loc[report.areas["role"] == "selected", "name"].iloc[0]
    assert any(a.get_text().startswith(f"{selected}\n") for a in labels)
