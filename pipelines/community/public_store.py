"""Reading a public store (written by :mod:`pipelines.community.publish`).

The public server reads only this file; :func:`read_public_report` rebuilds
the same :class:`~pipelines.community.watch_report.WatchReport` the full
dashboard draws, so one renderer serves both.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import duckdb
import geopandas as gpd
import pandas as pd
import shapely

from pipelines.analysis.coverage import DataSpan
from pipelines.community import public
from pipelines.community import watch_report as wr
from pipelines.community.watch_coverage import (
    NO_SPAN_NOTE,
    problem_note,
    span_from_meta,
)
from pipelines.errors import WatchReportError

LONLAT = "EPSG:4326"


def read_public_meta(con: duckdb.DuckDBPyConnection) -> dict:
    """The public store's metadata (``levels`` decoded, ``k`` as int)."""
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    meta["levels"] = json.loads(meta.get("levels", "[]"))
    meta["k"] = int(meta.get("k", public.DEFAULT_K))
    return meta


def read_public_areas(con: duckdb.DuckDBPyConnection, level: str) -> gpd.GeoDataFrame:
    """Areas of one level: ``area_id, name, geometry`` in lon/lat."""
    frame = con.execute(
        "SELECT area_id, name, geometry_wkb FROM areas WHERE level = ?", [level]
    ).df()
    geometry = shapely.from_wkb([bytes(b) for b in frame.pop("geometry_wkb")])
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=LONLAT)


def read_public_report(
    con: duckdb.DuckDBPyConnection, level: str, area_id: str
) -> wr.WatchReport:
    """The watch report of one area, from the public store only.

    Raises
    ------
    WatchReportError
        If ``level`` or ``area_id`` is not in the public store.

    Examples
    --------
    >>> read_public_report(con, "neighborhood", "15").title  # doctest: +SKIP
    'Tower Grove South: neighborhood watch meeting'
    """
    meta = read_public_meta(con)
    wr.check_level(meta, level)
    areas = read_public_areas(con, level)
    if str(area_id) not in set(areas["area_id"]):
        raise WatchReportError(
            f"area {area_id!r} is not a {level} of the public store; "
            f"examples: {sorted(areas['area_id'])[:5]}"
        )
    area_id, k = str(area_id), int(meta["k"])
    as_of = date.fromisoformat(str(meta["as_of"]))
    shown = wr.neighbourhood_of(areas, area_id, str(meta["analysis_crs"]))
    totals = con.execute(
        "SELECT area_id, n FROM area_totals WHERE level = ?", [level]
    ).df()
    shown = shown.merge(totals, on="area_id", how="left")
    shown["n"] = shown["n"].astype("Int64")
    total = shown.loc[shown["area_id"] == area_id, "n"].iloc[0]
    meeting, raised = _raised(con, level, area_id)
    span = span_from_meta(meta)
    panels = wr.AreaPanels(
        _checked(_problems(con, level, area_id), span, as_of),
        _monthly(con, level, area_id, k),
        total,
        meeting,
        raised,
    )
    return wr.assemble_report(level, area_id, as_of, k, shown, panels, span)


def _monthly(
    con: duckdb.DuckDBPyConnection, level: str, area_id: str, k: int
) -> pd.DataFrame:
    """The monthly panel as :func:`watch_report.area_panels` returns it."""
    rows = con.execute(
        "SELECT month, label, n, reason FROM monthly WHERE level = ? AND area_id = ? "
        "ORDER BY month",
        [level, area_id],
    ).df()
    reason = rows["reason"].fillna("")
    texts = {
        "fewer_than_k": f"fewer than {k}",
        "complementary": public.WITHHELD_TEXT,
        "gap": wr.GAP_TEXT,
    }
    n = rows["n"].astype("Int64")
    return pd.DataFrame(
        {
            "month": pd.to_datetime(rows["month"]),
            "n": n,
            "label": rows["label"],
            "n_text": [
                texts.get(r, public.public_count_text(v, k))
                for r, v in zip(reason, n, strict=True)
            ],
            "n_suppressed": (reason == "fewer_than_k").to_numpy(),
            "n_withheld": (reason == "complementary").to_numpy(),
            "gap": (reason == "gap").to_numpy(),
        }
    )


def _problems(
    con: duckdb.DuckDBPyConnection, level: str, area_id: str
) -> tuple[wr.Problem, ...]:
    has_coverage = bool(
        con.execute(
            "SELECT count(*) FROM information_schema.columns WHERE "
            "table_name = 'top_problems' AND column_name = 'coverage'"
        ).fetchone()[0]
    )
    coverage = "coalesce(coverage, '')" if has_coverage else "''"
    rows = con.execute(
        "SELECT category, label, last28_text, prior28_text, trend, "
        f"{coverage} FROM top_problems "
        "WHERE level = ? AND area_id = ? ORDER BY rank",
        [level, area_id],
    ).fetchall()
    return tuple(wr.Problem(*map(str, row)) for row in rows)  # type: ignore[arg-type]


def _checked(
    problems: tuple[wr.Problem, ...], span: DataSpan | None, as_of: date
) -> tuple[wr.Problem, ...]:
    """The stored problems, with their trend refused again when the span recorded
    in the store does not cover both 28-day windows (or no span is recorded)."""
    note = NO_SPAN_NOTE if span is None else problem_note(span, as_of)
    if not note:
        return problems
    return tuple(replace(p, trend="untested", coverage=note) for p in problems)


def _raised(
    con: duckdb.DuckDBPyConnection, level: str, area_id: str
) -> tuple[date | None, tuple[wr.RaisedItem, ...]]:
    rows = con.execute(
        "SELECT meeting_date, label, status, since FROM raised "
        "WHERE level = ? AND area_id = ? ORDER BY position",
        [level, area_id],
    ).fetchall()
    if not rows:
        return None, ()
    meeting = pd.Timestamp(rows[0][0]).date()
    return meeting, tuple(wr.RaisedItem(str(a), str(b), str(c)) for _, a, b, c in rows)
