"""Integration: ``publish`` on real Chicago and Seattle builds.

Each public store passes the same checks as the sample's (tests/pipelines/
test_publish.py): no incident column or row, no sensitive category, every shown
count >= k or withheld, and no total that gives back a hidden count. The table
list with row counts is written to ``artifacts/public_stores.txt``.
"""

from __future__ import annotations

import duckdb
import pytest

from pipelines.catalog import REPO_ROOT
from pipelines.community.publish import TABLES, publish_public_store
from tests.conftest import requires_shared_data
from tests.pipelines.test_other_departments import _build_example
from tests.pipelines.test_publish import INCIDENT_COLUMN, SENSITIVE

pytestmark = requires_shared_data()
LISTING = REPO_ROOT / "artifacts" / "public_stores.txt"


@pytest.mark.parametrize("name", ["chicago", "seattle"])
def test_publish_on_a_real_department(name, tmp_path_factory):
    settings, build = _build_example(name, tmp_path_factory)
    out = settings.store_path.with_name("public.duckdb")
    report = publish_public_store(settings.store_path, out)
    k = report.k
    with duckdb.connect(str(out), read_only=True) as con:
        columns = con.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
        ).df()
        assert set(columns["table_name"]) == set(TABLES)
        assert (
            not columns["column_name"].str.lower().str.contains(INCIDENT_COLUMN).any()
        )
        text = columns[columns["data_type"] == "VARCHAR"]
        for table, column in text[["table_name", "column_name"]].itertuples(
            index=False
        ):
            for word in SENSITIVE:
                hits = con.execute(
                    f'SELECT count(*) FROM {table} WHERE lower("{column}") LIKE ?',
                    [f"%{word}%"],
                ).fetchone()[0]
                assert hits == 0, (name, table, column, word)
        for table in columns.loc[columns["column_name"] == "n", "table_name"]:
            bad = con.execute(
                f"SELECT count(*) FROM {table} WHERE (n IS NOT NULL AND "
                "(n < ? OR withheld)) OR (n IS NULL AND NOT withheld)",
                [k],
            ).fetchone()[0]
            assert bad == 0, (name, table)
        for parts, whole, key in (
            ("monthly", "area_totals", "level, area_id"),
            ("monthly_by_category", "monthly", "level, area_id, month"),
        ):
            leaks = con.execute(
                f"SELECT count(*) FROM (SELECT {key}, sum(coalesce(n, 0)) AS shown, "
                f"count(*) FILTER (WHERE withheld) AS hidden FROM {parts} "
                f"GROUP BY ALL) p JOIN {whole} w USING ({key}) "
                "WHERE w.n IS NOT NULL AND p.hidden > 0 AND w.n - p.shown < ?",
                [k],
            ).fetchone()[0]
            assert leaks == 0, (name, parts)
        # Aggregate grain: one row per area (and month, category), never per incident.
        for table, key in (
            ("area_totals", "level, area_id"),
            ("monthly", "level, area_id, month"),
            ("monthly_by_category", "level, area_id, month, category"),
        ):
            dupes = con.execute(
                f"SELECT count(*) FROM (SELECT {key} FROM {table} GROUP BY ALL "
                "HAVING count(*) > 1)"
            ).fetchone()[0]
            assert dupes == 0, (name, table)
        shown = con.execute(
            "SELECT sum(n) FROM area_totals WHERE level = ?", [settings.levels[0].name]
        ).fetchone()[0]
        assert shown <= build.net_crimes
        levels = con.execute("SELECT DISTINCT level FROM areas").fetchall()
    names = [lv.name for lv in settings.levels]
    # Nested levels (beats in sectors in districts/precincts) are not published
    # together: a sector minus its shown beats would give back a hidden beat.
    assert {lv for (lv,) in levels} == {names[0]}
    assert set(report.left_out) == set(names[1:])
    assert all(f"every {names[0]} lies in one" in w for w in report.left_out.values())
    LISTING.parent.mkdir(parents=True, exist_ok=True)
    with LISTING.open("a", encoding="utf-8") as f:
        rows = ", ".join(f"{t} {n:,}" for t, n in report.tables.items())
        f.write(
            f"{name} (k={k}, {build.net_crimes:,} crimes, levels "
            f"{[lv.name for lv in settings.levels]}): {rows}; "
            f"withheld cells {report.withheld}; left out {list(report.left_out)}\n"
        )
