"""``beatprofile publish``: a separate public store that holds aggregates only.

:func:`publish_public_store` reads the full store once and writes a new DuckDB
file holding what the public watch-meeting view shows, computed by the
public-safe module (:mod:`pipelines.community.public`, through
:mod:`pipelines.community.watch_report`): areas (no incident points), per-area
12-month totals and monthly counts, monthly counts by public category, the top
problems with their trend, the concerns raised at the last meeting (category
and status; never the organisers' notes), a count of what was withheld, and
metadata. A hidden count is stored as NULL with ``withheld`` true and a
``reason`` (never its value); complementary suppression keeps every total
from revealing a hidden part. No incident row, address, narrative or
coordinate of an incident is copied, and no sensitive category is named.

Every publish runs :func:`audit_public_tables` over every table and refuses to
write (the previous public store stays) when it finds a problem. The public
server reads the result through :mod:`pipelines.community.public_store`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import shapely

from pipelines import schema as s
from pipelines.analysis.coverage import DataSpan
from pipelines.analysis.gaps import load_gaps
from pipelines.community import public
from pipelines.community import watch_report as wr
from pipelines.community.watch_coverage import span_meta
from pipelines.errors import PublicSafetyError
from pipelines.queries import read_areas, read_meta
from pipelines.store import (
    PUBLIC_KIND,
    building_public,
    connect_read_only,
    replace_table,
)

log = logging.getLogger(__name__)

PUBLIC_SCHEMA_VERSION = "1"
TABLES = (
    "meta",
    "areas",
    "area_totals",
    "monthly",
    "monthly_by_category",
    "top_problems",
    "raised",
    "withheld",
)
REASONS = ("fewer_than_k", "complementary", "month_hidden", "gap")
"""Why a count is NULL (``withheld`` true) in a public-store table."""


@dataclass(frozen=True)
class PublishReport:
    """What ``publish`` wrote: the file, row counts per table, withheld cells."""

    path: Path
    k: int
    tables: dict[str, int]
    withheld: dict[str, int] = field(default_factory=dict)
    left_out: dict[str, str] = field(default_factory=dict)
    """Levels not published, each with why (nested in a published level)."""


def default_public_path(store_path: Path) -> Path:
    """``<store stem>-public.duckdb`` beside the store."""
    store_path = Path(store_path)
    return store_path.with_name(f"{store_path.stem}-public.duckdb")


def publish_public_store(
    full_store: Path, public_store: Path, k: int | None = None
) -> PublishReport:
    """Build the public store from the full store, audit it, write it atomically.

    Parameters
    ----------
    full_store : Path
        A store written by ``beatprofile build``.
    public_store : Path
        Where to write the public store (replaced only on success).
    k : int, optional
        Smallest count shown; default the store's ``min_count_public``.

    Returns
    -------
    PublishReport

    Raises
    ------
    StoreError
        If the full store cannot be read.
    PublicSafetyError
        If the privacy audit fails (nothing is written).

    Examples
    --------
    >>> publish_public_store(Path("s.duckdb"), Path("p.duckdb"))  # doctest: +SKIP
    """
    con = connect_read_only(Path(full_store))
    try:
        meta = read_meta(con)
        k = public.public_k(meta) if k is None else k
        levels, left_out = separate_levels(con, list(meta.get("levels", [])))
        tables = build_public_tables(con, k, levels)
    finally:
        con.close()
    report = write_public_store(tables, Path(public_store), k)
    for level, why in left_out.items():
        log.warning("level %s not published: %s", level, why)
    return PublishReport(report.path, k, report.tables, report.withheld, left_out)


def separate_levels(
    con: duckdb.DuckDBPyConnection, levels: list[str]
) -> tuple[list[str], dict[str, str]]:
    """The levels that may share one public store, finest first, and the others.

    Two levels are nested when every area of the finer lies in one area of the
    coarser (beats in sectors): then a sector's count minus the shown counts of
    its beats gives back a hidden beat's count, which suppression within one
    level cannot prevent. A level nested with one already kept is left out
    (cautious default); levels that cut across each other (St. Louis
    neighborhoods and districts) are both kept.
    """
    kept: list[str] = []
    left_out: dict[str, str] = {}
    for level in levels:
        nested = [other for other in kept if _nested(con, other, level)]
        if nested:
            left_out[level] = (
                f"every {nested[0]} lies in one {level}, so a {level}'s count minus "
                f"its {nested[0]}s' shown counts would give back a hidden one"
            )
        else:
            kept.append(level)
    return kept, left_out


def _nested(con: duckdb.DuckDBPyConnection, finer: str, coarser: str) -> bool:
    """Whether every area of ``finer`` with crimes lies in one area of ``coarser``."""
    a, b = s.area_column(finer), s.area_column(coarser)
    split = con.execute(
        f"SELECT count(*) FROM (SELECT {a} FROM crimes WHERE {a} IS NOT NULL "
        f"AND {b} IS NOT NULL GROUP BY 1 HAVING count(DISTINCT {b}) > 1)"
    ).fetchone()[0]
    return int(split) == 0


def build_public_tables(
    con: duckdb.DuckDBPyConnection, k: int, levels: list[str] | None = None
) -> dict[str, pd.DataFrame]:
    """Every table of the public store as frames (see the module docstring).

    ``levels`` defaults to the first of :func:`separate_levels`.
    """
    meta = read_meta(con)
    as_of = wr.store_as_of(meta)
    gaps = load_gaps(con)
    span = wr.store_span(con)
    if levels is None:
        levels = separate_levels(con, list(meta.get("levels", [])))[0]
    parts: dict[str, list[pd.DataFrame]] = {t: [] for t in TABLES[1:-1]}
    for level in levels:
        for name, frame in _level_tables(con, level, as_of, k, gaps, span).items():
            parts[name].append(frame)
    tables = {
        name: pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        for name, frames in parts.items()
    }
    tables["withheld"] = _withheld_summary(tables)
    tables["meta"] = _public_meta({**meta, "levels": levels}, k, as_of, span)
    return {name: tables[name] for name in TABLES}


def _level_tables(
    con: duckdb.DuckDBPyConnection,
    level: str,
    as_of: date,
    k: int,
    gaps: pd.DataFrame,
    span: DataSpan | None,
) -> dict[str, pd.DataFrame]:
    """The public tables' rows for one level."""
    areas = read_areas(con, level)
    totals = areas[["area_id"]].merge(
        wr.area_totals(con, level, as_of), on="area_id", how="left"
    )
    totals["n"] = totals["n"].fillna(0).astype(int)
    raw_total = dict(zip(totals["area_id"], totals["n"], strict=True))
    by_category = _category_months(con, level, as_of)
    rows: dict[str, list] = {"area_totals": [], "monthly": [], "mbc": []}
    problems, raised = [], []
    for area_id in areas["area_id"]:
        panels = wr.area_panels(con, level, area_id, as_of, k, gaps, span)
        total = panels.total
        rows["area_totals"].append(
            _total_row(level, area_id, total, raw_total[area_id], k)
        )
        monthly = panels.monthly.assign(level=level, area_id=area_id)
        rows["monthly"].append(monthly)
        rows["mbc"].append(_protect_categories(by_category, level, area_id, monthly, k))
        problems += [
            {
                "level": level,
                "area_id": area_id,
                "rank": i + 1,
                "category": p.category,
                "label": p.label,
                "last28_text": p.last28_text,
                "prior28_text": p.prior28_text,
                "trend": p.trend,
                "coverage": p.coverage,
            }
            for i, p in enumerate(panels.problems)
        ]
        raised += [
            {
                "level": level,
                "area_id": area_id,
                "meeting_date": panels.last_meeting,
                "position": i,
                "label": r.label,
                "status": r.status,
                "since": r.since,
            }
            for i, r in enumerate(panels.raised)
        ]
    return {
        "areas": _areas_frame(areas, level),
        "area_totals": pd.DataFrame(rows["area_totals"]),
        "monthly": _monthly_frame(pd.concat(rows["monthly"], ignore_index=True)),
        "monthly_by_category": pd.concat(rows["mbc"], ignore_index=True),
        "top_problems": pd.DataFrame(problems, columns=_PROBLEM_COLUMNS),
        "raised": pd.DataFrame(raised, columns=_RAISED_COLUMNS),
    }


_PROBLEM_COLUMNS = [
    "level",
    "area_id",
    "rank",
    "category",
    "label",
    "last28_text",
    "prior28_text",
    "trend",
    "coverage",
]
_RAISED_COLUMNS = [
    "level",
    "area_id",
    "meeting_date",
    "position",
    "label",
    "status",
    "since",
]


def _total_row(level: str, area_id: str, shown: object, raw: int, k: int) -> dict:
    """An area's 12-month total: the protected value, or NULL with its reason."""
    hidden = public.is_missing(shown)
    return {
        "level": level,
        "area_id": str(area_id),
        "n": None if hidden else int(shown),  # type: ignore[call-overload]
        "withheld": hidden,
        "reason": ("fewer_than_k" if raw < k else "complementary") if hidden else None,
    }


def _areas_frame(areas: pd.DataFrame, level: str) -> pd.DataFrame:
    """Area ids, names and polygons (WKB); nothing about incidents."""
    return pd.DataFrame(
        {
            "level": level,
            "area_id": areas["area_id"].astype(str),
            "name": areas["name"].astype(str),
            "geometry_wkb": shapely.to_wkb(areas.geometry.to_numpy()),
        }
    )


def _monthly_frame(monthly: pd.DataFrame) -> pd.DataFrame:
    """The protected monthly panel as stored: NULL + withheld + reason."""
    reason = pd.Series([None] * len(monthly), dtype=object)
    reason[monthly["n_suppressed"].to_numpy(dtype=bool)] = "fewer_than_k"
    reason[monthly["n_withheld"].to_numpy(dtype=bool)] = "complementary"
    reason[monthly["gap"].to_numpy(dtype=bool)] = "gap"
    return pd.DataFrame(
        {
            "level": monthly["level"],
            "area_id": monthly["area_id"].astype(str),
            "month": pd.to_datetime(monthly["month"]).dt.date,
            "label": monthly["label"],
            "n": monthly["n"].astype("Int64"),
            "withheld": monthly["n"].isna().to_numpy(dtype=bool),
            "reason": reason.to_numpy(),
        }
    )


def _category_months(
    con: duckdb.DuckDBPyConnection, level: str, as_of: date
) -> pd.DataFrame:
    """Raw public counts per area, month and public category (12-month window)."""
    first, last = wr.report_window(as_of)
    column = s.area_column(level)
    return con.execute(
        f"SELECT {column} AS area_id, date_trunc('month', occurred_at)::DATE AS month, "
        "category, count(*)::BIGINT AS n FROM crimes "
        f"WHERE {public.public_incident_clause()} AND {column} IS NOT NULL "
        "AND occurred_at >= ? AND occurred_at < ? + INTERVAL 1 DAY GROUP BY ALL",
        [first, last],
    ).df()


def _protect_categories(
    counts: pd.DataFrame,
    level: str,
    area_id: str,
    monthly: pd.DataFrame,
    k: int,
) -> pd.DataFrame:
    """One area's months x categories, each month's cells protected against the
    month's shown total; every cell of a month whose total is hidden is hidden
    too (showing them all would give that month back)."""
    mine = counts[(counts["area_id"] == area_id)]
    categories = [c for c in public.public_categories(sorted(set(mine["category"])))]
    raw = {
        (pd.Timestamp(m), c): int(n)
        for m, c, n in mine[["month", "category", "n"]].itertuples(index=False)
    }
    out = []
    for month, shown in zip(
        pd.to_datetime(monthly["month"]), monthly["n"], strict=True
    ):
        cells = [raw.get((month, c), 0) for c in categories]
        small = [n < k for n in cells]
        if public.is_missing(shown):
            extra, reasons = [True] * len(cells), ["month_hidden"] * len(cells)
        else:
            extra, _ = public.complementary_hidden(cells, small, k)
            reasons = ["complementary"] * len(cells)
        for category, n, is_small, is_extra, why in zip(
            categories, cells, small, extra, reasons, strict=True
        ):
            hidden = is_small or is_extra
            out.append(
                {
                    "level": level,
                    "area_id": str(area_id),
                    "month": month.date(),
                    "category": category,
                    "n": None if hidden else n,
                    "withheld": hidden,
                    "reason": ("fewer_than_k" if is_small else why) if hidden else None,
                }
            )
    return pd.DataFrame(
        out,
        columns=["level", "area_id", "month", "category", "n", "withheld", "reason"],
    ).astype({"n": "Int64"})


def _withheld_summary(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """How many cells each count table withheld, by reason (never their values)."""
    rows = []
    for name, frame in tables.items():
        if "withheld" not in frame.columns or frame.empty:
            continue
        hidden = frame[frame["withheld"]]
        for reason, cells in hidden.groupby("reason").size().items():
            rows.append(
                {
                    "table_name": name,
                    "reason": str(reason),
                    "cells": int(cells),
                    "of_cells": len(frame),
                }
            )
    return pd.DataFrame(rows, columns=["table_name", "reason", "cells", "of_cells"])


def _public_meta(
    meta: dict, k: int, as_of: date, span: DataSpan | None = None
) -> pd.DataFrame:
    """Key/value metadata of the public store."""
    values = {
        "kind": PUBLIC_KIND,
        "public_schema_version": PUBLIC_SCHEMA_VERSION,
        "department": str(meta.get("department", "")),
        "as_of": as_of.isoformat(),
        "k": str(k),
        "levels": json.dumps(list(meta.get("levels", []))),
        "analysis_crs": str(meta.get("analysis_crs", "EPSG:3857")),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "withheld_note": public.withheld_note(k),
        **span_meta(span),
    }
    return pd.DataFrame({"key": list(values), "value": list(values.values())})


def write_public_store(
    tables: dict[str, pd.DataFrame], path: Path, k: int
) -> PublishReport:
    """Audit ``tables`` and, only if they pass, write them as the public store.

    Raises
    ------
    PublicSafetyError
        Naming the table, the column and why, when :func:`audit_public_tables`
        finds a problem; ``path`` is then left as it was.
    """
    from pipelines.community.publish_audit import audit_public_tables

    problems = audit_public_tables(tables, k)
    if problems:
        shown = "; ".join(problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise PublicSafetyError(
            f"public store not written, the privacy audit failed: {shown}{more}. "
            f"The previous public store at {path} is unchanged; fix the aggregate "
            "(or report it as a bug) and run `beatprofile publish` again"
        )
    with building_public(path) as con:
        for name, frame in tables.items():
            replace_table(con, name, frame)
    withheld = tables["withheld"].groupby("table_name")["cells"].sum()
    return PublishReport(
        path=path,
        k=k,
        tables={name: len(frame) for name, frame in tables.items()},
        withheld={str(t): int(n) for t, n in withheld.items()},
    )
