"""The sector summary page (commanders) under AppTest on the real sample store."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from pipelines.catalog import DASHBOARD_APP
from tests.conftest import sample_store_with_calls

PAGE = "app_pages/sector_summary.py"


@pytest.fixture
def app(sample_store, monkeypatch) -> AppTest:
    monkeypatch.setenv("BEATPROFILE_STORE", str(sample_store))
    at = AppTest.from_file(str(DASHBOARD_APP), default_timeout=120)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def test_a_week_whose_comparisons_lie_before_the_data_says_so_and_tests_nothing(app):
    # The sample starts 1 Jan 2018: the week ending 7 Jan 2018 has no week
    # before it and no year earlier in the data.
    app.date_input(key="sector.week").set_value(date(2018, 1, 7)).run()
    assert not app.exception
    warnings = " ".join(w.value for w in app.warning)
    assert "No comparison: the 7 days before (25 Dec 2017 to 31 Dec 2017)" in warnings
    assert "1 Jan 2018 to 31 Dec 2019" in warnings
    table = app.dataframe[0].value
    flags = " ".join(str(v) for v in table.astype(str).to_numpy().ravel())
    assert "▲" not in flags and "▼" not in flags  # nothing was tested against 0


def test_the_latest_week_is_fully_covered_and_has_no_warning(app):
    assert not [w for w in app.warning if "No comparison" in w.value]


def test_sparklines_leave_out_the_weeks_before_the_data(app):
    # 52 weeks ending 3 Jun 2018 reach back to June 2017; the sample starts in
    # 2018 and holds only a few late-reported 2017 incidents.
    app.date_input(key="sector.week").set_value(date(2018, 6, 3)).run()
    weekly = [list(w) for w in app.dataframe[0].value["Last 52 weeks"]]
    assert all(pd.isna(w[:30]).all() for w in weekly)
    assert all(pd.notna(w[30:]).all() for w in weekly)


@pytest.fixture(scope="module")
def store_with_calls(sample_store, tmp_path_factory):
    """A copy of the sample store with December 2019 of simulated CAD calls."""
    folder = tmp_path_factory.mktemp("sector_calls")
    return sample_store_with_calls(sample_store, folder, "2019-12-01", "2019-12-31")


def test_calls_table_follows_the_counts_when_the_store_has_cad_calls(
    store_with_calls, monkeypatch
):
    monkeypatch.setenv("BEATPROFILE_STORE", str(store_with_calls))
    at = AppTest.from_file(str(DASHBOARD_APP), default_timeout=120)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    counts, calls = at.dataframe[0].value, at.dataframe[1].value
    assert list(calls["Area"]) == list(counts["Area"])  # same rows, same order
    assert (calls["Calls"] > 0).all()
    assert calls["Own beat's unit"].between(0, 1).all()
    assert not any("No CAD calls" in c.value for c in at.caption)
