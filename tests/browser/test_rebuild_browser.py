"""A running app shows a rebuilt store at the next rerun (no restart)."""

from __future__ import annotations

import dataclasses
import re

import pytest

from pipelines.build import run_build
from pipelines.catalog import DASHBOARD_APP, REPO_ROOT, SAMPLE_CONFIG, SAMPLE_DIR
from pipelines.render.assets import STATIC_DIR, ensure_map_assets
from pipelines.settings import SourceConfig
from tests.browser.harness import GuardedPage, wait_for_app_idle
from tests.conftest import settings_with_store

pytestmark = pytest.mark.browser


def _settings(store, months):
    files = tuple(SAMPLE_DIR / "slmpd" / f"{m}.csv.gz" for m in months)
    return dataclasses.replace(
        settings_with_store(SAMPLE_CONFIG, store),
        sources=(SourceConfig(REPO_ROOT / "profiles" / "stlouis_slmpd.toml", files),),
    )


def _data_up_to(page) -> str:
    page.wait_for_selector("text=data up to", timeout=60_000)
    text = page.locator("[data-testid='stSidebar']").inner_text()
    return re.search(r"data up to (\d{2} \w{3} \d{4})", text).group(1)


def test_a_rebuild_shows_the_new_data_up_to_date_at_the_next_rerun(
    tmp_path, streamlit_server, browser_page: GuardedPage
):
    ensure_map_assets(STATIC_DIR)
    store = tmp_path / "s.duckdb"
    run_build(_settings(store, ["june2019"]))
    url = streamlit_server(DASHBOARD_APP, env={"BEATPROFILE_STORE": str(store)})
    page = browser_page.page
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.goto(url)
    wait_for_app_idle(page)
    before = _data_up_to(page)
    run_build(_settings(store, ["june2019", "july2019"]))
    page.reload()  # the next rerun (a new session, as after a rebuild)
    wait_for_app_idle(page)
    after = _data_up_to(page)
    print("data up to before", before, "after rebuild", after)
    assert before == "30 Jun 2019"
    assert after == "31 Jul 2019"
