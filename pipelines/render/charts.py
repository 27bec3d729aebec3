"""Altair chart builders (pure: frames in, ``alt.Chart`` out)."""

from __future__ import annotations

import altair as alt
import pandas as pd

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
# Colour-blind-safe pair (Okabe-Ito blue and grey) for "now" against "a year ago".
SERIES_COLOURS = {"selected period": "#0072B2", "a year earlier": "#999999"}


def weekly_trend_chart(series: pd.DataFrame, title: str = "") -> alt.Chart:
    """Lines of weekly counts: the selected period and the same weeks a year earlier.

    ``series`` is long format ``week, n, series`` (see
    ``pipelines.analysis.profiles.align_prior_year``).
    """
    names = list(SERIES_COLOURS)
    return (
        alt.Chart(series, title=title)
        # A NaN week (a data gap) breaks the line instead of joining across it.
        .mark_line(point=True, invalid="break-paths-show-domains")
        .encode(
            x=alt.X("week:T", title="Week starting"),
            y=alt.Y("n:Q", title="Incidents per week"),
            color=alt.Color(
                "series:N",
                scale=alt.Scale(domain=names, range=[SERIES_COLOURS[n] for n in names]),
                legend=alt.Legend(title=None, orient="top"),
            ),
            strokeDash=alt.StrokeDash(
                "series:N",
                scale=alt.Scale(domain=names, range=[[1, 0], [5, 3]]),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("week:T", title="Week starting"),
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("n:Q", title="Incidents"),
            ],
        )
        .properties(height=280)
    )


def hour_weekday_heatmap(counts: pd.DataFrame, title: str = "") -> alt.Chart:
    """Heatmap of incidents by hour of day (rows) and weekday (columns).

    ``counts`` is ``weekday`` (1 = Monday), ``hour`` (0-23), ``n``; missing
    cells are filled with 0 so the grid is always 24 x 7.
    """
    full = pd.MultiIndex.from_product(
        [range(1, 8), range(24)], names=["weekday", "hour"]
    )
    grid = (
        counts.set_index(["weekday", "hour"])["n"]
        .reindex(full, fill_value=0)
        .reset_index()
        if len(counts)
        else pd.DataFrame(index=full).reset_index().assign(n=0)
    )
    grid["day"] = grid["weekday"].map(lambda d: WEEKDAYS[int(d) - 1])
    return (
        alt.Chart(grid, title=title)
        .mark_rect()
        .encode(
            x=alt.X("day:O", sort=WEEKDAYS, title=None),
            y=alt.Y("hour:O", title="Hour of day"),
            color=alt.Color("n:Q", scale=alt.Scale(scheme="blues"), title="Incidents"),
            tooltip=[
                alt.Tooltip("day:O", title="Day"),
                alt.Tooltip("hour:O", title="Hour"),
                alt.Tooltip("n:Q", title="Incidents"),
            ],
        )
        .properties(height=420)
    )


def pai_curve_chart(summary: pd.DataFrame, label) -> alt.Chart:
    """Mean PAI against the share of area flagged, one line per method."""
    data = summary.assign(method=summary["method"].map(label))
    return (
        alt.Chart(data, title="Mean PAI by share of area flagged")
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "coverage:Q", title="Share of area flagged", axis=alt.Axis(format="%")
            ),
            y=alt.Y("pai_mean:Q", title="Mean PAI"),
            color=_method_colour(),
            tooltip=[
                alt.Tooltip("method:N"),
                alt.Tooltip("coverage:Q", format="%"),
                alt.Tooltip("pai_mean:Q", format=".2f"),
            ],
        )
        .properties(height=320)
    )


def pai_over_time_chart(table: pd.DataFrame, label) -> alt.Chart:
    """PAI per month and method: the period-to-period spread."""
    data = table.assign(method=table["method"].map(label))
    return (
        alt.Chart(data, title="PAI month by month")
        .mark_line()
        .encode(
            x=alt.X("period_start:T", title="Month forecast"),
            y=alt.Y("pai:Q", title="PAI"),
            color=_method_colour(),
            tooltip=[
                alt.Tooltip("method:N"),
                alt.Tooltip("period_start:T", format="%b %Y"),
                alt.Tooltip("pai:Q", format=".2f"),
            ],
        )
        .properties(height=320)
    )


def _method_colour() -> alt.Color:
    """One colour per back-test method, the same in every chart, legend on top."""
    return alt.Color(
        "method:N",
        title=None,
        scale=alt.Scale(scheme="category10"),
        legend=alt.Legend(orient="top", direction="vertical", labelLimit=400),
    )
