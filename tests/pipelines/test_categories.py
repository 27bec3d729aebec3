"""Offense code -> category and sensitive flag (pipelines/ingest/normalize/categories.py).

Expected categories below were worked out by hand from
``profiles/stlouis_slmpd.toml``: codes are zero-padded to 6 digits, exact codes
win over ranges, and descriptions are the department's own text for the code.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipelines.errors import ConfigError
from pipelines.ingest.categories import (
    OffenseMemo,
    categorize_offenses,
    classify_offenses,
    pad_code,
)
from pipelines.ingest.source_profile import load_source_profile

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def slmpd():
    return load_source_profile(REPO / "profiles" / "stlouis_slmpd.toml")


# (code as exported, description as exported, category, sensitive)
SLMPD_CODES = [
    ("31111", "ROBBERY-HIGHWAY  /FIREARM USED/SUCCESSFUL", "robbery", False),
    ("64701", "LARCENY-FROM MTR VEH UNDER $500", "theft from vehicle", False),
    # exact code 091114 (the 090000-099999 range would say simple assault)
    ("91114", "ASSAULT, ADULT, AGE 17 AND UP-DOMESTIC", "domestic", True),
    ("91124", "ASSAULT, CHILD, AGE 16 AND UNDR-DOMESTIC", "domestic", True),
    # sensitive by the CHILD pattern, not by category
    (
        "41021",
        "AGG.ASSAULT-FIREARM/CITIZEN CHILD 1ST DEGREE",
        "aggravated assault",
        True,
    ),
    ("10000", "HOMICIDE", "homicide", False),
    # exact code 265321 (the 260000-265999 range would say other)
    ("265321", "LEAVING SCENE OF ACCIDENT", "traffic", False),
    ("142320", "DESTRUCTION OF PROPERTY-MALICIOUS/PRIV PROP", "vandalism", False),
    ("999999", "NO SUCH CODE", None, False),
    ("261100", "POSSESSION OF BURGLAR TOOLS", "burglary", False),
    ("265100", "SAFETY-FIREWORKS VIOLATION", "disorder", False),
    ("21000", "RAPE -- FORCIBLE", "sex offense", True),  # sensitive category
    ("179210", "SEX OFFNS-CHILD MOLESTATION-FIRST DEGREE", "sex offense", True),
    ("71013", "AUTO THEFT-PERM RETNT/UNRECOV OVER 48HR", "motor vehicle theft", False),
    ("66701", "LARCENY-BICYCLES UNDER $500", "theft", False),
    ("204100", "FAMILY & CHILD CRIME-ENDANGR WELF CHILD", "domestic", True),
    ("266510", "PUBLIC ORDER-TRESPASSING", "disorder", False),
    ("211000", "DUI-DRVING WHILE INTOXICATED", "traffic", False),
    ("182400", "DRUGS-POSSESSION/MARIJUANA", "drugs", False),
    ("151110", "WEAPONS-STATE VIOL/UNLWFL USE/POSSESSION", "weapons", False),
    ("115400", "STLG BY DECEIT/IDENTITY THEFT REPORT", "fraud", False),
    ("130000", "STOLEN PROPERTY-BUYING,RECEIVING,POSSESSING,ET", "other", False),
    ("81000", "ARSON-1ST DEGREE/SUCCESS", "arson", False),
    ("51221", "BURGLARY-RESIDENCE/NIT/UNLAW ENT/OCCUPIED", "burglary", False),
]


@pytest.mark.parametrize(("code", "description", "category", "sensitive"), SLMPD_CODES)
def test_slmpd_code_maps_to_hand_checked_category(
    slmpd, code, description, category, sensitive
):
    cats, flags = categorize_offenses(
        pd.Series([code]), pd.Series([description]), slmpd
    )
    assert cats.tolist() == [category]
    assert flags.tolist() == [sensitive]


def test_whole_column_at_once_keeps_row_order(slmpd):
    codes = pd.Series([c for c, *_ in SLMPD_CODES])
    descriptions = pd.Series([d for _, d, *_ in SLMPD_CODES])
    cats, flags = categorize_offenses(codes, descriptions, slmpd)
    assert cats.tolist() == [c for *_, c, _ in SLMPD_CODES]
    assert flags.tolist() == [f for *_, f in SLMPD_CODES]
    assert flags.dtype == bool


def test_repeated_pairs_get_the_same_answer_as_each_row_alone(slmpd):
    # Rules are worked out once per distinct (code, description): the rows,
    # their order and their index must come out as if each were done alone.
    rows = [SLMPD_CODES[i % 4][:2] for i in (0, 1, 2, 0, 3, 1, 0)]
    rows += [("91000", "ASSAULT"), ("91000", "assault of a minor"), (None, None)]
    index = pd.Index([10 * i + 3 for i in range(len(rows))])
    codes = pd.Series([c for c, _ in rows], index=index, dtype=object)
    descriptions = pd.Series([d for _, d in rows], index=index, dtype=object)
    cats, flags = categorize_offenses(codes, descriptions, slmpd)
    alone = [
        categorize_offenses(pd.Series([c], dtype=object), pd.Series([d]), slmpd)
        for c, d in rows
    ]
    assert cats.index.equals(index) and flags.index.equals(index)
    assert cats.tolist() == [c.iloc[0] for c, _ in alone]
    assert flags.tolist() == [f.iloc[0] for _, f in alone]
    assert cats.tolist()[-3:] == ["simple assault", "simple assault", None]
    assert flags.tolist()[-3:] == [False, True, False]


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("63999", "theft"),  # last of 060000-063999
        ("64000", "theft from vehicle"),  # first of 064000-065999
        ("65999", "theft from vehicle"),
        ("66000", "theft"),
        ("99999", "simple assault"),
        ("100000", "fraud"),
        ("265999", "other"),
        ("266000", "disorder"),
        ("269999", "other"),
        ("270000", None),
        ("9999", None),  # 009999: below the first range
    ],
)
def test_range_boundaries_are_inclusive(slmpd, code, category):
    cats, _ = categorize_offenses(pd.Series([code]), pd.Series([""]), slmpd)
    assert cats.tolist() == [category]


def test_exported_codes_with_spaces_are_stripped(slmpd):
    # SLMPD's Crime column has a leading space (" 51322").
    cats, _ = categorize_offenses(
        pd.Series([" 31111", "64701 "]), pd.Series(["", ""]), slmpd
    )
    assert cats.tolist() == ["robbery", "theft from vehicle"]


def test_missing_or_blank_codes_are_unmapped(slmpd):
    cats, flags = categorize_offenses(
        pd.Series([None, "", "ABC"], dtype=object), pd.Series([None, "", "x"]), slmpd
    )
    assert cats.tolist() == [None, None, None]
    assert flags.tolist() == [False, False, False]


def test_sensitive_patterns_match_case_insensitively(slmpd):
    cats, flags = categorize_offenses(
        pd.Series(["91000", "91000", "91000"]),
        pd.Series(["assault of a minor", "Elder Abuse", "ASSAULT"]),
        slmpd,
    )
    assert cats.tolist() == ["simple assault"] * 3
    assert flags.tolist() == [True, True, False]


def test_pad_code():
    assert pad_code(" 31111 ", 6) == "031111"
    assert pad_code("265321", 6) == "265321"
    assert pad_code("1234567", 6) == "1234567"
    assert pad_code("31111", 0) == "31111"
    assert pad_code("ab1", 6) == "AB1"


def write_profile(tmp_path: Path, categories: str) -> Path:
    path = tmp_path / "p.toml"
    path.write_text(
        '[source]\nname = "t"\n[columns]\nincident_id = "Id"\noccurred_at = "When"\n'
        + categories,
        encoding="utf-8",
    )
    return path


def test_exact_code_beats_range_in_a_custom_profile(tmp_path):
    profile = load_source_profile(
        write_profile(
            tmp_path,
            """
[categories]
code_width = 3
[categories.codes]
"105" = "arson"
[[categories.range]]
from = "100"
to = "199"
category = "theft"
""",
        )
    )
    cats, _ = categorize_offenses(
        pd.Series(["104", "105", "106", "99"]), pd.Series([""] * 4), profile
    )
    assert cats.tolist() == ["theft", "arson", "theft", None]


def test_range_bounds_shorter_than_code_width_are_padded_or_rejected(tmp_path):
    path = write_profile(
        tmp_path,
        """
[categories]
code_width = 6
[[categories.range]]
from = "30000"
to = "39999"
category = "robbery"
""",
    )
    try:
        profile = load_source_profile(path)
    except ConfigError as exc:  # rejecting the range at load time is also fine
        assert "#1" in str(exc)
        return
    cats, _ = categorize_offenses(pd.Series(["31111"]), pd.Series([""]), profile)
    assert cats.tolist() == ["robbery"]


def test_exact_codes_shorter_than_code_width_are_padded_or_rejected(tmp_path):
    path = write_profile(
        tmp_path,
        """
[categories]
code_width = 6
[categories.codes]
"91114" = "domestic"
""",
    )
    try:
        profile = load_source_profile(path)
    except ConfigError as exc:
        assert "91114" in str(exc)
        return
    cats, _ = categorize_offenses(pd.Series(["91114"]), pd.Series([""]), profile)
    assert cats.tolist() == ["domestic"]


def test_offense_memo_gives_the_same_answers_as_a_fresh_classification(slmpd):
    """A memo carried across files answers exactly as classifying each file afresh."""
    first = (pd.Series(["31111", "91114", None]), pd.Series(["ROBBERY", "", None]))
    second = (pd.Series(["91114", "9999"]), pd.Series(["", "DOMESTIC ASSAULT"]))
    memo = OffenseMemo(slmpd)
    for codes, descriptions in (first, second):
        remembered = classify_offenses(codes, descriptions, slmpd, memo)
        fresh = classify_offenses(codes, descriptions, slmpd)
        for got, want in zip(remembered, fresh, strict=True):
            assert got.tolist() == want.tolist()
    assert len(memo.answers) == 4  # (91114, "") answered once for both files
    with pytest.raises(ValueError, match="one profile only"):
        classify_offenses(*first, load_source_profile(slmpd.path), memo)
