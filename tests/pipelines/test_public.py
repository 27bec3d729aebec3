"""The public-safe rules in pipelines.community.public, each on a small hand-made input."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from pipelines import store
from pipelines.community import public, public_audit

ADDRESS = "4000 N NEWSTEAD AVE"


def test_counts_below_k_are_masked_and_shown_as_fewer_than_k():
    frame = pd.DataFrame({"area_id": ["a", "b", "c", "d"], "n": [0, 2, 3, 1234]})
    out = public.public_counts(frame, k=3)
    assert out["n_text"].tolist() == ["fewer than 3", "fewer than 3", "3", "1,234"]
    assert out["n"].isna().tolist() == [True, True, False, False]
    assert out["n_suppressed"].tolist() == [True, True, False, False]
    assert frame["n"].tolist() == [0, 2, 3, 1234]  # the input is not changed


def test_k_comes_from_the_store_metadata_with_3_as_default():
    assert public.public_k({"min_count_public": 5}) == 5
    assert public.public_k({}) == 3
    assert public.public_k({"min_count_public": "x"}) == 3
    assert public.public_count_text(4, k=5) == "fewer than 5"


def test_public_counts_names_a_missing_column_and_a_bad_k():
    with pytest.raises(
        ValueError, match=r"lacks the count column 'n'; columns are \['x'\]"
    ):
        public.public_counts(pd.DataFrame({"x": [1]}))
    with pytest.raises(ValueError, match=r"`k` was 0 but is expected to be at least 1"):
        public.public_counts(pd.DataFrame({"n": [1]}), k=0)


def test_sensitive_categories_are_never_public():
    assert public.public_categories(
        ["theft", "domestic", "sex offense", "burglary"]
    ) == ["theft", "burglary"]
    assert not public.is_public_category(None)


def test_public_incident_clause_drops_flagged_and_sensitive_rows():
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE incidents AS SELECT * FROM (VALUES "
        "('report', false, 'theft', true), "
        "('report', true, 'aggravated assault', true), "
        "('report', false, 'domestic', true), ('call', false, 'theft', true), "
        "('report', NULL, 'burglary', true)) t(kind, sensitive, category, classified)"
    )
    store.create_crimes_view(con)
    kept = con.execute(
        f"SELECT category FROM crimes WHERE {public.public_incident_clause()}"
    ).fetchall()
    assert sorted(r[0] for r in kept) == ["burglary", "theft"]


def test_withheld_note_says_what_was_left_out_without_naming_sensitive_categories():
    note = public.withheld_note(3, 2, "areas")
    assert "2 areas had fewer than 3" in note and "sensitive" in note
    assert public_audit.audit_public_payload(note, [ADDRESS], 3) == []


def test_forbidden_strings_skip_short_and_numeric_values_and_public_names():
    found = public_audit.forbidden_strings(
        ["4000 N Newstead  Ave", "219", "", None, "TOWER GROVE PARK"],
        allowed=["Tower Grove Park"],
    )
    assert found == [ADDRESS]


def test_audit_passes_a_safe_payload():
    safe = (
        '{"type": "Feature", "geometry": {"type": "Polygon"}, "properties": '
        '{"label": "O&#x27;Fallon<br><span class=\\"bp-count\\">45</span>"}} '
        "fewer than 3 incidents; 12 incidents in the last 28 days"
    )
    assert (
        public_audit.audit_public_payload(safe, [ADDRESS], 3, data_strings=["O'Fallon"])
        == []
    )


@pytest.mark.parametrize(
    ("unsafe", "problem"),
    [
        (
            '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [0, 0]}}',
            "point feature",
        ),
        ("L.circleMarker([38.6, -90.2]).addTo(map);", "point feature"),
        (f"Break-in at {ADDRESS.title()}", "address"),
        ('<span class="bp-count">1</span>', "count below 3"),
        ("1 incident in the last 28 days", "count below 3"),
        ("Incidents: 2", "count below 3"),
        ("Sex offense: 12 incidents", "sensitive category"),
        ("<b>O'Fallon</b>", "unescaped"),
    ],
)
def test_audit_fails_each_kind_of_unsafe_payload(unsafe, problem):
    problems = public_audit.audit_public_payload(
        unsafe, [ADDRESS], 3, data_strings=["<b>O'Fallon</b>"]
    )
    assert any(problem in p for p in problems), problems
    with pytest.raises(public_audit.PublicSafetyError, match="payload is not public-safe"):
        public_audit.assert_public_safe(
            unsafe, [ADDRESS], 3, data_strings=["<b>O'Fallon</b>"]
        )


def test_address_inside_a_longer_word_is_not_a_false_alarm():
    assert (
        public_audit.audit_public_payload("X4000 N NEWSTEAD AVENUE", [ADDRESS], 3) == []
    )


def test_markdown_context_only_requires_angle_brackets_escaped():
    assert (
        public_audit.audit_public_payload(
            "O'Fallon & Co", [], 3, context="markdown", data_strings=["O'Fallon & Co"]
        )
        == []
    )
    assert public_audit.audit_public_payload(
        "<i>x</i>", [], 3, context="markdown", data_strings=["<i>x</i>"]
    )


def test_audit_frame_flags_small_integer_cells():
    assert public_audit.audit_frame(pd.DataFrame({"Area": ["a"], "Incidents": [2]}), 3)
    assert (
        public_audit.audit_frame(
            pd.DataFrame({"Area": ["a"], "Shown": ["fewer than 3"]}), 3
        )
        == []
    )
