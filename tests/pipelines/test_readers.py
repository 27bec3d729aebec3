"""The two CSV paths of ``pipelines/ingest/normalize/readers.py`` give the same frame.

Plain files (every record one well-formed line of the header's width) are read
by Arrow; anything else by Python's csv module. These tests pin both paths to
hand-checked frames and to each other, and check the Arrow path declines every
file it could read differently.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.ingest.readers import (
    LINE_COLUMN,
    PROBLEM_COLUMN,
    _parse_any_csv,
    _parse_csv,
    _parse_plain_csv,
    _to_frame,
    read_export,
)

PATH = Path("x.csv")


def via_csv_module(text: str) -> pd.DataFrame:
    return _to_frame(_parse_any_csv(text, PATH), PATH)


def via_arrow(text: str) -> pd.DataFrame:
    parsed = _parse_plain_csv(text)
    assert parsed is not None, "expected the Arrow path to take this file"
    return _to_frame(parsed, PATH)


def cells(frame: pd.DataFrame) -> dict[str, list]:
    """Column values, missing ones as None."""
    return {
        c: [None if pd.isna(v) else v for v in frame[c].tolist()] for c in frame.columns
    }


# Blank lines (counted, not records), CRLF, a quoted comma, doubled quotes, an
# empty quoted field, a non-ASCII cell, and cells that only look like nulls.
PLAIN = (
    "id , name,note\r\n"
    "\r\n"
    '1,"Smith, J","said ""hi"""\r\n'
    "2,Müller,NA\r\n"
    "\r\n"
    '3,"",NULL\r\n'
    "4, padded ,\r\n"
)
PLAIN_EXPECTED = {
    "id": ["1", "2", "3", "4"],
    "name": ["Smith, J", "Müller", "", " padded "],
    "note": ['said "hi"', "NA", "NULL", ""],
    LINE_COLUMN: [3, 4, 6, 7],
    PROBLEM_COLUMN: [None, None, None, None],
}


def test_plain_file_reads_the_same_by_both_paths():
    assert cells(via_arrow(PLAIN)) == PLAIN_EXPECTED
    assert cells(via_csv_module(PLAIN)) == PLAIN_EXPECTED
    pd.testing.assert_frame_equal(via_arrow(PLAIN), via_csv_module(PLAIN))


def test_plain_file_without_final_line_break_or_with_lf_only():
    text = PLAIN.replace("\r\n", "\n").rstrip("\n")
    assert cells(via_arrow(text)) == PLAIN_EXPECTED
    pd.testing.assert_frame_equal(via_arrow(text), via_csv_module(text))


# A quoted line break (record on lines 3-4), a ragged row, a trailing comma and
# a blank line: the csv-module path, with the lines each record starts on.
AWKWARD = "".join(
    [
        "id,name,note\n",
        "\n",
        '1,"two\nlines",x\n',
        "2,short\n",
        "3,trailing,comma,\n",
        "\n",
        "4,last,row\n",
    ]
)


def test_awkward_file_takes_the_csv_module_path_with_true_line_numbers(tmp_path):
    assert _parse_plain_csv(AWKWARD) is None
    path = tmp_path / "awkward.csv"
    path.write_text(AWKWARD, encoding="utf-8", newline="")
    frame = read_export(path).rows
    assert cells(frame) == {
        "id": ["1", "2", "3", "4"],
        "name": ["two\nlines", "short", "trailing", "last"],
        "note": ["x", "", "comma", "row"],
        LINE_COLUMN: [3, 5, 6, 8],
        PROBLEM_COLUMN: [None, "2 fields where the header has 3", None, None],
    }
    pd.testing.assert_frame_equal(frame, via_csv_module(AWKWARD))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('a,b\n1,"x\ny"\n', id="quoted line break"),
        pytest.param("a,b\n1,2,3\n", id="ragged row"),
        pytest.param("a,b\n1,2,\n", id="trailing comma"),
        pytest.param('a,b\n"1,2"\n', id="whole row quoted"),
        pytest.param('a,b\n1,x"y\n', id="quote inside an unquoted field"),
        pytest.param('a,b\n1,"x"y\n', id="text after a closing quote"),
        pytest.param('a,b\n1, "x,y"\n', id="space before a quote"),
        pytest.param('a,b\n""\n1,2\n', id="a lone empty quoted field"),
        pytest.param("a,b\r1,2\r", id="lone CR line breaks"),
        pytest.param("a,b\n1,2\x00\n", id="NUL character"),
        pytest.param("a\n1\n\n2\n", id="one column"),
        pytest.param("\na,b\n1,2\n", id="blank first line"),
        pytest.param("a,b\n1," + "x" * 2**20 + "\n", id="huge field"),
    ],
)
def test_arrow_path_declines_files_it_could_read_differently(text):
    assert _parse_plain_csv(text) is None
    pd.testing.assert_frame_equal(_parse_csv(text, PATH), via_csv_module(text))


FIELDS = st.sampled_from(
    ["", "a", "b c", " ", "NA", "Ä", '"q"', '"x,y"', '"say ""hi"""', '"two\nlines"']
    + ['x"y', '"ab"c', "1,2", '""', "\t"]
)


@st.composite
def csv_texts(draw) -> str:
    width = draw(st.integers(2, 4))
    lines = [",".join(f"h{i}" for i in range(width))]
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.booleans()) and draw(st.booleans()):
            lines.append("")
            continue
        count = width if draw(st.integers(0, 4)) else draw(st.integers(1, width + 2))
        lines.append(",".join(draw(FIELDS) for _ in range(count)))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    return end.join(lines) + draw(st.sampled_from(["", end]))


@settings(max_examples=300, deadline=None)
@given(csv_texts())
def test_either_path_gives_what_the_csv_module_gives(text):
    pd.testing.assert_frame_equal(_parse_csv(text, PATH), via_csv_module(text))
