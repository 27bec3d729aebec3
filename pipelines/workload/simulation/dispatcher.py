"""Discrete-event dispatcher of a beat-integrity department (heap-based event loop).

Policy (St. Louis County: beat integrity, 30-minute holds, CARE report entry):

* emergency calls (priority <= ``emergency_priority``) go at once to a free unit
  of their beat; else to the nearest free unit of the sector, then of the
  precinct; else they wait and the first unit of the precinct to come free
  takes them;
* other calls go to a free unit of their beat; if none is free they are held
  for the beat's own unit for up to ``hold_minutes``, then go to the nearest
  free unit of the sector, then the precinct, else to the first unit of the
  precinct to come free;
* on-view calls are initiated by a unit of the beat when it is free: if all of
  the beat's units are busy, the call starts when the first of them comes free
  (queued = dispatched = arrived at that moment);
* report-entry calls get no unit.

A unit coming free takes the waiting call with the best (priority, tier, queue
time), where tier 0 = its own beat's calls (held or not), 1 = its sector's calls
that may go to any unit, 2 = its precinct's; with no waiting call it takes its
beat's oldest deferred on-view call. Events at the same minute run in the order
shift end, shift start, unit free, hold expiry, new call: a unit freeing at the
very minute a hold expires takes its own beat's call.

Units work their shift every day; a unit busy at shift end finishes its call
(overtime) and then goes off duty. Times are minutes from the window start.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from heapq import heappop, heappush

import numpy as np

DISPATCH, ON_VIEW, REPORT = 0, 1, 2
"""Call modes: sent by the dispatcher, officer-initiated, phone/online report."""

_SHIFT_END, _SHIFT_START, _UNIT_FREE, _HOLD_EXPIRE = 0, 1, 2, 3
_DAY = 1440.0


@dataclass(frozen=True)
class DispatchInput:
    """Calls sorted by queue time, the beats' geography and the units."""

    queued: np.ndarray  # minutes, ascending
    beat: np.ndarray  # beat index per call
    priority: np.ndarray  # int, 1 = most urgent
    mode: np.ndarray  # DISPATCH / ON_VIEW / REPORT
    x: np.ndarray  # call location, metres
    y: np.ndarray
    service: np.ndarray  # on-scene minutes
    beat_sector: np.ndarray  # per beat
    beat_precinct: np.ndarray
    home_x: np.ndarray  # per beat: where its units start from
    home_y: np.ndarray
    unit_beat: np.ndarray  # per unit
    unit_shift: np.ndarray
    shifts: tuple[tuple[float, float], ...]  # (start hour, hours)
    hold_minutes: float = 30.0
    emergency_priority: int = 1
    travel_base_min: float = 2.0
    speed_kmh: float = 30.0
    detour_factor: float = 1.3
    horizon_min: float = 0.0


@dataclass(frozen=True)
class DispatchOutcome:
    """Per call: when it was queued, sent, reached and cleared, and by which unit."""

    queued: np.ndarray
    dispatched: np.ndarray
    arrived: np.ndarray
    cleared: np.ndarray
    unit: np.ndarray  # unit index, -1 for none


def run_dispatch(data: DispatchInput) -> DispatchOutcome:
    """Run the event loop over all calls; deterministic (no random draws).

    Example
    -------
    >>> run_dispatch(data).dispatched[0]
    0.0
    """
    return _Loop(data).run()


class _Loop:
    """State of one run: units on duty and free, waiting calls, pending events."""

    def __init__(self, d: DispatchInput) -> None:
        self.d = d
        n, n_beats = len(d.queued), len(d.home_x)
        self.queued = d.queued.astype(float).tolist()
        self.beat = d.beat.tolist()
        self.priority = d.priority.tolist()
        self.mode = d.mode.tolist()
        self.cx, self.cy = d.x.tolist(), d.y.tolist()
        self.service = d.service.tolist()
        self.sector_of = d.beat_sector.tolist()
        self.precinct_of = d.beat_precinct.tolist()
        self.ubeat = d.unit_beat.tolist()
        self.ux = [float(d.home_x[b]) for b in self.ubeat]
        self.uy = [float(d.home_y[b]) for b in self.ubeat]
        self.minutes_per_m = d.detour_factor * 60.0 / (d.speed_kmh * 1000.0)
        self.dispatched = [math.nan] * n
        self.arrived = [math.nan] * n
        self.cleared = [math.nan] * n
        self.unit = [-1] * n
        self.done = [False] * n
        self.on_duty = [False] * len(self.ubeat)
        self.busy = [False] * len(self.ubeat)
        self.beat_free: list[set[int]] = [set() for _ in range(n_beats)]
        self.sector_free: list[set[int]] = [
            set() for _ in range(max(self.sector_of) + 1)
        ]
        self.precinct_free: list[set[int]] = [
            set() for _ in range(max(self.precinct_of) + 1)
        ]
        self.beat_wait: list[list] = [[] for _ in range(n_beats)]
        self.sector_wait: list[list] = [[] for _ in self.sector_free]
        self.precinct_wait: list[list] = [[] for _ in self.precinct_free]
        self.onview_backlog: list[deque] = [deque() for _ in range(n_beats)]
        self.waiting = 0
        self.shift_units = [
            [u for u, k in enumerate(d.unit_shift.tolist()) if k == s]
            for s in range(len(d.shifts))
        ]
        self.unit_sets = [
            (
                self.beat_free[b],
                self.sector_free[self.sector_of[b]],
                self.precinct_free[self.precinct_of[b]],
            )
            for b in self.ubeat
        ]
        self.events: list[tuple[float, int, int]] = []
        self.arrivals_left = n

    # -- main loop ---------------------------------------------------------
    def run(self) -> DispatchOutcome:
        self._schedule_first_shifts()
        events, queued, n = self.events, self.queued, len(self.queued)
        i = 0
        while True:
            next_call = queued[i] if i < n else math.inf
            if events and events[0][0] <= next_call:
                t, kind, idx = heappop(events)
                if kind == _UNIT_FREE:
                    self._unit_free(idx, t)
                elif kind == _HOLD_EXPIRE:
                    self._hold_expired(idx, t)
                elif kind == _SHIFT_START:
                    self._shift_start(idx, t)
                else:
                    self._shift_end(idx)
            elif i < n:
                self.arrivals_left = n - i - 1
                self._new_call(i, next_call)
                i += 1
            else:
                break
        as_array = np.asarray
        return DispatchOutcome(
            queued=as_array(self.queued, float),
            dispatched=as_array(self.dispatched, float),
            arrived=as_array(self.arrived, float),
            cleared=as_array(self.cleared, float),
            unit=as_array(self.unit, dtype=np.int64),
        )

    # -- shifts ------------------------------------------------------------
    def _schedule_first_shifts(self) -> None:
        for s, (start_hour, hours) in enumerate(self.d.shifts):
            day = -1 if start_hour + hours > 24.0 else 0
            self._push_shift_start(s, day)

    def _push_shift_start(self, s: int, day: int) -> None:
        start = day * _DAY + self.d.shifts[s][0] * 60.0
        heappush(self.events, (start, _SHIFT_START, self._shift_key(s, day)))

    def _shift_key(self, s: int, day: int) -> int:
        return (day + 1) * len(self.d.shifts) + s

    def _shift_start(self, key: int, t: float) -> None:
        count = len(self.d.shifts)
        day, s = key // count - 1, key % count
        heappush(self.events, (t + self.d.shifts[s][1] * 60.0, _SHIFT_END, key))
        more_work = (
            self.arrivals_left > 0 or self.waiting > 0 or any(self.onview_backlog)
        )
        if t + _DAY < self.d.horizon_min or more_work:
            self._push_shift_start(s, day + 1)
        for u in self.shift_units[s]:
            self.on_duty[u] = True
            if not self.busy[u]:
                self._unit_available(u, t)

    def _shift_end(self, key: int) -> None:
        for u in self.shift_units[key % len(self.d.shifts)]:
            self.on_duty[u] = False
            if not self.busy[u]:
                self._set_free(u, False)

    # -- units -------------------------------------------------------------
    def _set_free(self, u: int, free: bool) -> None:
        if free:
            for group in self.unit_sets[u]:
                group.add(u)
        else:
            for group in self.unit_sets[u]:
                group.discard(u)

    def _unit_free(self, u: int, t: float) -> None:
        self.busy[u] = False
        if self.on_duty[u]:
            self._unit_available(u, t)

    def _unit_available(self, u: int, t: float) -> None:
        c = self._best_waiting_call(u)
        if c >= 0:
            self.waiting -= 1
            self._send(c, u, t)
            return
        backlog = self.onview_backlog[self.ubeat[u]]
        if backlog:
            c = backlog.popleft()
            self.queued[c] = t
            self._send(c, u, t)
            return
        self._set_free(u, True)

    def _best_waiting_call(self, u: int) -> int:
        b = self.ubeat[u]
        best: tuple | None = None
        for tier, heap in enumerate(
            (
                self.beat_wait[b],
                self.sector_wait[self.sector_of[b]],
                self.precinct_wait[self.precinct_of[b]],
            )
        ):
            while heap and self.done[heap[0][2]]:
                heappop(heap)
            if heap:
                prio, queued, c = heap[0]
                key = (prio, tier, queued, c)
                if best is None or key < best:
                    best = key
        return -1 if best is None else best[3]

    def _nearest(self, free: set[int], c: int) -> int:
        if not free:
            return -1
        x, y, ux, uy = self.cx[c], self.cy[c], self.ux, self.uy
        return min(free, key=lambda u: ((ux[u] - x) ** 2 + (uy[u] - y) ** 2, u))

    def _send(self, c: int, u: int, t: float) -> None:
        self.done[c] = True
        self.busy[u] = True
        self._set_free(u, False)
        if self.mode[c] == ON_VIEW:
            travel = 0.0
        else:
            distance = math.hypot(self.ux[u] - self.cx[c], self.uy[u] - self.cy[c])
            travel = self.d.travel_base_min + distance * self.minutes_per_m
        self.dispatched[c] = t
        self.arrived[c] = t + travel
        self.cleared[c] = t + travel + self.service[c]
        self.unit[c] = u
        heappush(self.events, (self.cleared[c], _UNIT_FREE, u))

    # -- calls -------------------------------------------------------------
    def _new_call(self, c: int, t: float) -> None:
        mode, b = self.mode[c], self.beat[c]
        if mode == REPORT:
            self.done[c] = True
            return
        own = self.beat_free[b]
        if own:
            self._send(c, min(own), t)
            return
        if mode == ON_VIEW:
            self.onview_backlog[b].append(c)
            return
        self.waiting += 1
        heappush(self.beat_wait[b], (self.priority[c], t, c))
        if self.priority[c] <= self.d.emergency_priority:
            self._send_outside_beat(c, t)
        else:
            heappush(self.events, (t + self.d.hold_minutes, _HOLD_EXPIRE, c))

    def _hold_expired(self, c: int, t: float) -> None:
        if not self.done[c]:
            self._send_outside_beat(c, t)

    def _send_outside_beat(self, c: int, t: float) -> None:
        """Nearest free unit of the sector, then the precinct; else wait for one."""
        b = self.beat[c]
        sector, precinct = self.sector_of[b], self.precinct_of[b]
        u = self._nearest(self.sector_free[sector], c)
        if u < 0:
            u = self._nearest(self.precinct_free[precinct], c)
        if u >= 0:
            self.waiting -= 1
            self._send(c, u, t)
            return
        entry = (self.priority[c], self.queued[c], c)
        heappush(self.sector_wait[sector], entry)
        heappush(self.precinct_wait[precinct], entry)
