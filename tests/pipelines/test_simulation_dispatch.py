"""Beat-integrity dispatch in the CAD simulation, against hand computations.

Every scenario uses fixed service and travel times (see simulation_helpers):
priority 2 = burglary (non-emergency), priority 1 = robbery (emergency),
fraud = a report-only call type. Times are minutes after midnight.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from pipelines.workload.simulation import simulate_cad
from pipelines.workload.simulation.config import Shift
from tests.pipelines.simulation_helpers import (
    incidents,
    minutes,
    tiny_config,
    world,
)

ONE_BEAT = {"A": ("S1", "P1", 0)}
TWO_BEATS = {"A": ("S1", "P1", 0), "B": ("S1", "P1", 1)}


def _run(calls, layout, **config):
    result = simulate_cad(
        incidents(calls, layout), world(layout), tiny_config(**config), seed=7
    )
    return result.calls.sort_values("queued_at", kind="stable").reset_index(drop=True)


def test_one_unit_three_non_emergency_calls_wait_as_computed_by_hand():
    """One unit, calls at 0, 10, 20; 25 min on scene, no travel.

    call 1: sent at 0, clears 25.              wait 0
    call 2: unit busy; sent at 25, clears 50.  wait 25 - 10 = 15 (held)
    call 3: unit busy; its 30-min hold ends at 50, the very minute the unit
            clears call 2: the beat's own unit takes it at 50.
                                               wait 50 - 20 = 30 (held, not over)
    """
    calls = _run(
        [(0, "A", "burglary"), (10, "A", "burglary"), (20, "A", "burglary")], ONE_BEAT
    )
    assert minutes(calls["dispatched_at"]) == [0, 25, 50]
    assert minutes(calls["arrived_at"]) == [0, 25, 50]
    assert minutes(calls["cleared_at"]) == [25, 50, 75]
    assert calls["hold_min"].tolist() == pytest.approx([0, 15, 30])
    assert calls["held"].tolist() == [False, True, True]
    assert calls["unit"].nunique() == 1
    assert calls["answered_by_own_beat"].tolist() == [True, True, True]


def test_travel_time_adds_to_the_unit_busy_time_and_a_hold_can_run_over():
    """Same calls, 5 min travel: the unit is busy travel + service = 30 min a call.

    call 1: sent 0, arrives 5, clears 30.                        response 5
    call 2: sent 30 (held 20), arrives 35, clears 60.            response 25
    call 3: hold ends at 50 but no other unit exists: it waits for the beat unit,
            sent 60 (held 40, over the 30-min limit), arrives 65. response 45
    """
    calls = _run(
        [(0, "A", "burglary"), (10, "A", "burglary"), (20, "A", "burglary")],
        ONE_BEAT,
        travel_base_min=5.0,
    )
    assert minutes(calls["dispatched_at"]) == [0, 30, 60]
    assert minutes(calls["arrived_at"]) == [5, 35, 65]
    assert minutes(calls["cleared_at"]) == [30, 60, 90]
    assert calls["hold_min"].tolist() == pytest.approx([0, 20, 40])
    assert calls["travel_min"].tolist() == pytest.approx([5, 5, 5])


def test_at_hold_expiry_the_own_unit_freeing_that_minute_wins_over_a_free_sector_unit():
    """Two beats in one sector. A's three calls as in the first test; B's unit is
    free all along. At minute 50 A's unit clears and call 3's hold expires: the
    unit-free event runs first, so A's own unit takes call 3 (beat integrity)."""
    calls = _run(
        [(0, "A", "burglary"), (10, "A", "burglary"), (20, "A", "burglary")], TWO_BEATS
    )
    assert minutes(calls["dispatched_at"]) == [0, 25, 50]
    assert calls["unit"].tolist() == ["A-all-1"] * 3


def test_a_non_emergency_held_30_minutes_goes_to_another_unit_of_the_sector():
    """A's unit takes a 60-min call at 0. A second call in A at 5 is held for A's
    unit until 35, then goes to B's free unit: sent 35, held 30, not own beat."""
    calls = _run(
        [(0, "A", "burglary"), (5, "A", "burglary")],
        TWO_BEATS,
        services={"burglary": 60.0},
    )
    second = calls.iloc[1]
    assert minutes(calls["dispatched_at"]) == [0, 35]
    assert second["unit"] == "B-all-1"
    assert second["unit_beat"] == "B"
    assert second["hold_min"] == pytest.approx(30.0)
    assert not second["answered_by_own_beat"]


def test_an_emergency_while_the_beat_unit_is_busy_goes_at_once_to_a_sector_unit():
    """A's unit is on a 60-min call from 0; a robbery in A at 10 goes at 10 to B's
    unit (no hold): wait 0, arrival 10 + 3 min travel."""
    calls = _run(
        [(0, "A", "burglary"), (10, "A", "robbery")],
        TWO_BEATS,
        services={"burglary": 60.0},
        travel_base_min=3.0,
    )
    robbery = calls.iloc[1]
    assert robbery["priority"] == "1"
    assert robbery["unit"] == "B-all-1"
    assert minutes(calls["dispatched_at"])[1] == 10
    assert minutes(calls["arrived_at"])[1] == 13
    assert not robbery["held"]


def test_an_emergency_goes_to_the_nearest_free_sector_unit_then_the_precinct():
    """Beats A, B (sector S1, far away at column 5) and C (S1, next door at column 1),
    D in sector S2 of the same precinct. With A busy, A's robbery goes to C (the
    nearest free unit of the sector). With A, B, C busy it goes to D (precinct)."""
    layout = {
        "A": ("S1", "P1", 0),
        "B": ("S1", "P1", 5),
        "C": ("S1", "P1", 1),
        "D": ("S2", "P1", 2),
    }
    calls = _run(
        [(0, "A", "burglary"), (10, "A", "robbery")],
        layout,
        services={"burglary": 60.0},
        speed_kmh=30.0,
    )
    assert calls.iloc[1]["unit"] == "C-all-1"
    calls = _run(
        [
            (0, "A", "burglary"),
            (1, "B", "burglary"),
            (2, "C", "burglary"),
            (10, "A", "robbery"),
        ],
        layout,
        services={"burglary": 60.0},
    )
    assert calls.iloc[3]["unit"] == "D-all-1"


def test_an_emergency_with_no_free_unit_waits_for_the_first_unit_of_the_precinct():
    """A's unit clears at 60, B's at 40: the robbery at 10 waits and B's unit, the
    first to come free, takes it at 40 (wait 30) even though a burglary in A has
    been waiting since 5 (priority first)."""
    calls = _run(
        [
            (0, "A", "burglary"),
            (5, "A", "burglary"),
            (2, "B", "theft"),
            (10, "A", "robbery"),
        ],
        TWO_BEATS,
        services={"burglary": 60.0, "theft": 38.0},
    )
    robbery = calls[calls["category"] == "robbery"].iloc[0]
    assert robbery["unit"] == "B-all-1"
    assert robbery["hold_min"] == pytest.approx(30.0)
    held_burglary = calls[(calls["category"] == "burglary")].iloc[1]
    # A's unit clears at 60 and takes the burglary held since 5 (wait 55).
    assert held_burglary["unit"] == "A-all-1"
    assert held_burglary["hold_min"] == pytest.approx(55.0)
    assert len(calls) == 4


def test_report_only_calls_get_no_unit_and_no_times_after_queueing():
    calls = _run(
        [(0, "A", "fraud"), (5, "A", "burglary")],
        ONE_BEAT,
        report_shares={"fraud": 1.0},
    )
    report = calls.iloc[0]
    assert report["call_source"] == "report"
    assert report["priority"] == "4"
    assert pd.isna(report["unit"])
    assert all(
        math.isnan(m)
        for m in minutes(calls[["dispatched_at", "arrived_at", "cleared_at"]].iloc[0])
    )
    # The report took no unit time: the burglary at 5 is sent at once.
    assert minutes(calls["dispatched_at"])[1] == 5


def test_an_incident_reported_long_after_it_happened_is_a_report_entry_call():
    frame = incidents([(0, "A", "burglary")], ONE_BEAT)
    frame["occurred_at"] = frame["occurred_at"] - np.timedelta64(90, "D")
    frame["reported_at"] = np.datetime64("2019-03-01")
    config = tiny_config()
    config = replace(config, demand=replace(config.demand, late_report_spread_days=0))
    result = simulate_cad(frame, world(ONE_BEAT), config, seed=1)
    call = result.calls.iloc[0]
    assert call["call_source"] == "report"
    assert pd.isna(call["unit"])


def test_on_view_calls_are_arrived_when_queued_and_taken_by_the_beat_unit():
    """An officer-initiated traffic call at 10 while A's unit is on a call until 25
    starts when that unit is free (queued = dispatched = arrived = 25), even
    though B's unit is free: on-view calls are the beat officer's own."""
    calls = _run(
        [(0, "A", "burglary"), (10, "A", "traffic"), (12, "B", "traffic")],
        TWO_BEATS,
        sources={"traffic": {"on-view": 1.0}},
    )
    onview = calls[calls["call_source"] == "on-view"].set_index("beat").sort_index()
    assert minutes(onview["queued_at"]) == [25, 12]
    assert (onview["queued_at"] == onview["arrived_at"]).all()
    assert (onview["dispatched_at"] == onview["arrived_at"]).all()
    assert onview["unit"].tolist() == ["A-all-1", "B-all-1"]


def test_units_work_only_their_shift_and_a_call_waits_for_the_next_shift():
    """One shift 08:00-16:00: a burglary at 02:00 waits for the unit coming on at
    08:00 (wait 360 min)."""
    config = replace(tiny_config(), shifts=(Shift("day", 8.0, 8.0, 1),))
    result = simulate_cad(
        incidents([(120, "A", "burglary")], ONE_BEAT), world(ONE_BEAT), config, seed=1
    )
    assert minutes(result.calls["dispatched_at"]) == [480]
    assert result.calls["hold_min"].iloc[0] == pytest.approx(360.0)
