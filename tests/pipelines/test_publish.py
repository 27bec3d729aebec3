"""``beatprofile publish`` on the sample: a public store that holds no incidents."""

from __future__ import annotations

import re
import shutil

import duckdb
import pandas as pd
import pytest

from pipelines import schema as s
from pipelines.community import public_audit
from pipelines.community.public_store import read_public_report
from pipelines.community.publish import (
    TABLES,
    build_public_tables,
    default_public_path,
    publish_public_store,
    write_public_store,
)
from pipelines.community.watch_report import build_watch_report
from pipelines.errors import PublicSafetyError, StoreError
from pipelines.render.watch_export import panels_html
from pipelines.store import connect_public_read_only
from tests.pipelines.watch_helpers import AREA, SECRET_NOTE, make_watch_store

K = 3
INCIDENT_COLUMN = re.compile(
    r"address|block|narrative|description|incident|note|offen[cs]e|occurred"
    r"|(?:^|_)(?:lon|lat|lng|longitude|latitude|x|y)(?:_|$)"
)
SENSITIVE = [*sorted(s.SENSITIVE_CATEGORIES), "sexual", "rape", "child"]


@pytest.fixture(scope="module")
def full_store(sample_store, tmp_path_factory):
    # The sample with watch concerns (one with an address in its note).
    return make_watch_store(sample_store, tmp_path_factory.mktemp("pub") / "s.duckdb")


@pytest.fixture(scope="module")
def published(full_store):
    report = publish_public_store(full_store, default_public_path(full_store))
    return report


@pytest.fixture(scope="module")
def con(published):
    with duckdb.connect(str(published.path), read_only=True) as c:
        yield c


def _columns(con) -> pd.DataFrame:
    return con.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "ORDER BY table_name, ordinal_position"
    ).df()


def test_publish_writes_the_public_tables_beside_the_store(published, full_store):
    assert published.path == full_store.with_name("s-public.duckdb")
    assert list(published.tables) == list(TABLES)
    assert published.tables["areas"] == 88 + 6  # neighborhoods + districts
    assert published.tables["monthly"] == 12 * published.tables["areas"]
    # St. Louis districts cut across neighborhoods: both levels are published.
    assert published.left_out == {}


def test_nested_levels_are_not_published_together(full_store):
    from pipelines.community.publish import separate_levels

    with duckdb.connect(str(full_store), read_only=True) as con:
        assert separate_levels(con, ["neighborhood", "district"]) == (
            ["neighborhood", "district"],
            {},
        )
        # A level is nested in itself: the second copy is left out, with why.
        kept, left = separate_levels(con, ["neighborhood", "neighborhood"])
    assert kept == ["neighborhood"]
    assert left["neighborhood"].startswith("every neighborhood lies in one")


def test_no_table_holds_incident_rows_or_incident_columns(con, full_store):
    columns = _columns(con)
    assert set(columns["table_name"]) == set(TABLES)
    named = columns[columns["column_name"].str.lower().str.contains(INCIDENT_COLUMN)]
    assert named.empty, named
    with duckdb.connect(str(full_store), read_only=True) as full:
        incidents = full.execute("SELECT count(*) FROM crimes").fetchone()[0]
    for table in TABLES:
        rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        assert rows < incidents / 5, table  # aggregates: far fewer rows than crimes
    # Every row of a count table is an aggregate keyed by area (and month, category).
    keys = {"area_totals": 2, "monthly": 3, "monthly_by_category": 4}
    for table, n_keys in keys.items():
        key = ", ".join(["level", "area_id", "month", "category"][:n_keys])
        dupes = con.execute(
            f"SELECT count(*) FROM (SELECT {key} FROM {table} GROUP BY ALL "
            "HAVING count(*) > 1)"
        ).fetchone()[0]
        assert dupes == 0, table


def test_no_sensitive_category_or_organiser_note_appears_anywhere(con):
    columns = _columns(con)
    text = columns[columns["data_type"] == "VARCHAR"]
    for table, column in text[["table_name", "column_name"]].itertuples(index=False):
        for word in SENSITIVE:
            hits = con.execute(
                f'SELECT count(*) FROM {table} WHERE lower("{column}") LIKE ?',
                [f"%{word}%"],
            ).fetchone()[0]
            assert hits == 0, (table, column, word)
        notes = con.execute(
            f'SELECT count(*) FROM {table} WHERE "{column}" LIKE ?',
            ["%NEWSTEAD%"],
        ).fetchone()[0]
        assert notes == 0 and SECRET_NOTE


def test_every_shown_count_is_at_least_k_or_flagged_withheld(con):
    columns = _columns(con)
    for table in columns.loc[columns["column_name"] == "n", "table_name"]:
        bad = con.execute(
            f"SELECT count(*) FROM {table} WHERE (n IS NOT NULL AND "
            "(n < ? OR withheld)) OR (n IS NULL AND NOT withheld)",
            [K],
        ).fetchone()[0]
        assert bad == 0, table
    withheld = con.execute("SELECT sum(cells) FROM withheld").fetchone()[0]
    assert withheld > 0


def test_no_total_minus_its_shown_parts_reveals_a_hidden_count(con):
    # Months against the 12-month total, categories against their month.
    for parts, whole, key in (
        ("monthly", "area_totals", "level, area_id"),
        ("monthly_by_category", "monthly", "level, area_id, month"),
    ):
        bad = con.execute(
            f"SELECT count(*) FROM (SELECT {key}, sum(coalesce(n, 0)) AS shown, "
            f"count(*) FILTER (WHERE withheld) AS hidden FROM {parts} GROUP BY ALL) p "
            f"JOIN {whole} w USING ({key}) "
            "WHERE w.n IS NOT NULL AND p.hidden > 0 AND w.n - p.shown < ?",
            [K],
        ).fetchone()[0]
        assert bad == 0, parts
    complementary = con.execute(
        "SELECT count(*) FROM monthly WHERE reason = 'complementary'"
    ).fetchone()[0]
    assert complementary > 0  # the rule had work to do on the sample


def test_public_report_is_the_full_report(con, full_store):
    with duckdb.connect(str(full_store), read_only=True) as full:
        expected = build_watch_report(full, "neighborhood", AREA)
    got = read_public_report(con, "neighborhood", AREA)
    assert panels_html(got) == panels_html(expected)
    assert got.raised and got.raised == expected.raised
    assert got.areas.drop(columns="geometry").equals(
        expected.areas.drop(columns="geometry")
    )


@pytest.fixture
def tables(full_store):
    with duckdb.connect(str(full_store), read_only=True) as full:
        return build_public_tables(full, K)


def _refused(tables, path, match):
    before = path.read_bytes()
    with pytest.raises(PublicSafetyError, match=match):
        write_public_store(tables, path, K)
    assert path.read_bytes() == before  # the previous public store stays


def test_publish_refuses_a_shown_small_count(tables, published, tmp_path):
    path = tmp_path / "p.duckdb"
    shutil.copyfile(published.path, path)
    monthly = tables["monthly"]
    row = monthly.index[monthly["reason"] == "fewer_than_k"][0]
    monthly.loc[row, ["n", "withheld", "reason"]] = [2, False, None]
    _refused(
        tables,
        path,
        r"public store not written, the privacy audit failed: table monthly, "
        r"column n: 1 shown count\(s\) below 3.*previous public store at .* unchanged",
    )


def test_publish_refuses_a_total_that_reveals_a_hidden_month(
    tables, published, tmp_path
):
    path = tmp_path / "p.duckdb"
    shutil.copyfile(published.path, path)
    monthly = tables["monthly"]
    # Undo complementary suppression: the withheld month shown again.
    row = monthly.index[monthly["reason"] == "complementary"][0]
    level, area = monthly.loc[row, ["level", "area_id"]]
    totals = tables["area_totals"].set_index(["level", "area_id"])["n"]
    mine = monthly[(monthly["level"] == level) & (monthly["area_id"] == area)]
    others = int(mine["n"].fillna(0).sum())
    monthly.loc[row, ["n", "withheld", "reason"]] = [
        int(totals[(level, area)]) - others - 1,
        False,
        None,
    ]
    _refused(tables, path, r"table monthly, column n: .* leaves 1 for 1 hidden cell")


def test_publish_refuses_incident_columns_and_sensitive_categories(
    tables, published, tmp_path
):
    path = tmp_path / "p.duckdb"
    shutil.copyfile(published.path, path)
    tables["areas"]["block_address"] = "4000 N NEWSTEAD AVE"
    _refused(tables, path, r"table areas, column block_address: named like an incident")
    del tables["areas"]["block_address"]
    tables["top_problems"].loc[0, "category"] = "domestic"
    _refused(tables, path, r"table top_problems, column category: sensitive")


def test_a_full_store_is_not_a_public_store(full_store):
    with pytest.raises(StoreError, match=r"is not a public store \(meta.kind is"):
        connect_public_read_only(full_store)
    with pytest.raises(StoreError, match="no public store at .*beatprofile publish"):
        connect_public_read_only(full_store.with_name("missing.duckdb"))


def test_audit_messages_name_table_and_column():
    from pipelines.community.publish_audit import audit_public_tables

    frame = pd.DataFrame({"n": [None], "withheld": [False], "lat": [1.0]})
    problems = audit_public_tables({"t": frame}, K)
    assert any(
        "table t, column lat: named like an incident field" in p for p in problems
    )
    assert any("NULL count(s) not flagged withheld" in p for p in problems)
    assert public_audit.audit_parts_total(["5", "withheld"], "6", K)
