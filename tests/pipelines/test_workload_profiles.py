"""Workload and response profiles per area, from real and simulated CAD calls."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from pipelines.build import run_build
from pipelines.catalog import REPO_ROOT
from pipelines.errors import BeatprofileError
from pipelines.ingest.normalize import normalize_export
from pipelines.ingest.readers import read_export
from pipelines.ingest.source_profile import load_source_profile
from pipelines.workload.simulation import (
    SIMULATED_CAD_PROFILE,
    simulate_cad,
    write_cad_csv,
)
from pipelines.workload.workload import response_times_by_priority
from pipelines.workload.workload_profiles import (
    AREA_COLUMNS,
    PRIORITY_COLUMNS,
    build_workload_profile,
    workload_from_simulation,
)
from tests.conftest import SHARED_DATA, requires_shared_data, settings_with_store
from tests.pipelines.simulation_helpers import incidents, tiny_config, world

T0 = pd.Timestamp("2019-05-01 12:00")


def _at(minute: float | None) -> pd.Timestamp:
    return pd.NaT if minute is None else T0 + pd.Timedelta(minutes=minute)


def _hand_calls() -> pd.DataFrame:
    """Beat X (sector S): five calls; beat Y (sector S): one call with only queue
    and arrival times, as in the real Seattle extracts.

    call  prio source   queued disp arrived cleared unit  unit beat
    x1    1    911        0     0    4       34     u1    X
    x2    2    phone      0    10   16       46     u1    X
    x3    2    911        0    40   45       60     u2    Y
    x4    3    on-view  100   100  100      120     u1    X
    x5    4    report     0     -    -        -     -     -
    y1    3    911        0     -    8        -     -     -
    """
    rows = [
        ("x1", "X", "1", "911", 0, 0, 4, 34, "u1", "X"),
        ("x2", "X", "2", "phone", 0, 10, 16, 46, "u1", "X"),
        ("x3", "X", "2", "911", 0, 40, 45, 60, "u2", "Y"),
        ("x4", "X", "3", "on-view", 100, 100, 100, 120, "u1", "X"),
        ("x5", "X", "4", "report", 0, None, None, None, None, None),
        ("y1", "Y", "3", "911", 0, None, 8, None, None, None),
    ]
    return pd.DataFrame(
        {
            "incident_id": [r[0] for r in rows],
            "area_beat": [r[1] for r in rows],
            "area_sector": "S",
            "priority": [r[2] for r in rows],
            "call_source": [r[3] for r in rows],
            "queued_at": [_at(r[4]) for r in rows],
            "dispatched_at": [_at(r[5]) for r in rows],
            "arrived_at": [_at(r[6]) for r in rows],
            "cleared_at": [_at(r[7]) for r in rows],
            "unit": [r[8] for r in rows],
            "unit_beat": [r[9] for r in rows],
        }
    )


def test_beat_figures_match_a_hand_computation():
    """Beat X. Response (on-view and report left out): 4, 16, 45 -> median 16,
    90th percentile 16 + 0.8 * (45 - 16) = 39.2 (linear interpolation); emergency
    (x1) 4. Waits 0, 10, 40: held (> 1 min) 2/3, held over 30 min 1/3. Units'
    beats X, X, Y: own beat 2/3. Committed minutes: 34 + 36 + 20 + 20 = 110, and
    with 10 unit hours on duty utilization = 110 / 60 / 10 = 0.1833 (under 60%).
    Report share 1/5."""
    profile = build_workload_profile(
        _hand_calls(), "beat", available_unit_hours={"X": 10.0, "Y": 10.0}
    )
    x = profile.areas.set_index("area_id").loc["X"]
    assert x["calls"] == 5
    assert (
        x["calls_911"],
        x["calls_phone"],
        x["calls_on_view"],
        x["calls_report"],
    ) == (2, 1, 1, 1)
    assert x["response_median_min"] == pytest.approx(16.0)
    assert x["response_p90_min"] == pytest.approx(39.2)
    assert x["emergency_response_median_min"] == pytest.approx(4.0)
    assert x["held_share"] == pytest.approx(2 / 3)
    assert x["held_over_limit_share"] == pytest.approx(1 / 3)
    assert x["own_beat_share"] == pytest.approx(2 / 3)
    assert x["committed_unit_min"] == pytest.approx(110.0)
    assert x["utilization"] == pytest.approx(110 / 600)
    assert not x["over_guideline"]
    assert x["report_share"] == pytest.approx(0.2)
    assert x["coverage"] == "complete"


def test_figures_a_source_cannot_supply_are_nan_with_a_coverage_note():
    profile = build_workload_profile(
        _hand_calls(), "beat", available_unit_hours={"X": 10.0, "Y": 10.0}
    )
    y = profile.areas.set_index("area_id").loc["Y"]
    assert y["response_median_min"] == pytest.approx(8.0)
    for column in (
        "held_share",
        "held_over_limit_share",
        "own_beat_share",
        "committed_unit_min",
        "utilization",
    ):
        assert np.isnan(y[column]), column
    assert pd.isna(y["over_guideline"])
    assert "no dispatch times (held shares)" in y["coverage"]
    assert "no clear times (committed unit minutes)" in y["coverage"]


def test_sector_figures_pool_the_beats_and_priorities_are_broken_out():
    profile = build_workload_profile(_hand_calls(), "sector", beat_level="beat")
    sector = profile.areas.iloc[0]
    assert (sector["area_id"], sector["calls"]) == ("S", 6)
    assert sector["response_median_min"] == pytest.approx(12.0)  # 4, 8, 16, 45
    assert np.isnan(sector["utilization"])  # no unit hours given
    by_priority = profile.by_priority.set_index("priority")
    assert by_priority["calls"].to_dict() == {"1": 1, "2": 2, "3": 2, "4": 1}
    assert by_priority.loc["2", "held_over_limit_share"] == pytest.approx(0.5)
    assert list(profile.by_priority.columns) == list(PRIORITY_COLUMNS)


def test_a_missing_level_column_is_an_error_naming_the_levels_found():
    with pytest.raises(
        BeatprofileError,
        match=r"no column\(s\) \['area_precinct'\].*"
        r"levels found: \['beat', 'sector'\]",
    ):
        build_workload_profile(_hand_calls(), "precinct")


# --- simulated calls -----------------------------------------------------------
LAYOUT = {"A": ("S1", "P1", 0), "B": ("S1", "P1", 1), "C": ("S2", "P1", 2)}


@pytest.fixture(scope="module")
def simulated():
    rows = [
        (m, b, c)
        for m, (b, c) in zip(
            range(0, 1400, 11),
            [
                ("A", "robbery"),
                ("A", "burglary"),
                ("B", "theft"),
                ("A", "disorder"),
                ("C", "burglary"),
                ("A", "fraud"),
            ]
            * 30,
            strict=False,
        )
    ]
    config = tiny_config(
        service_min=40.0,
        report_shares={"fraud": 1.0},
        sources={"disorder": {"on-view": 1.0}},
    )
    return simulate_cad(incidents(rows, LAYOUT), world(LAYOUT), config, seed=2)


def test_simulated_workload_agrees_with_the_simulation_record(simulated):
    calls = simulated.calls
    profile = workload_from_simulation(simulated, "beat")
    a = profile.areas.set_index("area_id").loc["A"]
    mine = calls[calls["beat"] == "A"]
    sent = mine[mine["call_source"].isin(["911", "phone"])]
    assert a["own_beat_share"] == pytest.approx(sent["answered_by_own_beat"].mean())
    assert a["held_share"] == pytest.approx((sent["hold_min"] > 1.0).mean())
    committed = (
        mine["cleared_at"] - mine["dispatched_at"]
    ).dt.total_seconds().sum() / 60
    assert a["committed_unit_min"] == pytest.approx(committed)
    assert a["available_unit_hours"] == 24.0
    assert a["utilization"] == pytest.approx(committed / 60 / 24)
    assert a["report_share"] == pytest.approx((mine["call_source"] == "report").mean())


def test_the_workload_of_the_ingested_csv_equals_that_of_the_simulation(
    simulated, tmp_path
):
    """Round trip: the CAD file carries no unit beat; the roster supplies it."""
    path = write_cad_csv(simulated, tmp_path / "sim.csv")
    staged = normalize_export(
        read_export(path), load_source_profile(SIMULATED_CAD_PROFILE), "EPSG:26996"
    )
    areas = simulated.calls.set_index("incident_id")[["area_beat", "area_sector"]]
    staged = staged.join(areas, on="incident_id")
    direct = workload_from_simulation(simulated, "sector").areas
    ingested = build_workload_profile(
        staged,
        "sector",
        beat_level="beat",
        units=simulated.units,
        period_days=simulated.days,
    ).areas
    pd.testing.assert_frame_equal(ingested, direct, check_exact=False, rtol=1e-6)


# --- the real Seattle CAD extracts ---------------------------------------------
def _seattle_cad_only_config(tmp_path):
    data = SHARED_DATA / "seattle"
    config = tmp_path / "seattle_cad.toml"
    config.write_text(
        f"""
[department]
name = "Seattle CAD extracts"
analysis_crs = "EPSG:2855"
[store]
path = "{tmp_path / "unused.duckdb"}"
[[sources]]
profile = "{REPO_ROOT / "profiles" / "seattle_cad.toml"}"
files = ["{data / "cad_calls_*.csv"}"]
[[levels]]
name = "beat"
polygons = "{data / "beats_2018.geojson"}"
id_field = "beat"
[[levels]]
name = "sector"
parent_field = "sector"
[[levels]]
name = "precinct"
parent_field = "first_precinct"
""",
        encoding="utf-8",
    )
    return settings_with_store(config, tmp_path / "s.duckdb")


@pytest.fixture(scope="module")
def seattle_calls(tmp_path_factory):
    settings = _seattle_cad_only_config(tmp_path_factory.mktemp("seattle_cad"))
    run_build(settings)
    with duckdb.connect(str(settings.store_path), read_only=True) as con:
        return con.execute("SELECT * FROM incidents WHERE kind = 'call'").df()


@requires_shared_data()
@pytest.mark.parametrize("level", ["beat", "sector", "precinct"])
def test_seattle_cad_extracts_give_the_same_columns_as_simulated_calls(
    seattle_calls, simulated, level
):
    real = build_workload_profile(seattle_calls, level, beat_level="beat")
    fake = workload_from_simulation(
        simulated, "sector" if level == "sector" else "beat"
    )
    assert list(real.areas.columns) == list(fake.areas.columns) == list(AREA_COLUMNS)
    assert list(real.by_priority.columns) == list(fake.by_priority.columns)
    assert real.areas["calls"].sum() == len(seattle_calls)
    for column in (
        "held_share",
        "held_over_limit_share",
        "own_beat_share",
        "committed_unit_min",
        "utilization",
    ):
        assert real.areas[column].isna().all(), column
    assert real.areas["response_median_min"].notna().any()
    notes = real.coverage.set_index("measure")["note"]
    assert notes["response time"] == "available"
    assert notes["held shares"] == "not available: the source has no dispatch times"
    assert notes["beat integrity"].startswith("not available")


@requires_shared_data()
def test_seattle_response_medians_by_priority_agree_with_the_existing_workload_step(
    seattle_calls,
):
    profile = build_workload_profile(
        seattle_calls.assign(area_all="all"), "all", beat_level="beat"
    )
    ours = profile.by_priority.set_index("priority")["response_median_min"]
    theirs = response_times_by_priority(seattle_calls).set_index("priority")[
        "median_min"
    ]
    pd.testing.assert_series_equal(
        ours.dropna(), theirs.dropna().reindex(ours.dropna().index), check_names=False
    )
