"""Residents' priorities: validation, CSV import, the write path and the decay."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from pipelines.analysis.rankings import rank_problems
from pipelines.community import priorities as pr
from pipelines.community.user_tables import carry_over
from pipelines.errors import InputFileError, StoreError

KNOWN = {"neighborhood": ["1", "2"], "district": ["9"]}


@pytest.fixture
def store(tmp_path) -> Path:
    """A minimal store file: an areas table and an empty community_priorities."""
    path = tmp_path / "store.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(
            "CREATE TABLE areas AS SELECT * FROM (VALUES ('neighborhood', '1'), "
            "('neighborhood', '2'), ('district', '9')) t(level, area_id)"
        )
        con.execute(
            "CREATE TABLE community_priorities (level VARCHAR, area_id VARCHAR, "
            "category VARCHAR, priority DOUBLE)"
        )
    return path


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "concerns.csv"
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def test_csv_import_validates_inserts_and_is_idempotent(store, tmp_path):
    csv = _csv(
        tmp_path,
        """
        meeting_date,level,area_id,category,note,status
        2019-11-12,neighborhood,1,burglary,"Back doors, Elm St",open
        2019-11-12,neighborhood,1,Theft from vehicle,,in progress
        2019-08-13,neighborhood,2,vandalism,,resolved
        """,
    )
    assert pr.import_concerns_csv(store, csv, KNOWN) == 3
    assert pr.import_concerns_csv(store, csv, KNOWN) == 0  # same rows, same ids
    with duckdb.connect(str(store), read_only=True) as con:
        rows = pr.read_concerns(con, "neighborhood", "1")
        table = con.execute("SELECT * FROM community_priorities ORDER BY category").df()
    assert sorted(rows["category"]) == ["burglary", "theft from vehicle"]
    assert rows["note"].tolist()[0] in ("Back doors, Elm St", "")
    # Both open concerns are from the latest meeting: priority 1; resolved ones none.
    assert table[["area_id", "category", "priority"]].values.tolist() == [
        ["1", "burglary", 1.0],
        ["1", "theft from vehicle", 1.0],
    ]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "2019-13-45,neighborhood,1,burglary",
            r"concerns.csv: row 1: meeting_date '2019-13-45'",
        ),
        (
            "2019-11-12,beat,1,burglary",
            r"row 1: level 'beat' is not one of \['neighborhood'",
        ),
        (
            "2019-11-12,neighborhood,77,burglary",
            r"row 1: area_id '77' is not a neighborhood",
        ),
        (
            "2019-11-12,neighborhood,1,burglery",
            r"row 1: category 'burglery' is not one of",
        ),
    ],
)
def test_bad_rows_are_named_with_the_value_found(store, tmp_path, row, message):
    csv = _csv(tmp_path, f"meeting_date,level,area_id,category\n{row}\n")
    with pytest.raises(pr.ConcernError, match=message):
        pr.import_concerns_csv(store, csv, KNOWN)


def test_missing_columns_and_files_are_named(store, tmp_path):
    csv = _csv(tmp_path, "date,area\n2019-11-12,1\n")
    with pytest.raises(
        pr.ConcernError,
        match=r"missing column\(s\) \['meeting_date', "
        r"'level', 'area_id', 'category'\]",
    ):
        pr.import_concerns_csv(store, csv, KNOWN)
    with pytest.raises(InputFileError, match=r"nope.csv does not exist; pass a CSV"):
        pr.import_concerns_csv(store, tmp_path / "nope.csv", KNOWN)


def test_bad_status_and_long_note_are_refused():
    base = {
        "meeting_date": "2019-11-12",
        "level": "neighborhood",
        "area_id": "1",
        "category": "theft",
    }
    with pytest.raises(
        pr.ConcernError, match=r"form: row 1: status 'done' is not one of"
    ):
        pr.validate_concerns(pd.DataFrame([{**base, "status": "done"}]), KNOWN)
    with pytest.raises(
        pr.ConcernError, match=r"note has 2001 characters; at most 2000"
    ):
        pr.validate_concerns(pd.DataFrame([{**base, "note": "x" * 2001}]), KNOWN)


def test_priority_is_1_at_the_latest_meeting_and_halves_every_91_days():
    concerns = pd.DataFrame(
        {
            "meeting_date": pd.to_datetime(
                ["2019-12-01", "2019-09-01", "2019-06-02", "2019-12-01", "2019-10-01"]
            ),
            "level": "neighborhood",
            "area_id": ["1", "1", "1", "1", "2"],
            "category": ["theft", "arson", "fraud", "drugs", "theft"],
            "status": ["open", "in progress", "open", "resolved", "open"],
        }
    )
    out = pr.community_priorities_from_concerns(concerns).set_index(
        ["area_id", "category"]
    )["priority"]
    # Ages from area 1's latest meeting (1 Dec): 0, 91 and 182 days -> 1, 0.5, 0.25.
    assert_allclose(out.loc[("1", "theft")], 1.0)
    assert_allclose(out.loc[("1", "arson")], 0.5)
    assert_allclose(out.loc[("1", "fraud")], 0.25)
    assert ("1", "drugs") not in out.index  # resolved: no priority
    assert_allclose(out.loc[("2", "theft")], 1.0)  # area 2's own latest meeting


def test_community_priorities_feed_the_ranking(store):
    with pr.open_store_for_write(store) as con:
        pr.append_concerns(
            con,
            pr.validate_concerns(
                pd.DataFrame(
                    [
                        {
                            "meeting_date": "2019-11-12",
                            "level": "neighborhood",
                            "area_id": "1",
                            "category": "theft",
                        }
                    ]
                ),
                KNOWN,
            ),
        )
        community = con.execute("SELECT * FROM community_priorities").df()
    daily = pd.DataFrame(
        {
            "level": "neighborhood",
            "area_id": ["1", "2"],
            "category": "theft",
            "day": pd.Timestamp("2019-12-30"),
            "n": 4,
        }
    )
    areas = pd.DataFrame(
        {
            "level": "neighborhood",
            "area_id": ["1", "2"],
            "name": ["One", "Two"],
            "population": 1000.0,
            "area_km2": 1.0,
        }
    )
    ranked = rank_problems(
        daily, areas, "neighborhood", pd.Timestamp("2019-12-31"), community=community
    ).set_index("area_id")
    assert ranked.loc["1", "community"] == 1.0 and ranked.loc["2", "community"] == 0.0
    assert ranked.loc["1", "rank"] == 1
    assert "watch-meeting priority 1.0" in ranked.loc["1", "reason"]


def test_record_concern_waits_for_and_then_names_a_reader_in_another_process(store):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; "
            f"c = duckdb.connect({str(store)!r}, read_only=True); "
            "print('ready', flush=True); "
            "sys.stdin.readline()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(
            StoreError,
            match=r"cannot write to .*store.duckdb: it is open "
            r"in another program .*Close the dashboard",
        ):
            with pr.open_store_for_write(store, timeout=0.5):
                pass
    finally:
        holder.communicate("\n", timeout=10)
    concern = pr.Concern(date(2019, 11, 12), "neighborhood", "2", "robbery", "note")
    concern_id = pr.record_concern(store, concern)  # areas read from the store
    with duckdb.connect(str(store), read_only=True) as con:
        assert con.execute(
            "SELECT category FROM watch_concerns WHERE concern_id = ?", [concern_id]
        ).fetchone() == ("robbery",)


def test_a_read_only_connection_in_this_process_must_be_closed_before_writing(store):
    reader = duckdb.connect(str(store), read_only=True)
    with pytest.raises(StoreError, match="cannot write to"):
        with pr.open_store_for_write(store, timeout=0.3):
            pass
    reader.close()  # what the dashboard's release_store does
    with pr.open_store_for_write(store, timeout=0.3) as con:
        assert con.execute("SELECT count(*) FROM areas").fetchone()[0] == 3


def test_status_change_drops_the_priority(store):
    frame = pr.validate_concerns(
        pd.DataFrame(
            [
                {
                    "meeting_date": "2019-11-12",
                    "level": "neighborhood",
                    "area_id": "1",
                    "category": "theft",
                }
            ]
        ),
        KNOWN,
    )
    with pr.open_store_for_write(store) as con:
        pr.append_concerns(con, frame)
        pr.set_concern_status(con, frame["concern_id"].iloc[0], "resolved")
        assert (
            con.execute("SELECT count(*) FROM community_priorities").fetchone()[0] == 0
        )
        with pytest.raises(pr.ConcernError, match="no concern with id 'nope'"):
            pr.set_concern_status(con, "nope", "open")


def test_a_rebuild_keeps_the_user_tables(store, tmp_path):
    pr.record_concern(
        store, pr.Concern(date(2019, 11, 12), "neighborhood", "1", "theft"), KNOWN
    )
    with duckdb.connect(str(tmp_path / "new.duckdb")) as fresh:
        assert carry_over(fresh, store) == ["watch_concerns"]
        rows = fresh.execute("SELECT count(*) FROM community_priorities").fetchone()
        assert rows == (1,)
        assert carry_over(fresh, tmp_path / "missing.duckdb") == []


def test_writing_to_a_missing_store_says_how_to_build_one(tmp_path):
    with pytest.raises(StoreError, match=r"no store at .*; build one with"):
        with pr.open_store_for_write(tmp_path / "none.duckdb"):
            pass


def test_a_rebuild_keeps_plans_with_their_column_types(store, tmp_path):
    from pipelines.community import beat_plans

    with pr.open_store_for_write(store) as con:
        plan = beat_plans.add_plan(con, "neighborhood", "1", "Plan", ["theft", "arson"])
        beat_plans.add_response(con, plan.plan_id, "Patrols", date(2019, 7, 1))
    reader = duckdb.connect(str(store), read_only=True)  # a dashboard still reading
    try:
        with duckdb.connect(str(tmp_path / "new.duckdb")) as fresh:
            assert carry_over(fresh, store) == ["beat_plans", "plan_responses"]
            copied = beat_plans.read_plans(fresh)
    finally:
        reader.close()
    assert copied[0].categories == ("theft", "arson")
    assert copied[0].responses[0].start_date == date(2019, 7, 1)
