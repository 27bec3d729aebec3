"""CompStat-style area summaries: 7-day, 28-day and year-to-date counts against
the prior period and the same period last year, each with an exact Poisson test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.analysis.coverage import (
    DataSpan,
    partial_bins,
    span_from_daily,
    uncovered_note,
)
from pipelines.analysis.gaps import overlaps_gap
from pipelines.analysis.trends import ALPHA, compare_counts, format_p
from pipelines.analysis.windows import (
    WEEK_DAYS,
    DayRange,
    Period,
    latest_complete_week_end,
    periods_ending,
    trailing,
)

RISE, FALL, STEADY, NO_TEST = "▲", "▼", "•", "n/a"
FLAG_LEGEND = {
    RISE: "significant rise (exact Poisson test, 5% level)",
    FALL: "significant fall (exact Poisson test, 5% level)",
    STEADY: "no significant change: within what chance alone would produce",
    NO_TEST: "no comparison: a period not fully inside the data is not tested",
}
_WINDOW_LABELS = {
    "7d": ("These 7 days", "The 7 days before", "The same 7 days a year earlier"),
    "28d": ("These 28 days", "The 28 days before", "The same 28 days a year earlier"),
    "ytd": ("This year to date", None, "The same part of last year"),
}
SPARK_WEEKS = 52


def flag(current: int, previous: int, exposure_ratio: float = 1.0) -> str:
    """▲ / ▼ when the exact Poisson test says the change is significant, else •."""
    return _flag_of(compare_counts(current, previous, exposure_ratio))


def _flag_of(test) -> str:
    if not test.significant:
        return STEADY
    return RISE if test.direction == "up" else FALL


def compstat_table(
    daily: pd.DataFrame,
    areas: pd.DataFrame,
    week_end: pd.Timestamp,
    gaps: pd.DataFrame | None = None,
    span: DataSpan | None = None,
) -> pd.DataFrame:
    """One row per area: counts per period, prior and last year, flags, sparkline.

    A comparison whose period (or whose current period) is not fully inside the
    data is never tested: its count is missing (``<NA>``, not 0) and its flag
    :data:`NO_TEST`; :func:`comparison_notes` says why in words.

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
        ``None`` (a break in the line, not a fall to zero); so is a week not
        fully inside ``span``.
    span : DataSpan, optional
        The days the data covers (``pipelines.queries.data_span``); default:
        :func:`pipelines.analysis.coverage.span_from_daily` of ``daily``.

    Returns
    -------
    DataFrame
        ``area_id, name``, then for each period p in 7d, 28d, ytd: ``p``,
        ``p_prior``, ``p_last_year``, ``p_flag_prior``, ``p_flag_last_year``;
        and ``weekly`` (a list of the last 52 weekly counts, oldest first).
    """
    daily = daily.assign(day=pd.to_datetime(daily["day"]))
    if span is None:
        span = span_from_daily(daily)
    table = areas[["area_id", "name"]].copy().reset_index(drop=True)
    for period in periods_ending(week_end):
        p = period.name
        covered = _covered(span, period.start, period.end)
        table[p] = _counts(table["area_id"], daily, period.start, period.end, covered)
        for suffix, start, end in (
            ("prior", period.prior_start, period.prior_end),
            ("last_year", period.last_year_start, period.last_year_end),
        ):
            tested = covered and _covered(span, start, end)
            counts = _counts(table["area_id"], daily, start, end, tested)
            table[f"{p}_{suffix}"] = counts
            ratio = _days(period.start, period.end) / _days(start, end)
            tests = (
                [
                    compare_counts(a, b, ratio)
                    for a, b in zip(table[p], counts, strict=True)
                ]
                if tested
                else []
            )
            table[f"{p}_flag_{suffix}"] = (
                [_flag_of(test) for test in tests] if tested else NO_TEST
            )
            table[f"{p}_p_{suffix}"] = (
                [test.p_value for test in tests] if tested else float("nan")
            )
    table["weekly"] = _weekly_lists(daily, table["area_id"], week_end, gaps, span)
    return table


def comparison_notes(week_end: pd.Timestamp, span: DataSpan | None) -> list[str]:
    """Why each refused comparison of :func:`compstat_table` was refused, in words.

    Example
    -------
    >>> span = DataSpan(pd.Timestamp("2018-01-01"), pd.Timestamp("2019-12-31"))
    >>> comparison_notes(pd.Timestamp("2018-01-07"), span)[0][:61]
    'No comparison: the 7 days before (25 Dec 2017 to 31 Dec 2017)'
    """
    notes: list[str] = []
    for period in periods_ending(week_end):
        now_label, prior_label, year_label = _WINDOW_LABELS[period.name]
        windows = [(now_label, period.start, period.end)]
        if prior_label is not None:
            windows.append((prior_label, period.prior_start, period.prior_end))
        windows.append((year_label, period.last_year_start, period.last_year_end))
        for label, start, end in windows:
            note = uncovered_note(span, DayRange(start, end), label)
            if note is not None and note not in notes:
                notes.append(note)
    return notes


def _covered(span: DataSpan | None, start: pd.Timestamp, end: pd.Timestamp) -> bool:
    return span is not None and span.covers(DayRange(start, end))


def _counts(
    area_ids: pd.Series,
    daily: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
    covered: bool,
) -> pd.Series:
    """Incidents per area in the window; missing (not 0) when it is not covered."""
    if not covered:
        return pd.Series(pd.NA, index=area_ids.index, dtype="Int64")
    found = area_ids.map(_sum_between(daily, start, end))
    return found.fillna(0).astype("int64")


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
    span: DataSpan | None = None,
) -> list[list[int | None]]:
    """52 weekly counts per area; ``None`` for a week over a data gap or not
    fully inside the data (left out of the line, not drawn as a fall)."""
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
    starts = first + pd.to_timedelta(WEEK_DAYS * np.arange(SPARK_WEEKS), "D")
    blank = np.asarray(overlaps_gap(starts, WEEK_DAYS, gaps)) | partial_bins(
        starts, WEEK_DAYS, span
    )
    zeros = [None if b else 0 for b in blank]
    lookup = {
        a: [None if b else int(v) for v, b in zip(row, blank, strict=True)]
        for a, row in zip(counts.index, counts.to_numpy(), strict=True)
    }
    return [lookup.get(a, zeros) for a in area_ids]


__all__ = [
    "FLAG_LEGEND",
    "NO_TEST",
    "Period",
    "comparison_notes",
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


SIG_TEXT = {RISE: "▲ sig.", FALL: "▼ sig.", STEADY: "", NO_TEST: "n/a"}
"""The significance flag in words, for readers who cannot tell red from green."""
PERIOD_LABELS = (("7d", "7 days", "prior"), ("28d", "28 days", "prior"))
YTD_LABEL = ("ytd", "Year to date", "last_year")
COUNT_COLUMNS = ("7 days", "28 days", "Year to date")


def sector_summary(table: pd.DataFrame, workload: pd.DataFrame) -> pd.DataFrame:
    """The CompStat table in display form, worst first.

    For 7 days, 28 days and year to date: the current count, its significance
    in words (``"▲ sig."``), the prior count (last year's for year to date),
    the change and the percent change (blank when the prior count is 0 or the
    comparison is refused); the 28-day p-value in words; the sparkline; and
    the workload columns (blank where the store has no calls). Rows with a
    significant 28-day rise come first, then by the 28-day change, largest
    first; significant falls last.
    """
    out = pd.DataFrame({"Area": table["area_id"], "Name": table["name"]})
    for period, label, against in (*PERIOD_LABELS, YTD_LABEL):
        current = table[period].astype("Int64")
        prior = table[f"{period}_{against}"].astype("Int64")
        flags = table[f"{period}_flag_{against}"]
        out[label] = current
        out[f"{label}: sig."] = flags.map(SIG_TEXT).fillna("")
        out[f"{label}: {'last year' if against == 'last_year' else 'prior'}"] = prior
        out[f"{label}: change"] = current - prior
        out[f"{label}: % change"] = _percent_change(current, prior)
        if period == "28d":
            out["28 days: p"] = [
                NO_TEST if pd.isna(p) else format_p(p, 3 if p < ALPHA else 2)
                for p in table["28d_p_prior"]
            ]
    out["Last 52 weeks"] = table["weekly"]
    figures = workload.set_index("area_id") if len(workload) else pd.DataFrame()
    for column, label in WORKLOAD_COLUMNS.items():
        out[label] = (
            table["area_id"].map(figures[column]).to_numpy()
            if column in figures
            else float("nan")
        )
    order = table["28d_flag_prior"].map({RISE: 0, FALL: 2}).fillna(1)
    change = out["28 days: change"].astype("float64").fillna(0.0)
    key = pd.DataFrame({"o": order.to_numpy(), "c": -change.to_numpy()})
    worst = key.sort_values(["o", "c"], kind="mergesort").index
    return out.iloc[worst].reset_index(drop=True)


RISE_STYLE = "color: #b71c1c; font-weight: bold"  # red: a significant rise
FALL_STYLE = "color: #1b5e20; font-weight: bold"  # green: a significant fall


def compstat_styles(summary: pd.DataFrame) -> pd.DataFrame:
    """CSS per cell of :func:`sector_summary`: each current count red for a
    significant rise, green for a significant fall (the ``sig.`` column says
    the same in words); for ``DataFrame.style.apply(..., axis=None)``."""
    styles = pd.DataFrame("", index=summary.index, columns=summary.columns)
    for label in COUNT_COLUMNS:
        marks = summary[f"{label}: sig."]
        styles.loc[marks == SIG_TEXT[RISE], label] = RISE_STYLE
        styles.loc[marks == SIG_TEXT[FALL], label] = FALL_STYLE
    return styles


def _percent_change(current: pd.Series, prior: pd.Series) -> pd.Series:
    """100 * (current - prior) / prior; missing when prior is 0 or missing."""
    base = prior.astype("float64").where(prior.astype("float64") > 0)
    return ((current.astype("float64") - base) / base * 100.0).round(1)
