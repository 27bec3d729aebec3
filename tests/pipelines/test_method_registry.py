"""The hotspot-method registry (pipelines/analysis/methods.py): a toy method
registered at run time is scored by the back-test and offered on the Hotspots
page, with no other change.

The toy ("last 3 months' counts", tests/pipelines/toy_statistic.py) on the
back-test fixture of test_backtest.py (3 months of history, so its window is
the whole history): scoring November at 1% of the area flags cell A (30
incidents against at most 1 elsewhere): n = 10 of N = 20, PAI = 0.5 / 0.01 =
50, RRI = (10 / 30) / (20 / 60) = 1, PEI* = 1.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from pipelines import store
from pipelines.analysis.backtest import (
    resolve_methods,
    run_backtest,
    summarize_backtest,
)
from pipelines.analysis.methods import (
    HistoryWindow,
    HotspotMethod,
    backtested_keys,
    method_label,
    methods,
    register_method,
    unregister_method,
)
from pipelines.analysis_settings import BacktestSettings
from pipelines.build import run_build
from pipelines.catalog import DASHBOARD_APP
from pipelines.settings import load_settings
from tests.pipelines.test_analysis_settings import sample_config
from tests.pipelines.test_backtest import AS_OF, GRID, SETTINGS, fixture_incidents
from tests.pipelines.toy_statistic import recent_counts

TOY = HotspotMethod(
    key="toy_3m",
    label="toy: counts of the last 3 months",
    score=lambda w: {"toy_3m": (recent_counts(w.months).astype("float64"), w.total)},
    column="toy_3m",  # its own hotspot_cells column, filled by the build
    legend="Incidents (toy)",
)


@pytest.fixture
def toy():
    register_method(TOY)
    yield TOY
    unregister_method(TOY.key)


def test_a_registered_method_is_scored_by_the_back_test(toy):
    assert "toy_3m" in backtested_keys()
    settings = BacktestSettings(
        periods=2, history_months=3, coverages=(0.01,), categories=("all",)
    )
    assert settings.methods is None  # every registered method, when it runs
    assert resolve_methods(settings).methods[-1] == "toy_3m"
    table = run_backtest(fixture_incidents(), GRID, AS_OF, settings)
    row = table[
        (table["method"] == "toy_3m") & (table["period_start"] == "2019-11-01")
    ].iloc[0]
    assert (row["hits"], row["incidents"]) == (10, 20)
    assert row["pai"] == pytest.approx(50.0)
    assert row["rri"] == pytest.approx(1.0)
    assert row["pei_star"] == pytest.approx(1.0)
    summary = summarize_backtest(table)
    assert list(summary["method"])[-1] == "toy_3m"  # after the built-ins
    assert method_label("toy_3m") == "toy: counts of the last 3 months"


def test_the_toy_leaves_the_built_in_methods_untouched(toy):
    with_toy = run_backtest(fixture_incidents(), GRID, AS_OF, SETTINGS)
    unregister_method(TOY.key)
    without = run_backtest(fixture_incidents(), GRID, AS_OF, SETTINGS)
    register_method(TOY)
    assert with_toy.equals(without)  # SETTINGS names its methods explicitly


@pytest.fixture(scope="module")
def toy_store(tmp_path_factory) -> Path:
    """June 2019 of the sample, built with the toy registered."""
    folder = tmp_path_factory.mktemp("toy")
    register_method(TOY)
    try:
        settings = load_settings(sample_config(folder, ""), store=folder / "toy.duckdb")
        run_build(settings)
    finally:
        unregister_method(TOY.key)
    return settings.store_path


def test_a_registered_method_gets_its_column_in_hotspot_cells(toy_store):
    con = store.connect_read_only(toy_store)
    try:
        cells = con.execute("SELECT * FROM hotspot_cells").df()
        last_3_months = con.execute(
            f"SELECT count(*) FROM {store.CRIMES} WHERE located AND occurred_at "
            "BETWEEN '2019-04-01' AND '2019-06-30 23:59:59'"
        ).fetchone()[0]
    finally:
        con.close()
    assert "toy_3m" in cells.columns
    every = cells[cells["category"] == "all"]
    # Data end 2019-06-30: the toy scores April-June 2019, the cells' window is
    # the 365 days to 30 June (which holds those 3 months).
    assert last_3_months > 1000
    assert every["toy_3m"].sum() == last_3_months
    assert (every["toy_3m"] <= every["n"]).all()
    assert cells["toy_3m"].notna().all()  # every category's cells have it


def test_a_registered_method_is_on_the_hotspots_page(toy, toy_store, monkeypatch):
    monkeypatch.setenv("BEATPROFILE_STORE", str(toy_store))
    app = AppTest.from_file(str(DASHBOARD_APP), default_timeout=120)
    app.run()
    app.switch_page("app_pages/hotspots.py").run()
    assert not app.exception
    assert TOY.label in app.radio[0].options
    app.radio[0].set_value("toy_3m").run()
    assert not app.exception
    maps = [el for el in app.main if el.type == "component_instance"]
    assert len(maps) == 1
    args = json.loads(maps[0].proto.json_args)
    assert "Incidents (toy)" in args["script"] + args.get("html", "")


def test_a_store_built_before_the_method_says_to_rebuild(
    sample_store, toy, monkeypatch
):
    monkeypatch.setenv("BEATPROFILE_STORE", str(sample_store))
    app = AppTest.from_file(str(DASHBOARD_APP), default_timeout=120)
    app.run()
    app.switch_page("app_pages/hotspots.py").run()
    app.radio[0].set_value("toy_3m").run()
    assert not app.exception
    assert [i.value for i in app.info] == [
        "This store has no `toy_3m` layer for toy: counts of the last 3 months: it "
        "was built before that method was registered. Rebuild the store "
        "(beatprofile build) to map it."
    ]


def test_registering_a_taken_key_is_an_error():
    with pytest.raises(ValueError, match="'gi_star_12m' is already registered"):
        register_method(replace(TOY, key="gi_star_12m"))
    with pytest.raises(ValueError, match="'kde_12m' is built in"):
        unregister_method("kde_12m")


def test_every_method_has_one_label_and_the_page_columns_exist():
    keys = [m.key for m in methods()]
    assert len(keys) == len(set(keys))
    assert [m for m in methods() if m.score is None] == [
        m for m in methods() if m.key == "emerging_24m"
    ]
    assert method_label("kde_12m_150m") == (
        "kernel density (150 m bandwidth) of the last 12 months"
    )
    window = HistoryWindow(months=np.array([[1, 0], [2, 5]]), grid=GRID, weights=None)
    assert window.total.tolist() == [3, 5]
    assert recent_counts(window.months, 1).tolist() == [2, 5]
