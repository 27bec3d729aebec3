"""Every page under AppTest, on the sample store built from real data."""

from __future__ import annotations

import json
import re

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import state
from dashboard.selection import clicked_area_id
from pipelines.catalog import DASHBOARD_APP

PROFILE = "app_pages/area_profile.py"


@pytest.fixture
def app(sample_store, monkeypatch) -> AppTest:
    monkeypatch.setenv("BEATPROFILE_STORE", str(sample_store))
    return AppTest.from_file(str(DASHBOARD_APP), default_timeout=120)


def _map_html(at: AppTest) -> str:
    maps = [el for el in at.main if el.type == "component_instance"]
    assert len(maps) == 1
    args = json.loads(maps[0].proto.json_args)
    return args["script"] + args.get("html", "")


def test_overview_renders_a_choropleth_of_all_88_neighborhoods(app):
    app.run()
    assert not app.exception
    script = _map_html(app)
    assert len(re.findall(r'"type": ?"Feature"', script)) == 88
    assert "http://" not in script and "https://" not in script
    assert app.title[0].value == "Overview"


def test_overview_switches_level_and_measure(app, sample_store):
    app.run()
    app.selectbox(key="_w.level").set_value("district").run()
    assert not app.exception
    assert len(re.findall(r'"type": ?"Feature"', _map_html(app))) == 6
    assert any("approximate" in w.value for w in app.warning)
    app.radio(key=state.OVERVIEW_MEASURE).set_value("rate").run()
    assert not app.exception
    assert "Rate per 1,000 residents" in _map_html(app)


def test_overview_table_counts_match_the_store(app, sample_store):
    app.run()
    table = app.dataframe[0].value
    with duckdb.connect(str(sample_store), read_only=True) as con:
        last = con.execute("SELECT max(day) FROM daily_counts").fetchone()[0]
        expected = con.execute(
            "SELECT sum(n) FROM daily_counts WHERE level = 'neighborhood' "
            "AND day > ?::DATE - 365",
            [last],
        ).fetchone()[0]
    assert table["Incidents"].sum() == expected


def test_category_filter_narrows_the_counts(app):
    app.run()
    everything = app.dataframe[0].value["Incidents"].sum()
    app.multiselect(key="_w.categories").set_value(["burglary"]).run()
    assert not app.exception
    burglary = app.dataframe[0].value["Incidents"].sum()
    assert 0 < burglary < everything


def test_profile_page_without_an_area_asks_for_one(app):
    app.run()
    app.switch_page(PROFILE).run()
    assert not app.exception
    assert "Choose a neighborhood" in app.info[0].value


def test_profile_page_shows_trend_heatmap_table_and_tests_in_words(app):
    app.run()
    app.switch_page(PROFILE).run()
    app.selectbox(key="profile.area.neighborhood").set_value("35").run()
    assert not app.exception
    assert app.title[0].value == "Downtown"
    sentences = [m.value for m in app.markdown]
    assert any("28 days" in s and "exact Poisson test" in s for s in sentences)
    assert any("this year to" in s for s in sentences)
    charts = [
        el
        for el in app.main
        if el.type == "arrow_vega_lite_chart" or el.type == "vega_lite_chart"
    ]
    assert len(charts) == 2
    table = app.dataframe[0].value
    assert table["Category"].iloc[-1] == "all"
    assert table["Selected period"].iloc[-1] == table["Selected period"].iloc[:-1].sum()


def test_missing_store_is_an_error_message_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("BEATPROFILE_STORE", str(tmp_path / "none.duckdb"))
    at = AppTest.from_file(str(DASHBOARD_APP), default_timeout=60)
    at.run()
    assert not at.exception
    assert "no store at" in at.error[0].value


def test_map_click_selects_the_clicked_area():
    clicked = {"last_active_drawing": {"type": "Feature", "id": "35", "properties": {}}}
    assert clicked_area_id(clicked, ["35", "36"]) == "35"
    assert clicked_area_id(clicked, ["1", "2"]) is None
    assert clicked_area_id({"last_active_drawing": None}, ["35"]) is None
    assert clicked_area_id(None, ["35"]) is None


QUALITY = "app_pages/data_quality.py"


def test_data_quality_page_shows_conservation_agreement_and_outside_points(
    app, sample_build
):
    _, report = sample_build
    app.run()
    app.switch_page(QUALITY).run()
    assert not app.exception
    per_source = app.dataframe[0].value
    assert per_source["Rows read"].sum() == report.read
    assert (
        per_source["Rows read"] == per_source["Kept"] + per_source["Quarantined"]
    ).all()
    agreement = app.dataframe[1].value
    assert set(agreement["Level"]) == {"neighborhood", "district"}
    points = [el for el in app.main if el.type == "component_instance"]
    assert len(points) == 1
    outside = report.quarantined_by_reason["outside_jurisdiction"]
    args = json.loads(points[0].proto.json_args)
    assert len(re.findall(r'"type": ?"Point"', args["script"])) == outside


def test_hotspot_page_defaults_to_the_back_tests_best_method(app, sample_store):
    app.run()
    app.switch_page("app_pages/hotspots.py").run()
    assert not app.exception
    assert app.title[0].value == "Hotspots"
    why = [c.value for c in app.caption if c.value.startswith("Default:")]
    assert why and "highest mean PAI at 5%" in why[0]
    chosen = app.radio[0].value
    expected = (
        "counts_12m"
        if "counts of the last 12 months" in why[0]
        else ("kde_12m" if "kernel density" in why[0] else "gi_star_12m")
    )
    assert chosen == expected
    ranked = app.dataframe[0].value
    assert list(ranked["rank"][:3]) == [1, 2, 3]
    assert ranked["reason"].str.contains("in the last 28 days").all()


def test_hotspot_gi_layer_draws_only_significant_cells(app, sample_store):
    app.run()
    app.switch_page("app_pages/hotspots.py").run()
    app.radio[0].set_value("gi_star_12m").run()
    assert not app.exception
    with duckdb.connect(str(sample_store), read_only=True) as con:
        significant = con.execute(
            "SELECT count(*) FROM hotspot_cells WHERE category = 'all' AND gi_bin <> 0"
        ).fetchone()[0]
    assert len(re.findall(r'"id": ?"cell:\d+"', _map_html(app))) == significant


def test_backtest_page_table_has_every_method_and_says_why(app, sample_store):
    app.run()
    app.switch_page("app_pages/backtest.py").run()
    assert not app.exception
    table = app.dataframe[0].value
    with duckdb.connect(str(sample_store), read_only=True) as con:
        methods = con.execute("SELECT count(DISTINCT method) FROM backtest").fetchone()[
            0
        ]
    assert len(table) == methods
    assert any("naive" in m for m in table["Method"])
    assert app.info[0].value.startswith("Default:")


def test_selecting_a_ranked_problem_lists_its_incidents(app, sample_store):
    from dashboard.loaders import load_ranked_incidents

    app.run()
    app.switch_page("app_pages/hotspots.py").run()
    first = app.dataframe[0].value.iloc[0]
    with duckdb.connect(str(sample_store), read_only=True) as con:
        area_id, last28 = con.execute(
            "SELECT area_id, last28 FROM rankings WHERE level = 'neighborhood' "
            "AND rank = 1"
        ).fetchone()
    listed = load_ranked_incidents(
        str(sample_store), "neighborhood", area_id, first["category"]
    )
    assert len(listed) == last28
    assert (listed["category"] == first["category"]).all()


def test_sector_summary_counts_flags_and_drill_down(app, sample_store):
    app.run()
    app.switch_page("app_pages/sector_summary.py").run()
    assert not app.exception
    table = app.dataframe[0].value
    assert len(table) == 6  # St. Louis districts
    with duckdb.connect(str(sample_store), read_only=True) as con:
        expected = con.execute(
            "SELECT sum(n) FROM daily_counts WHERE level = 'district' AND day BETWEEN "
            "DATE '2019-12-23' AND DATE '2019-12-29'"
        ).fetchone()[0]
    assert table["7 days"].sum() == expected  # week ending the last complete Sunday
    assert table["28 days: sig."].isin(["▲ sig.", "▼ sig.", ""]).all()
    assert all(len(w) == 52 for w in table["Last 52 weeks"])
    # No CAD calls in the sample: no grid of blanks, one sentence instead.
    assert len(app.dataframe) == 2  # the counts, then the drill-down
    assert any("No CAD calls" in c.value for c in app.caption)
    drill = app.dataframe[1].value
    assert len(drill) > 0 and set(drill.columns) == set(table.columns)
