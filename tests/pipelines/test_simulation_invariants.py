"""Invariants of the CAD simulation: conservation, determinism, the policy's rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.errors import BeatprofileError, ConfigError
from pipelines.workload.simulation import simulate_cad
from pipelines.workload.simulation.config import CallOnlyDemand, TimeDistribution
from pipelines.workload.simulation.demand import draw_minutes
from pipelines.workload.simulation.dispatcher import (
    DISPATCH,
    ON_VIEW,
    REPORT,
    DispatchInput,
    run_dispatch,
)
from tests.pipelines.simulation_helpers import incidents, tiny_config, world

LAYOUT = {
    "A": ("S1", "P1", 0),
    "B": ("S1", "P1", 1),
    "C": ("S2", "P1", 2),
    "D": ("S3", "P2", 3),
}
CATEGORIES = ["robbery", "burglary", "theft", "fraud", "traffic", "disorder"]


def _demand_config():
    """Random parts switched on: lognormal times, call-only demand, mixed sources."""
    config = tiny_config(
        sources={"traffic": {"on-view": 0.5, "911": 0.5}},
        report_shares={"theft": 0.5, "fraud": 1.0},
    )
    types = {
        name: replace(
            spec, service=replace(spec.service, sd_min=10.0, distribution="lognormal")
        )
        for name, spec in config.call_types.items()
    }
    demand = replace(
        config.demand,
        call_only=(CallOnlyDemand("alarm", 6.0), CallOnlyDemand("disturbance", 6.0)),
    )
    return replace(config, call_types=types, demand=demand)


def _random_incidents(seed: int, n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = [
        (float(m), str(b), str(c))
        for m, b, c in zip(
            rng.uniform(0, 1400, n),
            rng.choice(list(LAYOUT), n),
            rng.choice(CATEGORIES, n),
            strict=True,
        )
    ]
    return incidents(rows, LAYOUT)


def test_every_demand_item_becomes_exactly_one_call():
    frame = _random_incidents(1)
    result = simulate_cad(frame, world(LAYOUT), _demand_config(), seed=3)
    calls = result.calls
    from_incidents = calls[calls["origin"] == "incident"]
    assert sorted(from_incidents["source_incident_id"]) == sorted(frame["incident_id"])
    assert (calls["origin"] == "call-only").sum() > 0
    assert calls["incident_id"].is_unique
    assert calls["incident_id"].str.startswith("SIM-").all()
    answered = calls["unit"].notna()
    assert (answered == (calls["call_source"] != "report")).all()
    assert (
        calls.loc[~answered, ["dispatched_at", "arrived_at", "cleared_at"]]
        .isna()
        .all()
        .all()
    )


def test_a_complaint_with_several_offense_rows_is_one_call_of_its_most_urgent_type():
    frame = incidents(
        [(0, "A", "theft"), (0, "A", "robbery"), (5, "B", "theft")], LAYOUT
    )
    frame.loc[1, "incident_id"] = frame.loc[0, "incident_id"]
    calls = simulate_cad(frame, world(LAYOUT), tiny_config(), seed=1).calls
    assert calls["source_incident_id"].tolist() == ["R001", "R003"]
    assert calls["category"].tolist() == ["robbery", "theft"]
    assert calls["priority"].tolist() == ["1", "3"]


def test_the_same_seed_gives_the_same_calls_and_row_order_does_not_matter():
    frame, config = _random_incidents(2), _demand_config()
    first = simulate_cad(frame, world(LAYOUT), config, seed=11).calls
    again = simulate_cad(
        frame.sample(frac=1.0, random_state=5), world(LAYOUT), config, seed=11
    ).calls
    other = simulate_cad(frame, world(LAYOUT), config, seed=12).calls
    pd.testing.assert_frame_equal(first, again)
    assert not first["cleared_at"].equals(other["cleared_at"])


def test_earlier_simulated_calls_in_the_input_are_not_fed_back():
    frame = _random_incidents(3, n=20)
    config = _demand_config()
    alone = simulate_cad(frame, world(LAYOUT), config, seed=1).calls
    polluted = pd.concat([frame, frame.assign(kind="call", incident_id="SIM-x")])
    pd.testing.assert_frame_equal(
        simulate_cad(polluted, world(LAYOUT), config, seed=1).calls, alone
    )


def test_the_seed_and_window_are_recorded_with_the_result():
    result = simulate_cad(
        _random_incidents(4, n=5), world(LAYOUT), _demand_config(), seed=99
    )
    assert result.seed == 99
    assert (result.start, result.end) == (
        pd.Timestamp("2019-03-01"),
        pd.Timestamp("2019-03-02"),
    )
    assert result.available_unit_hours("sector").to_dict() == {
        "S1": 48.0,
        "S2": 24.0,
        "S3": 24.0,
    }


# --- the event loop on random inputs --------------------------------------------
BEAT_SECTOR = np.array([0, 0, 1, 2])
BEAT_PRECINCT = np.array([0, 0, 0, 1])
SHIFTS = ((6.0, 12.0), (18.0, 12.0))  # two 12-hour shifts, one unit per beat each


@st.composite
def dispatch_inputs(draw):
    n = draw(st.integers(1, 40))
    queued = sorted(
        draw(st.lists(st.floats(0, 2880, allow_nan=False), min_size=n, max_size=n))
    )
    mode = draw(
        st.lists(
            st.sampled_from([DISPATCH, DISPATCH, ON_VIEW, REPORT]),
            min_size=n,
            max_size=n,
        )
    )
    return DispatchInput(
        queued=np.array(queued),
        beat=np.array(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))),
        priority=np.array(draw(st.lists(st.integers(1, 3), min_size=n, max_size=n))),
        mode=np.array(mode),
        x=np.array(draw(st.lists(st.floats(0, 4000), min_size=n, max_size=n))),
        y=np.zeros(n),
        service=np.array(draw(st.lists(st.floats(1, 300), min_size=n, max_size=n))),
        beat_sector=BEAT_SECTOR,
        beat_precinct=BEAT_PRECINCT,
        home_x=np.array([500.0, 1500.0, 2500.0, 3500.0]),
        home_y=np.zeros(4),
        unit_beat=np.repeat(np.arange(4), 2),
        unit_shift=np.tile([0, 1], 4),
        shifts=SHIFTS,
        hold_minutes=30.0,
        horizon_min=2880.0,
    )


@settings(max_examples=150, deadline=None)
@given(dispatch_inputs())
def test_units_do_one_call_at_a_time_within_their_shift_and_keep_beat_integrity(data):
    out = run_dispatch(data)
    sent = data.mode != REPORT
    assert (out.unit[sent] >= 0).all() and (out.unit[~sent] == -1).all()
    assert (out.dispatched[sent] >= out.queued[sent] - 1e-9).all()
    assert (out.arrived[sent] >= out.dispatched[sent]).all()
    assert (out.cleared[sent] >= out.arrived[sent]).all()
    on_view = data.mode == ON_VIEW
    assert (out.arrived[on_view] == out.queued[on_view]).all()
    unit_beat = data.unit_beat[out.unit[sent]]
    assert (unit_beat[on_view[sent]] == data.beat[sent][on_view[sent]]).all()
    for u in np.unique(out.unit[sent]):
        mine = np.flatnonzero(out.unit == u)
        order = mine[np.argsort(out.dispatched[mine])]
        assert (out.dispatched[order][1:] >= out.cleared[order][:-1] - 1e-9).all()
        start_hour, hours = SHIFTS[data.unit_shift[u]]
        offset = (out.dispatched[mine] - start_hour * 60.0) % 1440.0
        assert (offset < hours * 60.0 + 1e-6).all()
    wait = out.dispatched - out.queued
    other_beat = np.zeros(len(wait), bool)
    other_beat[sent] = unit_beat != data.beat[sent]
    routine = (data.mode == DISPATCH) & (data.priority > 1)
    # Beat integrity: a non-emergency call goes to another beat only after its hold.
    assert (wait[routine & other_beat] >= 30.0 - 1e-9).all()
    # Units never cross precincts.
    assert (BEAT_PRECINCT[unit_beat] == BEAT_PRECINCT[data.beat[sent]]).all()


def test_a_config_without_units_is_an_error_that_names_the_fix():
    config = tiny_config(units_per_beat=0)
    with pytest.raises(
        BeatprofileError, match="no units: every shift has units_per_beat = 0"
    ):
        simulate_cad(_random_incidents(5, n=3), world(LAYOUT), config, seed=1)


def test_a_beat_without_any_unit_is_an_error_that_names_it():
    config = replace(tiny_config(), beat_overrides={"C": 0})
    with pytest.raises(ConfigError, match=r"beats \['C'\] have no unit on any shift"):
        simulate_cad(_random_incidents(5, n=3), world(LAYOUT), config, seed=1)


@pytest.mark.parametrize("shape", ["lognormal", "gamma"])
def test_time_draws_have_the_configured_mean_and_sd(shape):
    draws = draw_minutes(
        TimeDistribution(40.0, 20.0, shape), 400_000, np.random.default_rng(0)
    )
    assert draws.mean() == pytest.approx(40.0, rel=0.01)
    assert draws.std() == pytest.approx(20.0, rel=0.02)
    assert (draws > 0).all()


def test_call_only_demand_follows_the_daily_rate_and_the_hour_shape():
    """4 beats x 60 days x 10 calls a day = 2,400 expected (Poisson sd 49); the
    hour shape is zero before 06:00, so no call-only call is queued then."""
    shape = tuple([0.0] * 6 + [24 / 18] * 18)
    config = tiny_config()
    config = replace(
        config,
        start=date(2019, 3, 1),
        end=date(2019, 4, 29),
        demand=replace(
            config.demand,
            beat_weighting=0.0,
            call_only=(CallOnlyDemand("alarm", 10.0, shape),),
        ),
    )
    calls = simulate_cad(_random_incidents(6, n=4), world(LAYOUT), config, seed=8).calls
    alarms = calls[calls["origin"] == "call-only"]
    assert abs(len(alarms) - 2400) < 4 * 49
    assert (alarms["queued_at"].dt.hour >= 6).all()
    assert alarms["beat"].value_counts().min() > 480
