"""Small-count suppression must not be undone by subtraction (issue 14, item 4)."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from pipelines.community import public, public_audit
from pipelines.community.watch_report import build_watch_report

# Twelve months, the last one below k=3: total 97, the eleven shown add to 95.
MONTHS = [10, 9, 9, 9, 9, 9, 9, 9, 8, 7, 7, 2]


def _difference(report) -> tuple[int, int]:
    """(shown 12-month total of the selected area - shown months, hidden months)."""
    total = report.areas.set_index("area_id").loc[report.area_id, "n"]
    visible = int(report.monthly["n"].dropna().sum())
    hidden = int(report.monthly["n"].isna().sum())
    return (None if pd.isna(total) else int(total) - visible), hidden


def test_sample_area_total_does_not_reveal_its_hidden_month(sample_store):
    # Neighborhood 26 at k=3 is the case: 97 for the year beside
    # eleven shown months adding to 95, so the hidden month was 2.
    with duckdb.connect(str(sample_store), read_only=True) as con:
        report = build_watch_report(con, "neighborhood", "26", k=3)
    difference, hidden = _difference(report)
    assert hidden >= 1
    assert difference is None or difference >= 3


@pytest.mark.parametrize("k", [3, 10, 20])
def test_no_sample_area_total_reveals_a_hidden_month(sample_store, k):
    with duckdb.connect(str(sample_store), read_only=True) as con:
        for area in ["8", "10", "18", "26", "35", "50"]:
            report = build_watch_report(con, "neighborhood", area, k=k)
            difference, hidden = _difference(report)
            if hidden:
                assert difference is None or difference >= k, (area, k)
            else:
                assert difference == 0, (area, k)
            assert not public_audit.audit_parts_total(
                report.monthly["n"], report.areas.set_index("area_id").loc[area, "n"], k
            )


def test_one_small_month_beside_a_total_hides_the_next_smallest_too():
    frame = public.public_counts(pd.DataFrame({"n": MONTHS}), 3)
    assert int(frame["n"].sum()) == 95  # what the public could subtract from 97
    protected, total = public.protect_total(frame, 3, raw=MONTHS)
    hidden = protected["n"].isna()
    assert hidden.tolist() == [False] * 9 + [True, False, True]
    assert protected.loc[9, "n_text"] == public.WITHHELD_TEXT
    assert protected.loc[11, "n_text"] == "fewer than 3"
    assert int(total) == 97 and 97 - int(protected["n"].sum()) == 9


def test_a_total_that_cannot_be_protected_is_withheld():
    frame = public.public_counts(pd.DataFrame({"n": [1, 0, 1]}), 3)
    protected, total = public.protect_total(frame, 3, raw=[1, 0, 1])
    assert pd.isna(total) and protected["n"].isna().all()


def test_hidden_cells_of_zero_beside_a_total_are_protected_as_well():
    # total - shown = 0 would say every hidden cell is 0.
    protected, total = public.protect_total(
        public.public_counts(pd.DataFrame({"n": [0, 5, 6]}), 3), 3, raw=[0, 5, 6]
    )
    assert protected["n"].isna().tolist() == [True, True, False]
    assert int(total) == 11


def test_no_hidden_cell_leaves_everything_shown():
    protected, total = public.protect_total(
        public.public_counts(pd.DataFrame({"n": [4, 5]}), 3), 3, raw=[4, 5]
    )
    assert protected["n"].tolist() == [4, 5] and int(total) == 9


def test_gap_cells_count_as_hidden():
    # A month with no data (a gap) hides its count too: 1 there must not be derivable.
    frame = public.public_counts(pd.DataFrame({"n": [1, 8, 9]}), 3)
    frame.loc[0, "n_suppressed"] = False  # as a gap marks it
    protected, total = public.protect_total(frame, 3, raw=[1, 8, 9])
    assert protected["n"].isna().tolist() == [True, True, False]


def test_audit_flags_a_total_that_reveals_a_hidden_part():
    shown = pd.Series([10, 9, 9, 9, 9, 9, 9, 9, 8, 7, 7, None], dtype="Int64")
    problems = public_audit.audit_parts_total(shown, 97, 3)
    assert problems and "97" in problems[0] and "2" in problems[0]
    assert not public_audit.audit_parts_total(shown.mask(shown.index == 9), 97, 3)
    assert public_audit.audit_frame(pd.DataFrame({"n": shown}), 3, total=97, column="n")


def test_audit_flags_a_total_that_says_every_hidden_part_is_zero():
    shown = pd.Series([None, 5, 6], dtype="Int64")
    assert public_audit.audit_parts_total(shown, 11, 3)
    assert not public_audit.audit_parts_total(pd.Series([5, 6]), 11, 3)
    assert not public_audit.audit_parts_total(shown, None, 3)


def test_audit_of_a_payload_checks_parts_and_totals():
    parts = ["10", "9", "9", "9", "9", "9", "9", "9", "8", "7", "7", "fewer than 3"]
    problems = public_audit.audit_public_payload(
        "<p>ok</p>", parts_totals=[(parts, "97")]
    )
    assert any("total 97" in p for p in problems)


def test_rendered_panels_pass_the_parts_and_total_audit(sample_store):
    from pipelines.render.watch_export import panels_html

    with duckdb.connect(str(sample_store), read_only=True) as con:
        report = build_watch_report(con, "neighborhood", "26", k=3)
    parts = report.monthly["n_text"].tolist()
    assert public.WITHHELD_TEXT in parts and "97" == report.total_text
    html = panels_html(report)
    assert f'<span class="{public.COUNT_CLASS}">97</span>' in html
    assert "show as “withheld” so that no hidden count" in report.withheld
    assert not public_audit.audit_public_payload(
        html, k=3, parts_totals=[(parts, report.total_text)]
    )
    # The export (eleven shown months adding to 95, total 97) fails it.
    before = [str(v) for v in MONTHS[:-1]] + ["fewer than 3"]
    problems = public_audit.audit_public_payload(
        html, k=3, parts_totals=[(before, "97")]
    )
    assert problems == [
        "total 97 minus the shown parts (95) leaves 2 for 1 hidden part(s): a count "
        "below 3 can be worked out; hide more parts or withhold the total "
        "(public.protect_total)"
    ]
