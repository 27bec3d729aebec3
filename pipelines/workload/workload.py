"""Workload and response figures from CAD calls (real or simulated)."""

from __future__ import annotations

import pandas as pd

from pipelines import schema as s

ON_VIEW = "on-view"


def response_times_by_priority(calls: pd.DataFrame) -> pd.DataFrame:
    """Queue-to-arrival minutes by priority, on-view calls excluded.

    On-view (officer-initiated) calls are "arrived" when queued, so they would
    pull every figure towards zero; calls with no arrival time (cancelled,
    handled by phone) have no response time and are counted apart.

    Parameters
    ----------
    calls : DataFrame
        Canonical call rows with ``priority``, ``call_source``, ``queued_at`` and
        ``arrived_at``.

    Returns
    -------
    DataFrame
        ``priority, calls, with_arrival, median_min, p90_min`` sorted by priority
        (numeric where possible).

    Example
    -------
    >>> response_times_by_priority(calls).loc[0, "median_min"]
    """
    dispatched = calls[calls[s.CALL_SOURCE] != ON_VIEW]
    minutes = (
        pd.to_datetime(dispatched[s.ARRIVED_AT])
        - pd.to_datetime(dispatched[s.QUEUED_AT])
    ).dt.total_seconds() / 60.0
    frame = pd.DataFrame({"priority": dispatched[s.PRIORITY].astype(str), "m": minutes})
    grouped = frame.groupby("priority")["m"]
    out = pd.DataFrame(
        {
            "calls": grouped.size(),
            "with_arrival": grouped.count(),
            "median_min": grouped.median(),
            "p90_min": grouped.quantile(0.9),
        }
    ).reset_index()
    order = pd.to_numeric(out["priority"], errors="coerce")
    return (
        out.assign(_o=order)
        .sort_values(["_o", "priority"])
        .drop(columns="_o")
        .reset_index(drop=True)
    )
