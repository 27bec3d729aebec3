"""The build hook: a rebuild keeps the concerns and plans, and ranks the concerns."""

from __future__ import annotations

import dataclasses

import duckdb

import pipelines.build as build
from pipelines.build import run_build
from pipelines.community.user_tables import carry_over
from tests.pipelines.watch_helpers import AREA, make_watch_store


def test_rebuild_with_the_hook_keeps_concerns_and_ranks_them(
    sample_build, tmp_path, monkeypatch
):
    settings, _ = sample_build
    store = make_watch_store(settings.store_path, tmp_path / "s.duckdb")
    original = build.refresh_analysis

    def hooked(con, settings, *args, **kwargs):  # what the lead wires into _derive
        carry_over(con, settings.store_path)
        return original(con, settings, *args, **kwargs)

    monkeypatch.setattr(build, "refresh_analysis", hooked)
    run_build(dataclasses.replace(settings, store_path=store))
    with duckdb.connect(str(store), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM watch_concerns").fetchone() == (4,)
        assert con.execute("SELECT count(*) FROM beat_plans").fetchone() == (1,)
        community = dict(
            con.execute(
                "SELECT category, community FROM rankings WHERE level = 'neighborhood' "
                "AND area_id = ?",
                [AREA],
            ).fetchall()
        )
    # Open concerns of the latest meeting: 1; the resolved one: 0.
    assert community["theft from vehicle"] == 1.0 and community["burglary"] == 1.0
    assert community["vandalism"] == 0.0
