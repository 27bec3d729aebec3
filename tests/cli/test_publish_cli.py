"""``beatprofile publish`` and ``serve --public`` through the entry point."""

from __future__ import annotations

import duckdb

from tests.cli.test_cli import run_cli


def test_publish_prints_the_tables_and_their_row_counts(sample_store, tmp_path):
    out = tmp_path / "public.duckdb"
    result = run_cli("publish", "--store", str(sample_store), "--out", str(out))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Public store written to {out} (k = 3)"
    with duckdb.connect(str(out), read_only=True) as con:
        for table in ("areas", "area_totals", "monthly", "monthly_by_category"):
            rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            assert f"  {table}: {rows:,} rows" in lines
    assert lines[-1].startswith("  withheld cells: monthly ")


def test_publish_defaults_to_beside_the_store(sample_store, tmp_path):
    store = tmp_path / "dept.duckdb"
    store.write_bytes(sample_store.read_bytes())
    result = run_cli("publish", "--store", str(store))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "dept-public.duckdb").is_file()


def test_publish_without_a_store_says_how_to_build_one(tmp_path):
    result = run_cli("publish", "--store", str(tmp_path / "none.duckdb"))
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: no store at {tmp_path / 'none.duckdb'}")


def test_public_store_option_needs_public(tmp_path):
    result = run_cli("serve", "--public-store", str(tmp_path / "p.duckdb"))
    assert result.returncode == 1
    assert result.stderr == (
        "Error: --public-store is for the public server; add --public\n"
    )


def test_serve_public_without_a_public_store_says_to_publish(tmp_path):
    missing = tmp_path / "p.duckdb"
    result = run_cli("serve", "--public", "--public-store", str(missing))
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: no public store at {missing}; write it with `beatprofile "
        "publish` (or give --public-store PATH)\n"
    )
