"""Appending frames to store tables (``pipelines.store.append_rows``)."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest

from pipelines import store


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t (name VARCHAR, note VARCHAR, n INTEGER, x DOUBLE, "
        "seen TIMESTAMP, flag BOOLEAN)"
    )
    yield con
    con.close()


def test_rows_go_in_by_column_name_with_missing_values_as_null(con):
    frame = pd.DataFrame(
        {
            "flag": [True, False],
            "x": [1.5, np.nan],
            "name": pd.Series(["a", np.nan], dtype="str"),
            "note": pd.Series(["b", None], dtype=object),
            "n": pd.array([1, None], dtype="Int64"),
            "seen": pd.Series([pd.Timestamp("2019-06-15 14:30"), pd.NaT]),
        }
    )
    store.append_rows(con, "t", frame)
    assert con.execute("SELECT * FROM t").fetchall() == [
        ("a", "b", 1, 1.5, dt.datetime(2019, 6, 15, 14, 30), True),
        (None, None, None, None, None, False),
    ]


def test_a_column_of_none_takes_the_tables_type(con):
    frame = pd.DataFrame(
        {"name": ["a", "b"], "note": [None, None], "seen": [None, None]}
    )
    store.append_rows(con, "t", frame)
    assert con.execute("SELECT name, note, seen FROM t ORDER BY name").fetchall() == [
        ("a", None, None),
        ("b", None, None),
    ]


def test_a_column_mixing_types_still_goes_in(con):
    frame = pd.DataFrame({"note": pd.Series(["a", 1], dtype=object)})
    store.append_rows(con, "t", frame)
    assert con.execute("SELECT note FROM t").fetchall() == [("a",), ("1",)]


def test_a_missing_table_is_created_from_the_frame(con):
    store.append_rows(con, "new", pd.DataFrame({"k": ["x"], "v": [2]}))
    store.append_rows(con, "new", pd.DataFrame({"v": [3], "k": ["y"]}))
    assert con.execute("SELECT k, v FROM new ORDER BY v").fetchall() == [
        ("x", 2),
        ("y", 3),
    ]
