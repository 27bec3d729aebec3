"""Pages on a store built with --allow-low-agreement (issue 11): a loud warning
on Data quality, and an empty coarser level is an error message, not a traceback.

The store: the hand-made Denver-like fixture read with the issue's wrong
profile (the district ids 1-3 as the neighborhood label), so the district
level (from labels) comes out empty and neighborhood agreement is 8.3%.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from streamlit.testing.v1 import AppTest

from pipelines.build import run_build
from pipelines.catalog import DASHBOARD_APP
from pipelines.ingest.draft.config import draft_config
from pipelines.ingest.draft.profile import draft_profile
from pipelines.ingest.readers import read_export
from pipelines.settings import load_settings

DENVER = Path(__file__).resolve().parents[1] / "data" / "denver_like"


@pytest.fixture(scope="module")
def low_store(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("low")
    export, layer_path = DENVER / "crimes.csv", DENVER / "neighborhoods.geojson"
    layer = gpd.read_file(layer_path)
    draft = draft_profile(read_export(export), layer)
    text = draft.toml
    start, end = text.index("[labels]"), text.index("[categories]")
    wrong = '[labels]\nneighborhood = { column = "DISTRICT_ID" }\n\n'
    profile = work / "crimes.toml"
    profile.write_text(text[:start] + wrong + text[end:])
    config = work / "beatprofile.toml"
    body = draft_config(draft, layer, layer_path, export, profile, config)
    cut = body.index("[[levels]]\n# CHECK: from the incidents' own `PRECINCT_ID`")
    config.write_text(body[:cut] + '[[levels]]\nname = "district"\nfrom_label = true\n')
    report = run_build(load_settings(config), allow_low_agreement=True)
    assert len(report.agreement_warnings) == 2
    return report.store


@pytest.fixture
def app(low_store, monkeypatch) -> AppTest:
    monkeypatch.setenv("BEATPROFILE_STORE", str(low_store))
    return AppTest.from_file(str(DASHBOARD_APP), default_timeout=120)


def test_data_quality_page_warns_of_the_low_agreement(app):
    app.run()
    app.switch_page("app_pages/data_quality.py").run()
    assert not app.exception
    errors = [e.value for e in app.error]
    assert any(
        e.startswith(
            "Built with --allow-low-agreement: label agreement at level "
            "neighborhood is 8.3% of 240 labelled rows"
        )
        for e in errors
    )
    assert any("level district is empty" in e for e in errors)


def test_sector_summary_of_an_empty_level_says_why(app):
    app.run()
    app.switch_page("app_pages/sector_summary.py").run()
    assert not app.exception
    assert [e.value for e in app.error][0].startswith(
        "No district areas in this store: no incident was assigned to any district."
    )
