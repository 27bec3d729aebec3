"""The watch-meeting pages (analyst and public) refuse comparisons outside the data."""

from __future__ import annotations

import sys

import pytest
from streamlit.testing.v1 import AppTest

from pipelines.catalog import PUBLIC_APP
from pipelines.community.publish import publish_public_store
from tests.dashboard.watch_helpers import open_watch_page, watch_router
from tests.pipelines.test_watch_coverage import EARLY_AREA, add_early_meeting
from tests.pipelines.watch_helpers import make_watch_store

QUERY = {"mode": "present", "level": "neighborhood", "area": EARLY_AREA}
REFUSED = "No comparison: the 693 days before the meeting"


@pytest.fixture(scope="module")
def store(sample_store, tmp_path_factory):
    path = make_watch_store(sample_store, tmp_path_factory.mktemp("cp") / "s.duckdb")
    add_early_meeting(path)
    return path


def _text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown).replace("\\", "")


def test_the_analyst_watch_page_says_the_meeting_comparison_is_refused(
    store, tmp_path, monkeypatch
):
    monkeypatch.setenv("BEATPROFILE_STORE", str(store))
    at = open_watch_page(watch_router(tmp_path / "router"), QUERY)
    assert not at.exception
    text = _text(at)
    assert REFUSED in text and "clear rise" not in text.split("Last meeting")[-1]


def test_the_public_watch_page_says_the_meeting_comparison_is_refused(
    store, tmp_path, monkeypatch
):
    public = tmp_path / "public.duckdb"
    publish_public_store(store, public)
    monkeypatch.setattr(sys, "argv", ["public_app.py", "--public-store", str(public)])
    at = AppTest.from_file(str(PUBLIC_APP), default_timeout=120)
    at.query_params.update(QUERY)
    at.run()
    assert not at.exception and not at.error
    assert REFUSED in _text(at)
