"""Placeholder rows become unlocated before assignment, and are counted per rule."""

import numpy as np
import pandas as pd

from pipelines import schema as s
from pipelines.ingest.placeholders import (
    PLACEHOLDER,
    mark_placeholders,
    no_location_messages,
    placeholder_counts,
    placeholder_table,
)

BOX = (0.0, 0.0, 10_000.0, 10_000.0)


def _rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            s.STAGED_ROW: [1, 2, 3, 4],
            s.SOURCE: ["denver", "denver", "denver", "other"],
            s.LON: [0.0, -104.9, -110.0, -96.5],
            s.LAT: [0.0, 39.7, 39.7, 35.8],
            s.X: [9e6, 5_000.0, 70_000.0, 3e6],
            s.Y: [9e6, 5_000.0, 5_000.0, 3e6],
            s.LOCATED: [True, True, True, True],
        }
    )


def test_placeholders_lose_their_coordinates_and_name_the_rule():
    marked = mark_placeholders(_rows(), BOX, {"other": (-96.5, 35.8)})
    assert [None if pd.isna(r) else r for r in marked[PLACEHOLDER]] == [
        "null_island",
        None,
        "far_outside",
        "zero_xy",
    ]
    assert list(marked[s.LOCATED]) == [False, True, False, False]
    assert marked[s.X].isna().tolist() == [True, False, True, True]
    # lon/lat stay for the quarantine table and the counts
    assert marked[s.LON].tolist() == [0.0, -104.9, -110.0, -96.5]


def test_message_says_which_rule_fired():
    messages = no_location_messages(pd.Series([None, "null_island"]))
    assert messages[0] == "no usable coordinates and no area label"
    assert "null_island: longitude/latitude 0, 0 (null island)" in messages[1]
    assert "treated as unlocated" in messages[1]


def test_table_counts_rows_kept_by_label_and_quarantined_per_rule():
    marked = mark_placeholders(_rows(), BOX, {"other": (-96.5, 35.8)})
    table = placeholder_table(marked, kept_rows=np.array([1, 2]))
    assert table[["rule", "rows", "kept_by_label", "quarantined"]].values.tolist() == [
        ["zero_xy", 1, 0, 1],
        ["null_island", 1, 1, 0],
        ["far_outside", 1, 0, 1],
    ]
    assert placeholder_counts(table) == {
        "zero_xy": 1,
        "null_island": 1,
        "far_outside": 1,
    }


def test_no_placeholder_gives_an_empty_table():
    rows = _rows().iloc[[1]]
    table = placeholder_table(mark_placeholders(rows, BOX, {}), np.array([2]))
    assert table.empty and placeholder_counts(table) == {}
