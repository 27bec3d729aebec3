"""Tables people fill in (concerns, plans), kept when the store is rebuilt.

A build writes a fresh store file and swaps it in (:mod:`pipelines.store`);
everything in it is derived from the exports except these tables. The build
hook :func:`carry_over` copies them from the current store into the one being
built and re-derives ``community_priorities`` before the ranking runs.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.community.priorities import refresh_community_priorities
from pipelines.store import connect_other_read_only, user_tables_lock

USER_TABLES = ("watch_concerns", "beat_plans", "plan_responses")


def carry_over(con: duckdb.DuckDBPyConnection, old_store: Path) -> list[str]:
    """The build hook: :func:`copy_user_tables`, then refresh the priorities.

    Call inside ``store.building(...)`` before ``refresh_analysis`` (which
    reads ``community_priorities`` for the ranking).

    Returns
    -------
    list of str
        The tables copied (empty for a first build).
    """
    with user_tables_lock(old_store):
        copied = copy_user_tables(con, old_store)
    refresh_community_priorities(con)
    return copied


def copy_before_swap(con: duckdb.DuckDBPyConnection, old_store: Path) -> list[str]:
    """The last step of a build, run under the store's write lock by
    ``store.building(before_swap=...)``: copy the user tables again, so what
    organisers wrote since :func:`carry_over` is in the new file.

    The ranking keeps the priorities of :func:`carry_over`; the next build
    ranks with the newer concerns.
    """
    copied = copy_user_tables(con, old_store)
    refresh_community_priorities(con)
    return copied


def copy_user_tables(con: duckdb.DuckDBPyConnection, old_store: Path) -> list[str]:
    """Copy the user tables from the previous store into the one being built.

    The old store is opened read-only (several readers may share it, so a
    running dashboard does not block a rebuild) and each table travels as an
    Arrow table, keeping its column types. A missing store or table is skipped.

    Returns
    -------
    list of str
        The tables copied.

    Raises
    ------
    StoreError
        If the old store cannot be opened (another program is writing to it).
    """
    old_store = Path(old_store)
    if not old_store.is_file():
        return []
    old = connect_other_read_only(old_store, "watch-meeting tables")
    copied = []
    try:
        present = {
            r[0]
            for r in old.execute(
                "SELECT table_name FROM information_schema.tables"
            ).fetchall()
        }
        for table in (t for t in USER_TABLES if t in present):
            rows = old.execute(f"SELECT * FROM {table}").to_arrow_table()
            con.register("_user_rows", rows)
            try:
                con.execute(
                    f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM _user_rows"
                )
            finally:
                con.unregister("_user_rows")
            copied.append(table)
    finally:
        old.close()
    return copied
