"""Simulated calls written in the CAD layout load through the ordinary ingest."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from pipelines import schema as s
from pipelines.catalog import REPO_ROOT
from pipelines.ingest.normalize import ISSUE, normalize_export
from pipelines.ingest.readers import read_export
from pipelines.ingest.source_profile import load_source_profile
from pipelines.workload.simulation import (
    SIMULATED_CAD_PROFILE,
    simulate_cad,
    write_cad_csv,
)
from pipelines.workload.simulation.cad_csv import SEATTLE_COLUMNS
from pipelines.workload.simulation.config import CallOnlyDemand
from tests.conftest import SHARED_DATA
from tests.pipelines.simulation_helpers import incidents, tiny_config, world

LAYOUT = {"A": ("S1", "P1", 0), "B": ("S1", "P1", 1), "C": ("S2", "P1", 2)}
SEATTLE_PROFILE = REPO_ROOT / "profiles" / "seattle_cad.toml"


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    """A day with every call source: 911, phone, on-view, alarm and report."""
    config = tiny_config(
        sources={
            "traffic": {"on-view": 1.0},
            "disorder": {"phone": 1.0},
            "alarm": {"alarm": 1.0},
        },
        report_shares={"fraud": 1.0},
    )
    config = replace(
        config, demand=replace(config.demand, call_only=(CallOnlyDemand("alarm", 8.0),))
    )
    rows = [
        (m, b, c)
        for m, (b, c) in zip(
            range(0, 1400, 37),
            [
                ("A", "robbery"),
                ("B", "burglary"),
                ("C", "traffic"),
                ("A", "disorder"),
                ("B", "fraud"),
                ("C", "theft"),
            ]
            * 7,
            strict=False,
        )
    ]
    result = simulate_cad(incidents(rows, LAYOUT), world(LAYOUT), config, seed=5)
    path = write_cad_csv(result, tmp_path_factory.mktemp("cad") / "sim.csv")
    return result, path


def _load(path, profile):
    return normalize_export(
        read_export(path), load_source_profile(profile), "EPSG:26996"
    )


def test_the_file_has_the_seattle_cad_columns_first_and_marks_every_row_synthetic(
    simulated,
):
    result, path = simulated
    raw = read_export(path).rows
    assert tuple(raw.columns[:13]) == SEATTLE_COLUMNS
    assert raw["CAD Event Number"].str.startswith("SIM-").all()
    assert raw["Event Clearance Description"].str.startswith("SYNTHETIC").all()
    assert len(raw) == len(result.calls)
    assert (raw["Simulation Seed"] == str(result.seed)).all()


@pytest.mark.skipif(not (SHARED_DATA / "seattle").is_dir(), reason="no Seattle data")
def test_the_header_matches_the_real_seattle_cad_extract(simulated):
    real = read_export(SHARED_DATA / "seattle" / "cad_calls_beat_c3_2018_2023.csv")
    assert (
        tuple(c for c in real.rows.columns if not c.startswith("__")) == SEATTLE_COLUMNS
    )


def test_every_row_loads_as_a_call_with_its_priority_source_times_and_unit(simulated):
    result, path = simulated
    calls = result.calls
    staged = _load(path, SIMULATED_CAD_PROFILE)
    assert len(staged) == len(calls)
    assert staged[ISSUE].isna().all()
    assert (staged[s.KIND] == "call").all()
    assert (staged[s.SOURCE] == result.source_name).all()
    assert "synthetic" in result.source_name
    assert set(calls[s.CALL_SOURCE]) == {"911", "phone", "on-view", "alarm", "report"}
    for column in (s.INCIDENT_ID, s.PRIORITY, s.CALL_SOURCE, s.CATEGORY):
        assert staged[column].tolist() == calls[column].tolist(), column
    for column in (s.QUEUED_AT, s.DISPATCHED_AT, s.ARRIVED_AT, s.CLEARED_AT):
        pd.testing.assert_series_equal(
            pd.to_datetime(staged[column]).astype("datetime64[s]"),
            calls[column].astype("datetime64[s]"),
            check_names=False,
        )
    assert staged[s.UNIT].replace("", None).tolist() == calls[s.UNIT].tolist()
    assert staged[s.LON].to_numpy() == pytest.approx(calls[s.LON].to_numpy(), abs=1e-6)


def test_the_seattle_cad_profile_reads_the_same_file(simulated):
    """Every row, priorities and arrival times survive; report entry, which the
    Seattle profile does not know, comes out as "other"."""
    result, path = simulated
    calls = result.calls
    staged = _load(path, SEATTLE_PROFILE)
    assert len(staged) == len(calls)
    assert staged[ISSUE].isna().all()
    assert (staged[s.KIND] == "call").all()
    assert staged[s.PRIORITY].tolist() == calls[s.PRIORITY].tolist()
    expected = calls[s.CALL_SOURCE].replace("report", "other")
    assert staged[s.CALL_SOURCE].tolist() == expected.tolist()
    pd.testing.assert_series_equal(
        pd.to_datetime(staged[s.ARRIVED_AT]).astype("datetime64[s]"),
        calls[s.ARRIVED_AT].astype("datetime64[s]"),
        check_names=False,
    )
