"""Normalised category rules, the department's own category as a second signal,
the `other` CHECK, sensitive-by-caution flags, and the public refusal of rows
the profile never classified. Hand-made Denver-style offense slugs."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines import store
from pipelines.community import public
from pipelines.ingest.categories import classify_offenses
from pipelines.ingest.category_check import (
    adopt_department_categories,
    category_checks,
    department_categories,
    detect_department_category,
)
from pipelines.ingest.category_rules import (
    DEFAULT_RULES,
    OffenseProposal,
    propose_category,
)
from pipelines.ingest.sensitive import render_sensitive_lines, sensitive_reason
from pipelines.ingest.source_profile import load_source_profile
from pipelines.ingest.text_normal import normalize_offense_text


@pytest.mark.parametrize(
    ("slug", "normal", "category"),
    [
        ("theft-of-motor-vehicle", "motor vehicle theft", "motor vehicle theft"),
        (
            "agg-aslt-police-weapon",
            "aggravated assault police weapon",
            "aggravated assault",
        ),
        ("menacing-felony-w-weap", "menacing felony with weapon", "aggravated assault"),
        ("theft-items-from-vehicle", "theft items from vehicle", "theft from vehicle"),
        ("burglary-residence-by-force", "burglary residence by force", "burglary"),
        ("THEFT_STLN_VEH_PARTS", "theft stolen vehicle parts", "theft from vehicle"),
        ("burg-mv", "burglary motor vehicle", "burglary"),
    ],
)
def test_denver_slugs_normalise_and_get_the_right_category(slug, normal, category):
    assert normalize_offense_text(slug) == normal
    assert propose_category(slug) == category


def test_abbreviations_expand_only_as_whole_words():
    assert normalize_offense_text("ADVANCE FEE") == "advance fee"  # not "dv"
    assert normalize_offense_text("assault-dv") == "assault domestic violence"


def profile_with(tmp_path: Path, extra: str = "") -> object:
    rules = "\n".join(
        f"[[categories.keyword]]\npattern = '{r.pattern}'\ncategory = \"{r.category}\"\n"
        for r in DEFAULT_RULES
    )
    text = (
        '[source]\nname = "d"\n[columns]\nincident_id = "id"\noccurred_at = "d"\n'
        f'[categories]\ndefault = "other"\nsensitive_patterns = ["DOMESTIC"]\n{extra}\n'
        + rules
    )
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    return load_source_profile(path)


def test_ingest_rules_match_normalised_text_and_record_classified(tmp_path):
    profile = profile_with(tmp_path)
    descs = pd.Series(
        ["theft-of-motor-vehicle", "agg-aslt-police-weapon", "xyzzy", "assault-dv"]
    )
    category, sensitive, classified = classify_offenses(
        pd.Series(["", "", "", ""]), descs, profile
    )
    assert category.tolist() == [
        "motor vehicle theft",
        "aggravated assault",
        "other",
        "domestic",
    ]
    assert classified.tolist() == [True, True, False, True]  # xyzzy: only `default`
    assert sensitive.tolist() == [False, False, False, True]


def denver_frame() -> pd.DataFrame:
    data = [
        ("theft-of-motor-vehicle", "auto-theft", 60),
        ("agg-aslt-police-weapon", "aggravated-assault", 10),
        ("weapon-fire-into-occ-veh", "aggravated-assault", 7),  # rules: weapons
        ("police-interference", "all-other-crimes", 6),  # other, 6 of 1,000 rows
        ("odd-thing", "all-other-crimes", 5),  # other, 0.5%: not over
        ("strange-goings-on", "larceny", 12),  # no rule: takes theft from the dept
        ("traffic-accident", "traffic-accident", 900),
    ]
    rows = [(t, c) for t, c, n in data for _ in range(n)]
    return pd.DataFrame(
        rows, columns=["OFFENSE_TYPE_ID", "OFFENSE_CATEGORY_ID"]
    ).assign(INCIDENT_ID=lambda f: f.index.astype(str))


def test_department_category_column_is_detected_and_code_columns_are_not():
    frame = denver_frame()
    assert (
        detect_department_category(frame, {"OFFENSE_TYPE_ID"}) == "OFFENSE_CATEGORY_ID"
    )
    assert detect_department_category(frame, {"OFFENSE_CATEGORY_ID"}) is None
    no_signal = pd.DataFrame({"Crime Against Category": ["PERSON", "PROPERTY"] * 5})
    assert detect_department_category(no_signal, set()) is None  # maps to nothing


def offenses_of(frame: pd.DataFrame) -> list[OffenseProposal]:
    counts = frame["OFFENSE_TYPE_ID"].value_counts()
    return [
        OffenseProposal("", t, int(n), propose_category(t)) for t, n in counts.items()
    ]


def test_disagreement_with_the_department_and_large_other_get_checks_with_row_counts():
    frame = denver_frame()
    dept = department_categories(
        frame, "OFFENSE_CATEGORY_ID", None, frame["OFFENSE_TYPE_ID"]
    )
    offenses, adopted = adopt_department_categories(offenses_of(frame), dept)
    checks = category_checks(offenses, len(frame), dept)
    assert checks["weapon-fire-into-occ-veh"] == [
        "CHECK: the rules say 'weapons' but the department's OFFENSE_CATEGORY_ID is "
        "'aggravated-assault' (aggravated assault) (7 rows)"
    ]
    assert checks["police-interference"] == [
        "CHECK: falls to 'other' with 6 rows (0.6% of rows, over 0.5%)"
    ]
    assert "odd-thing" not in checks  # 5 of 1,000 rows is not over 0.5%
    for agreed in (
        "theft-of-motor-vehicle",
        "agg-aslt-police-weapon",
        "traffic-accident",
    ):
        assert agreed not in checks
    taken = {o.description: o.category for o in offenses}
    assert taken["strange-goings-on"] == "theft"
    assert adopted["strange-goings-on"] == [
        "CHECK: no rule matched; 'theft' from the department's OFFENSE_CATEGORY_ID "
        "'larceny' (12 rows)"
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("assault-dv", "DOMESTIC"),
        ("agg-aslt-dv", "DOMESTIC"),
        ("family-abuse", "FAMILY"),
        ("violation-of-restraining-order", "RESTRAINING"),
        ("VIOL PROTECTIVE ORDER", "PROTECTION ORDER"),
        ("child-abuse", "CHILD"),
        ("chld-neglect", "CHILD"),
        ("sex-aslt-rape", "SEX"),
        ("sexual-assault", "SEX"),
        ("ipv-threats", "INTIMATE PARTNER"),
        ("juv-victim-assault", "JUVENILE"),
        ("theft-bicycle", None),
        ("ADVANCE FEE FRAUD", None),
    ],
)
def test_sensitive_by_caution_patterns(text, reason):
    assert sensitive_reason("", text) == reason
    assert sensitive_reason(text, "") == reason  # codes written in words, too


def test_draft_lists_every_sensitive_flag_with_a_check_mark():
    offenses = [
        OffenseProposal("", "assault-dv", 6, "domestic"),
        OffenseProposal("", "theft-bicycle", 9, "theft"),
        OffenseProposal("", "family-abuse", 2, "domestic"),
    ]
    lines = render_sensitive_lines(offenses)
    assert "#   CHECK sensitive: assault-dv (DOMESTIC; 6 rows)" in lines
    assert "#   CHECK sensitive: family-abuse (FAMILY; 2 rows)" in lines
    assert not any("theft-bicycle" in line for line in lines)
    assert lines[1].startswith("# CHECK: 2 offenses are flagged sensitive")


def test_public_clause_refuses_rows_the_profile_never_classified():
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE incidents AS SELECT * FROM (VALUES "
        "('report', false, 'theft', true), ('report', false, 'other', false), "
        "('report', false, 'burglary', NULL), ('report', false, 'other', true)) "
        "t(kind, sensitive, category, classified)"
    )
    store.create_crimes_view(con)
    kept = con.execute(
        f"SELECT category FROM crimes WHERE {public.public_incident_clause()}"
    ).fetchall()
    assert sorted(r[0] for r in kept) == ["other", "theft"]
    assert "not classified" in public.withheld_note(3)
