"""CompStat-style area summaries: 7-day, 28-day and year-to-date counts against
the prior period and the same period last year, each with an exact Poisson test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.analysis.gaps import overlaps_gap
from pipelines.analysis.trends import compare_counts
from pipelines.analysis.windows import (
    WEEK_DAYS,
    Period,
    latest_complete_week_end,
    periods_ending,
    trailing,
)

RISE, FALL, STEADY = "▲", "▼", "•"
FLAG_LEGEND = {
    RISE: "significant rise (exact Poisson test, 5% level)",
    FALL: "significant fall (exact Poisson test, 5% level)",
    STEADY: "no significant change: within what chance alone would produce",
}
SPARK_WEEKS = 52


def flag(current: int, previous: int, exposure_ratio: float = 1.0) -> str:
    """▲ / ▼ when the exact Poisson test says the change is significant, else •."""
    test = compare_counts(current, previous, exposure_ratio)
    if not test.significant:
        return STEADY
    return RISE if test.direction == "up" else FALL


def compstat_table(
    daily: pd.DataFrame,
    areas: pd.DataFrame,
    week_end: pd.Timestamp,
    gaps: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per area: counts per period, prior and last year, flags, sparkline.

    Parameters
    ----------
    daily : DataFrame
        ``area_id, day, n`` already filtered to the chosen categories and level
        (days with no incidents may be missing).
    areas : DataFrame
        ``area_id, name`` of every area of the level (areas with no incidents
        get zeros).
    week_end : Timestamp
        Last day of the week reported (a Sunday).
    gaps : DataFrame, optional
        ``pipelines.analysis.gaps`` table: a sparkline week overlapping a data gap is
        ``None`` (a break in the line, not a fall to zero).

    Returns
    -------
    DataFrame
        ``area_id, name``, then for each period p in 7d, 28d, ytd: ``p``,
        ``p_prior``, ``p_last_year``, ``p_flag_prior``, ``p_flag_last_year``;
        and ``weekly`` (a list of the last 52 weekly counts, oldest first).
    """
    daily = daily.assign(day=pd.to_datetime(daily["day"]))
    table = areas[["area_id", "name"]].copy().reset_index(drop=True)
    for period in periods_ending(week_end):
        now = _sum_between(daily, period.start, period.end)
        prior = _sum_between(daily, period.prior_start, period.prior_end)
        last = _sum_between(daily, period.last_year_start, period.last_year_end)
        ratio_prior = _days(period.start, period.end) / _days(
            period.prior_start, period.prior_end
        )
        ratio_last = _days(period.start, period.end) / _days(
            period.last_year_start, period.last_year_end
        )
        p = period.name
        table[p] = table["area_id"].map(now).fillna(0).astype("int64")
        table[f"{p}_prior"] = table["area_id"].map(prior).fillna(0).astype("int64")
        table[f"{p}_last_year"] = table["area_id"].map(last).fillna(0).astype("int64")
        table[f"{p}_flag_prior"] = [
            flag(a, b, ratio_prior)
            for a, b in zip(table[p], table[f"{p}_prior"], strict=True)
        ]
        table[f"{p}_flag_last_year"] = [
            flag(a, b, ratio_last)
            for a, b in zip(table[p], table[f"{p}_last_year"], strict=True)
        ]
    table["weekly"] = _weekly_lists(daily, table["area_id"], week_end, gaps)
    return table


def _sum_between(
    daily: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> pd.Series:
    inside = daily[(daily["day"] >= start) & (daily["day"] <= end)]
    return inside.groupby("area_id")["n"].sum()


def _days(start: pd.Timestamp, end: pd.Timestamp) -> int:
    return (end - start).days + 1


def _weekly_lists(
    daily: pd.DataFrame,
    area_ids: pd.Series,
    week_end: pd.Timestamp,
    gaps: pd.DataFrame | None = None,
) -> list[list[int | None]]:
    end = pd.Timestamp(week_end).normalize()
    first = trailing(end, WEEK_DAYS * SPARK_WEEKS).start
    inside = daily[(daily["day"] >= first) & (daily["day"] <= end)]
    week = ((inside["day"] - first).dt.days // WEEK_DAYS).to_numpy()
    grid = pd.DataFrame(
        {
            "area_id": inside["area_id"].to_numpy(),
            "week": week,
            "n": inside["n"].to_numpy(),
        }
    )
    counts = grid.groupby(["area_id", "week"])["n"].sum().unstack(fill_value=0)
    counts = counts.reindex(columns=range(SPARK_WEEKS), fill_value=0)
    blank = overlaps_gap(
        first + pd.to_timedelta(7 * np.arange(SPARK_WEEKS), "D"), 7, gaps
    )
    zeros = [None if b else 0 for b in blank]
    lookup = {
        a: [None if b else int(v) for v, b in zip(row, blank, strict=True)]
        for a, row in zip(counts.index, counts.to_numpy(), strict=True)
    }
    return [lookup.get(a, zeros) for a in area_ids]


__all__ = [
    "FLAG_LEGEND",
    "Period",
    "compstat_table",
    "flag",
    "latest_complete_week_end",
    "periods_ending",
]


WORKLOAD_COLUMNS = {
    "calls": "Calls",
    "emergency_response_median_min": "Emergency response, median (min)",
    "response_p90_min": "Response, 90th pct (min)",
    "held_share": "Held",
    "held_over_limit_share": "Held > 30 min",
    "own_beat_share": "Own beat's unit",
    "report_share": "Phone/online reports",
    "utilization": "Utilization (60% guideline)",
}


def sector_summary(table: pd.DataFrame, workload: pd.DataFrame) -> pd.DataFrame:
    """The CompStat table in display form: counts with their flags as text, the
    sparkline, and the workload columns (blank where the store has no calls)."""
    out = pd.DataFrame({"Area": table["area_id"], "Name": table["name"]})
    for period, label in (
        ("7d", "7 days"),
        ("28d", "28 days"),
        ("ytd", "Year to date"),
    ):
        out[label] = table[period]
        out[f"{label}: vs prior"] = (
            table[f"{period}_flag_prior"] + " " + table[f"{period}_prior"].astype(str)
        )
        out[f"{label}: vs last year"] = (
            table[f"{period}_flag_last_year"]
            + " "
            + table[f"{period}_last_year"].astype(str)
        )
    out = out.drop(columns=["Year to date: vs prior"])  # the prior YTD is last year's
    out["Last 52 weeks"] = table["weekly"]
    figures = workload.set_index("area_id") if len(workload) else pd.DataFrame()
    for column, label in WORKLOAD_COLUMNS.items():
        out[label] = (
            table["area_id"].map(figures[column]).to_numpy()
            if column in figures
            else float("nan")
        )
    return out
