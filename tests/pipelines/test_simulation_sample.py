"""The CAD simulation on the bundled St. Louis sample (one month, default config)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import duckdb
import pandas as pd
import pytest

from pipelines.catalog import SAMPLE_CONFIG
from pipelines.ingest.check import check_exports
from pipelines.ingest.normalize import ISSUE, normalize_export
from pipelines.ingest.readers import read_export
from pipelines.ingest.source_profile import load_source_profile
from pipelines.workload.simulation import (
    SIMULATED_CAD_PROFILE,
    load_simulation_config,
    simulate_cad,
    write_cad_csv,
)
from pipelines.workload.workload_profiles import workload_from_simulation
from tests.conftest import settings_with_store


@pytest.fixture(scope="module")
def store_tables(sample_store):
    with duckdb.connect(str(sample_store), read_only=True) as con:
        return (
            con.execute("SELECT * FROM incidents").df(),
            con.execute("SELECT * FROM areas").df(),
        )


@pytest.fixture(scope="module")
def january(store_tables):
    incidents, areas = store_tables
    config = replace(
        load_simulation_config(), start=date(2019, 1, 1), end=date(2019, 1, 31)
    )
    return incidents, simulate_cad(incidents, areas, config, seed=20190101)


def test_every_complaint_queued_in_the_month_becomes_one_call(january):
    """SLMPD lists one row per offense: a complaint number with three offenses was
    one call for service, so it becomes one call."""
    incidents, result = january
    calls = result.calls
    from_incidents = calls[calls["origin"] == "incident"]
    assert from_incidents["source_incident_id"].is_unique
    assert set(from_incidents["source_incident_id"]) <= set(incidents["incident_id"])
    complaints = incidents["incident_id"].nunique()
    assert complaints < len(incidents)
    assert len(from_incidents) + result.excluded_incidents == complaints
    assert (calls["queued_at"] >= pd.Timestamp("2019-01-01")).all()
    # call-only demand: about 8.5 calls per beat per day
    call_only = (calls["origin"] == "call-only").sum()
    assert call_only == pytest.approx(8.5 * 88 * 31, rel=0.05)


def test_each_neighborhood_has_a_unit_on_each_shift(january):
    _, result = january
    assert len(result.units) == 88 * 3
    assert result.units.groupby("unit_beat")["shift"].nunique().eq(3).all()


def test_the_month_loads_through_the_ingest_and_gives_district_workloads(
    january, tmp_path
):
    _, result = january
    path = write_cad_csv(result, tmp_path / "january.csv.gz")
    staged = normalize_export(
        read_export(path), load_source_profile(SIMULATED_CAD_PROFILE), "EPSG:26996"
    )
    assert len(staged) == len(result.calls)
    assert staged[ISSUE].isna().all()
    workload = workload_from_simulation(result, "district").areas
    assert len(workload) == 6
    assert (workload["coverage"] == "complete").all()
    assert workload["emergency_response_median_min"].between(1, 15).all()
    assert workload["own_beat_share"].between(0.5, 1).all()
    assert workload["utilization"].between(0.05, 0.6).all()


def test_the_quality_report_keeps_every_simulated_call_in_its_own_areas(
    january, tmp_path
):
    """The same dry-run quality report as for real exports: nothing quarantined,
    and every call assigned to the neighborhood and district it was simulated in."""
    _, result = january
    path = write_cad_csv(result, tmp_path / "january.csv")
    settings = settings_with_store(SAMPLE_CONFIG, tmp_path / "never.duckdb")
    report = check_exports(SIMULATED_CAD_PROFILE, [path], settings)
    source = report.sources().iloc[0]
    assert (source["source"], source["read"]) == ("synthetic-cad", len(result.calls))
    assert (source["kept"], source["quarantined"]) == (len(result.calls), 0)
    agreement = report.agreement[report.agreement["source"] == "synthetic-cad"]
    assert (agreement["assigned_agree"] == agreement["compared"]).all()
    assert set(agreement["level"]) == {"neighborhood", "district"}
