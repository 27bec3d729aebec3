"""A domain error raised inside a page reaches the router (dashboard/app.py),
which shows it as `st.error("Error: ...")` instead of a traceback.

The trigger is real: a copy of the sample store whose metadata lost its
`as_of` row (a store with no incidents, or a hand-edited one). The Watch
meeting page opens it (the store itself is valid), then
`build_watch_report` raises WatchReportError, which no page catches.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from pipelines.catalog import DASHBOARD_APP


@pytest.fixture
def store_without_as_of(sample_store: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "no_as_of.duckdb"
    shutil.copyfile(sample_store, copy)
    con = duckdb.connect(str(copy))
    try:
        con.execute("DELETE FROM meta WHERE key = 'as_of'")
        area = con.execute(
            "SELECT min(area_id) FROM areas WHERE level = 'neighborhood'"
        ).fetchone()[0]
    finally:
        con.close()
    (tmp_path / "area").write_text(str(area))
    return copy


def test_a_page_domain_error_is_an_error_line_not_a_traceback(
    store_without_as_of, monkeypatch
):
    area = (store_without_as_of.parent / "area").read_text()
    monkeypatch.setenv("BEATPROFILE_STORE", str(store_without_as_of))
    app = AppTest.from_file(str(DASHBOARD_APP), default_timeout=120)
    app.query_params.update({"level": "neighborhood", "area": area})
    app.run()
    app.switch_page("app_pages/watch_meeting.py").run()
    assert not app.exception
    assert [e.value for e in app.error] == [
        "Error: the store has no incidents (no `as_of` in its metadata); build it first"
    ]
