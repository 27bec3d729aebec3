"""Public-safe data for a watch meeting: one area, its neighbours, three panels.

:func:`build_watch_report` reads the store and returns a :class:`WatchReport`
whose every count already went through :mod:`pipelines.community.public`: only crime
reports that are not sensitive are counted, counts below ``k`` are masked, and
only public categories are named, in plain words. The presentation page, the
HTML export and the PNG/PDF export all draw from this one object.

Panels: the area's top problems (the ranking's order, public categories only)
with the last 28 days against the 28 before and a trend marker from the exact
Poisson test; monthly counts of the last 12 months; and the concerns raised at
the area's last watch meeting with the counts since the meeting against an
equal window before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import duckdb
import geopandas as gpd
import pandas as pd

from pipelines import schema as s
from pipelines.analysis.coverage import DataSpan
from pipelines.analysis.gaps import in_gap, load_gaps
from pipelines.analysis.trends import compare_counts
from pipelines.analysis.windows import PERIOD_DAYS, preceding, trailing
from pipelines.community import public
from pipelines.community.watch_coverage import problem_note, since_note
from pipelines.community.watch_types import (
    PLAIN_WORDS,
    TREND_WORDS,
    Problem,
    RaisedItem,
    Trend,
    WatchReport,
    plain_words,
)
from pipelines.errors import WatchReportError
from pipelines.queries import data_span, read_areas, read_meta
from pipelines.store import table_exists

TOP_PROBLEMS = 3
MONTHS = 12
NEIGHBOUR_TOLERANCE_M = 5.0
MIN_DAYS_SINCE = 7
_LEVEL = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def build_watch_report(
    con: duckdb.DuckDBPyConnection, level: str, area_id: str, k: int | None = None
) -> WatchReport:
    """Public-safe watch-meeting data for one area (module docstring).

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        An open (read-only is enough) store connection.
    level : str
        An area level of the store, e.g. ``"neighborhood"``.
    area_id : str
    k : int, optional
        Smallest count shown; default ``meta.min_count_public`` (3).

    Returns
    -------
    WatchReport

    Raises
    ------
    WatchReportError
        If ``level`` is not a level of the store, ``area_id`` is not one of its
        areas, or the store has no incidents.

    Examples
    --------
    >>> report = build_watch_report(con, "neighborhood", "15")  # doctest: +SKIP
    >>> report.problems[0].label  # doctest: +SKIP
    'Thefts from vehicles'
    """
    meta = read_meta(con)
    check_level(meta, level)
    k = public.public_k(meta) if k is None else k
    areas = read_areas(con, level)
    if str(area_id) not in set(areas["area_id"]):
        raise WatchReportError(
            f"area {area_id!r} is not a {level} of the store; "
            f"examples: {sorted(areas['area_id'])[:5]}"
        )
    as_of = store_as_of(meta)
    area_id = str(area_id)
    shown = neighbourhood_of(areas, area_id, str(meta.get("analysis_crs", "EPSG:3857")))
    counts = area_totals(con, level, as_of)
    shown = shown.merge(counts, on="area_id", how="left").fillna({"n": 0})
    span = store_span(con)
    panels = area_panels(con, level, area_id, as_of, k, load_gaps(con), span)
    return assemble_report(level, area_id, as_of, k, shown, panels, span)


@dataclass(frozen=True)
class AreaPanels:
    """One area's panels: top problems, months (public-safe) and its 12-month total."""

    problems: tuple[Problem, ...]
    monthly: pd.DataFrame
    total: object
    last_meeting: date | None
    raised: tuple[RaisedItem, ...]


def check_level(meta: dict, level: str) -> None:
    """Raise :class:`WatchReportError` unless ``level`` is a level of the store."""
    levels = list(meta.get("levels", []))
    if level not in levels or not _LEVEL.match(level):
        raise WatchReportError(
            f"level was {level!r} but is expected to be one of {levels}"
        )


def store_as_of(meta: dict) -> date:
    """The store's last day of data (``meta.as_of``)."""
    as_of_value = meta.get("as_of")
    if not as_of_value:
        raise WatchReportError(
            "the store has no incidents (no `as_of` in its metadata); build it first"
        )
    return date.fromisoformat(str(as_of_value))


def store_span(con: duckdb.DuckDBPyConnection) -> DataSpan | None:
    """The days the store's data cover (``None`` without daily counts)."""
    return data_span(con) if table_exists(con, "daily_counts") else None


def report_window(as_of: date) -> tuple[date, date]:
    """The 12 calendar months ending with ``as_of``'s: the map's and the monthly
    panel's window, so the map's count of an area is the total of its months."""
    first = (pd.Timestamp(as_of).to_period("M") - (MONTHS - 1)).to_timestamp().date()
    return first, as_of


def area_totals(
    con: duckdb.DuckDBPyConnection, level: str, as_of: date
) -> pd.DataFrame:
    """Public incidents per area of ``level`` in :func:`report_window`: ``area_id, n``
    (raw counts: mask them with :func:`assemble_report`)."""
    return _area_counts(con, level, *report_window(as_of))


def area_panels(
    con: duckdb.DuckDBPyConnection,
    level: str,
    area_id: str,
    as_of: date,
    k: int,
    gaps: pd.DataFrame,
    span: DataSpan | None,
) -> AreaPanels:
    """The panels of one area, with complementary suppression of its months
    against its 12-month total (:func:`pipelines.community.public.protect_total`).

    A comparison with a window outside ``span`` is not tested: it says why.
    """
    raw = _monthly(con, level, area_id, as_of)
    monthly = _mark_gaps(public.public_counts(raw, k), gaps)
    monthly, total = public.protect_total(monthly, k, raw["n"])
    last_meeting, raised = _raised(con, level, area_id, as_of, k, span)
    return AreaPanels(
        _top_problems(con, level, area_id, as_of, k, span),
        monthly,
        total,
        last_meeting,
        raised,
    )


def assemble_report(
    level: str,
    area_id: str,
    as_of: date,
    k: int,
    shown: gpd.GeoDataFrame,
    panels: AreaPanels,
    span: DataSpan | None = None,
) -> WatchReport:
    """A :class:`WatchReport` from the area's neighbourhood (``area_id, name,
    role, geometry, n``; raw or masked counts) and its panels.

    The selected area's map count is its 12-month total as protected with its
    months; the full store (:func:`build_watch_report`) and the public store
    (:mod:`pipelines.community.public_store`) both end here.
    """
    shown = public.public_counts(shown, k)
    selected = shown["area_id"] == area_id
    shown.loc[selected, "n"] = panels.total
    shown.loc[selected, "n_text"] = public.public_count_text(panels.total, k)
    shown.loc[selected, "n_suppressed"] = public.is_missing(panels.total)
    monthly = panels.monthly
    suppressed = int(shown["n_suppressed"].sum() + monthly["n_suppressed"].sum())
    suppressed += sum(
        p.last28_text.startswith("fewer") + p.prior28_text.startswith("fewer")
        for p in panels.problems
    )
    name = str(shown.loc[selected, "name"].iloc[0])
    return WatchReport(
        level=level,
        area_id=area_id,
        area_name=name,
        as_of=as_of,
        k=k,
        areas=gpd.GeoDataFrame(shown, geometry="geometry", crs=shown.crs),
        map_window=report_window(as_of),
        problems=panels.problems,
        monthly=monthly,
        last_meeting=panels.last_meeting,
        raised=panels.raised,
        suppressed=suppressed,
        complementary=int(monthly["n_withheld"].sum()),
        span=span,
    )


def neighbourhood_of(
    areas: gpd.GeoDataFrame,
    area_id: str,
    crs: str,
    tolerance_m: float = NEIGHBOUR_TOLERANCE_M,
) -> gpd.GeoDataFrame:
    """The area and the areas touching it (within ``tolerance_m``), with a role.

    Returns
    -------
    GeoDataFrame
        ``area_id, name, role, geometry`` (role ``"selected"`` or
        ``"neighbour"``), in the CRS of ``areas``.
    """
    projected = areas.to_crs(crs)
    target = projected.loc[projected["area_id"] == area_id].geometry.iloc[0]
    near = projected.geometry.intersects(target.buffer(tolerance_m))
    out = areas.loc[near.to_numpy(), ["area_id", "name", "geometry"]].copy()
    out["role"] = ["selected" if a == area_id else "neighbour" for a in out["area_id"]]
    return out.reset_index(drop=True)


def _area_counts(
    con: duckdb.DuckDBPyConnection, level: str, start: date, end: date
) -> pd.DataFrame:
    """Public incidents per area of ``level`` between two days: ``area_id, n``."""
    column = s.area_column(level)
    return con.execute(
        f"SELECT {column} AS area_id, count(*)::BIGINT AS n FROM crimes "
        f"WHERE {public.public_incident_clause()} AND {column} IS NOT NULL "
        "AND occurred_at >= ? AND occurred_at < ? + INTERVAL 1 DAY GROUP BY 1",
        [start, end],
    ).df()


def _category_counts(
    con: duckdb.DuckDBPyConnection, level: str, area_id: str, start: date, end: date
) -> dict[str, int]:
    """Public incidents per category of one area between two days."""
    rows = con.execute(
        "SELECT category, count(*) FROM crimes "
        f"WHERE {public.public_incident_clause()} "
        f"AND {s.area_column(level)} = ? AND occurred_at >= ? "
        "AND occurred_at < ? + INTERVAL 1 DAY GROUP BY 1",
        [area_id, start, end],
    ).fetchall()
    return {str(c): int(n) for c, n in rows}


def _top_problems(
    con: duckdb.DuckDBPyConnection,
    level: str,
    area_id: str,
    as_of: date,
    k: int,
    span: DataSpan | None,
) -> tuple[Problem, ...]:
    """The ranking's top public categories with 28-day counts and a trend."""
    window = trailing(as_of, PERIOD_DAYS)
    last = _category_counts(con, level, area_id, *window.as_tuple())
    prior = _category_counts(con, level, area_id, *preceding(window).as_tuple())
    order = _ranked_categories(con, level, area_id)
    if not order:
        order = sorted(last, key=lambda c: (-last[c], c))
    picked = [c for c in order if c in PLAIN_WORDS and (last.get(c) or prior.get(c))]
    problems = []
    note = problem_note(span, as_of)
    for category in picked[:TOP_PROBLEMS]:
        now, before = last.get(category, 0), prior.get(category, 0)
        verdict = "untested" if note else compare_counts(now, before).verdict
        trend: Trend = verdict if verdict in ("up", "down", "untested") else "same"  # type: ignore[assignment]
        problems.append(
            Problem(
                category,
                plain_words(category),
                public.public_count_text(now, k),
                public.public_count_text(before, k),
                trend,
                note,
            )
        )
    return tuple(problems)


def _ranked_categories(
    con: duckdb.DuckDBPyConnection, level: str, area_id: str
) -> list[str]:
    """Categories of the area in ranking order (public ones only)."""
    if not table_exists(con, "rankings"):
        return []
    rows = con.execute(
        "SELECT category FROM rankings WHERE level = ? AND area_id = ? ORDER BY rank",
        [level, area_id],
    ).fetchall()
    return public.public_categories(str(r[0]) for r in rows)


GAP_TEXT = "no data (gap in the export)"


def _mark_gaps(monthly: pd.DataFrame, gaps: pd.DataFrame) -> pd.DataFrame:
    """Months inside a data gap show no count and say so: a hole in the export
    must not read as a fall in crime (nor as a withheld small count)."""
    months = gaps[gaps["granularity"] == "month"]
    gap = in_gap(monthly["month"], months)
    out = monthly.copy()
    out["gap"] = gap
    out.loc[gap, "n"] = pd.NA
    out.loc[gap, "n_text"] = GAP_TEXT
    out.loc[gap, "n_suppressed"] = False
    return out


def _monthly(
    con: duckdb.DuckDBPyConnection, level: str, area_id: str, as_of: date
) -> pd.DataFrame:
    """Public incidents per calendar month, the 12 months ending with ``as_of``'s."""
    first = report_window(as_of)[0]
    rows = con.execute(
        "SELECT date_trunc('month', occurred_at)::DATE AS month, count(*)::BIGINT AS n "
        f"FROM crimes WHERE {public.public_incident_clause()} "
        f"AND {s.area_column(level)} = ? AND occurred_at >= ? "
        "AND occurred_at < ? + INTERVAL 1 DAY GROUP BY 1",
        [area_id, first, as_of],
    ).df()
    months = pd.period_range(first, as_of, freq="M").to_timestamp()
    counts = dict(zip(pd.to_datetime(rows["month"]), rows["n"], strict=True))
    frame = pd.DataFrame(
        {"month": months, "n": [int(counts.get(m, 0)) for m in months]}
    )
    frame["label"] = frame["month"].dt.strftime("%b %Y")
    if as_of != (pd.Timestamp(as_of) + pd.offsets.MonthEnd(0)).date():
        frame.loc[frame.index[-1], "label"] += f" (to {as_of.day})"
    return frame


def _raised(
    con: duckdb.DuckDBPyConnection,
    level: str,
    area_id: str,
    as_of: date,
    k: int,
    span: DataSpan | None,
) -> tuple[date | None, tuple[RaisedItem, ...]]:
    """The last meeting's public concerns and the counts since against before."""
    if not table_exists(con, "watch_concerns"):
        return None, ()
    rows = con.execute(
        "SELECT meeting_date, category, status FROM watch_concerns WHERE level = ? "
        "AND area_id = ? AND meeting_date = (SELECT max(meeting_date) FROM "
        "watch_concerns WHERE level = ? AND area_id = ?) ORDER BY created_at",
        [level, area_id, level, area_id],
    ).fetchall()
    if not rows:
        return None, ()
    meeting = rows[0][0]
    days = (as_of - meeting).days
    after = _category_counts(con, level, area_id, meeting + timedelta(days=1), as_of)
    before = (
        _category_counts(con, level, area_id, *trailing(meeting, days).as_tuple())
        if days > 0
        else {}
    )
    items = []
    note = since_note(span, meeting, as_of) if days >= MIN_DAYS_SINCE else ""
    for _, category, status in rows:
        if not public.is_public_category(category) or category not in PLAIN_WORDS:
            continue
        items.append(
            RaisedItem(
                plain_words(category),
                str(status),
                _since_words(
                    after.get(category, 0), before.get(category, 0), days, as_of, k
                )
                if not note
                else f"Since the meeting ({days} days): "
                f"{public.public_count_text(after.get(category, 0), k)} incidents. "
                f"{note}",
            )
        )
    return meeting, tuple(items)


def _since_words(after: int, before: int, days: int, as_of: date, k: int) -> str:
    """ "Since the meeting (49 days): 20, against 31 in the 49 days before: ..."."""
    if days < MIN_DAYS_SINCE:
        return f"Too soon to tell: the data run to {as_of:%d %b %Y}."
    verdict = compare_counts(after, before).verdict
    trend = verdict if verdict in ("up", "down") else "same"
    return (
        f"Since the meeting ({days} days): {public.public_count_text(after, k)} "
        f"incidents, against {public.public_count_text(before, k)} incidents in the "
        f"{days} days before: {TREND_WORDS[trend]}."
    )


def _scalar(
    con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None
) -> Any:
    """First column of the first row of a query (None when there is no row)."""
    row = con.execute(sql, params or []).fetchone()
    return None if row is None else row[0]
