"""The data-quality report: what was read, kept, quarantined or filtered, and why.

Used by ``beatprofile check`` (a dry run), by the build (stored per file in
``file_quality``) and by the dashboard's data-quality page.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.io import normalize_area_ids
from geo.layer_quality import layer_overlaps_and_gaps
from pipelines import schema as s
from pipelines import store
from pipelines.analysis.gaps import describe_gaps, gaps_from_daily
from pipelines.ingest.agreement import (
    DEFAULT_MIN_AGREEMENT,
    agreement_lines,
    agreement_problems,
)
from pipelines.ingest.areas import ALL_SOURCES
from pipelines.ingest.derive import DeriveSummary
from pipelines.ingest.normalize import ISSUE
from pipelines.ingest.placeholders import describe_placeholders

_KEYS = [s.SOURCE, s.FILE]


def file_quality(
    con: duckdb.DuckDBPyConnection, files: list[tuple[str, str]] | None = None
) -> pd.DataFrame:
    """One row per (source, file): read = kept + quarantined + filtered, and why.

    Computed in the store from ``staged``, ``incidents``, ``netted``,
    ``quarantine`` and ``filtered`` (see :func:`pipelines.ingest.derive.derive_incidents`).

    Columns: ``source, file, read, kept, quarantined``, one ``q_<reason>`` column
    per quarantine reason, ``filtered`` (rows the profile's ``[filter]`` set
    aside), ``located_share`` (rows with usable coordinates),
    ``inside_share`` (of located rows, those inside the jurisdiction),
    ``first_date``, ``last_date`` (occurred, of kept incidents),
    ``date_failures`` (bad or future dates) and ``unmapped_codes`` (distinct).
    ``files`` lists every (source, file) read, so an export with no rows still
    gets its row of zeros.
    """
    reason_sums = ", ".join(
        f"count(*) FILTER (WHERE reason = '{r}') AS q_{r}" for r in s.QUARANTINE_REASONS
    )
    frames = [
        con.execute(
            f"SELECT source, file, count(*) AS read, sum(located::INT) AS _located, "
            f"count(DISTINCT offense_code) FILTER (WHERE {ISSUE} = 'unmapped_code') "
            "AS unmapped_codes FROM staged GROUP BY ALL"
        ).df(),
        con.execute(
            "SELECT source, file, count(*) AS kept FROM (SELECT source, file FROM "
            "incidents UNION ALL SELECT source, file FROM netted) GROUP BY ALL"
        ).df(),
        con.execute(
            f"SELECT source, file, {reason_sums} FROM quarantine GROUP BY ALL"
        ).df(),
        con.execute(
            "SELECT source, file, count(*) AS filtered FROM filtered GROUP BY ALL"
        ).df(),
        con.execute(
            f"SELECT source, file, min({s.OCCURRED_AT}) AS first_date, "
            f"max({s.OCCURRED_AT}) AS last_date FROM incidents GROUP BY ALL"
        ).df(),
    ]
    table = pd.concat([f.set_index(_KEYS) for f in frames], axis=1)
    if files:
        index = pd.MultiIndex.from_tuples(files, names=_KEYS)
        table = table.reindex(table.index.union(index))
    q_cols = [f"q_{r}" for r in s.QUARANTINE_REASONS]
    counts = ["read", "kept", "filtered", "unmapped_codes", "_located", *q_cols]
    table[counts] = table[counts].fillna(0).astype("int64")
    table = table.reset_index()
    table["quarantined"] = table[q_cols].sum(axis=1)
    table["located_share"] = table["_located"] / table["read"].where(table["read"] > 0)
    table["inside_share"] = 1 - table["q_outside_jurisdiction"] / table[
        "_located"
    ].where(table["_located"] > 0)
    table["date_failures"] = table["q_bad_date"] + table["q_future_date"]
    return table[
        [
            "source",
            "file",
            "read",
            "kept",
            "quarantined",
            *q_cols,
            "filtered",
            "located_share",
            "inside_share",
            "first_date",
            "last_date",
            "date_failures",
            "unmapped_codes",
        ]
    ].sort_values(_KEYS, ignore_index=True)


@dataclass(frozen=True)
class QualityReport:
    """Figures of a (dry) run, per file and per source, and label agreement."""

    files: pd.DataFrame
    agreement: pd.DataFrame
    unmapped: pd.DataFrame
    disagreements: pd.DataFrame
    layer_lines: tuple[str, ...] = ()
    data_lines: tuple[str, ...] = ()  # placeholder coordinates and data gaps
    min_agreement: float = DEFAULT_MIN_AGREEMENT

    def sources(self) -> pd.DataFrame:
        """The per-file figures summed per source."""
        return summarize_sources(self.files)


def summarize_sources(files: pd.DataFrame) -> pd.DataFrame:
    """Per-file quality figures (see :func:`file_quality`) summed per source."""
    numeric = [
        "read",
        "kept",
        "quarantined",
        *[c for c in files.columns if c.startswith("q_")],
        "filtered",
        "date_failures",
    ]
    grouped = files.groupby("source")
    out = grouped[numeric].sum()
    located = (
        (files["located_share"].fillna(0) * files["read"])
        .groupby(files["source"])
        .sum()
    )
    out["located_share"] = located / out["read"].where(out["read"] > 0)
    out["inside_share"] = 1 - out["q_outside_jurisdiction"] / located.where(located > 0)
    out["first_date"] = grouped["first_date"].min()
    out["last_date"] = grouped["last_date"].max()
    return out.reset_index()


def quality_report(
    con: duckdb.DuckDBPyConnection,
    derived: DeriveSummary,
    finest: gpd.GeoDataFrame,
    fine_level: str,
    files: list[tuple[str, str]] | None = None,
    min_agreement: float = DEFAULT_MIN_AGREEMENT,
) -> QualityReport:
    """Everything ``beatprofile check`` prints, from a (scratch) store's tables."""
    unmapped = con.execute(
        f"SELECT {s.SOURCE}, {s.OFFENSE_CODE}, {s.OFFENSE_DESC}, count(*) AS rows "
        f"FROM staged WHERE {ISSUE} = 'unmapped_code' GROUP BY ALL "
        f"ORDER BY rows DESC, {s.SOURCE}, {s.OFFENSE_CODE}"
    ).df()
    label, area = s.label_column(fine_level), s.area_column(fine_level)
    columns = [s.SOURCE, s.FILE, s.LINE, s.LOCATED, s.X, s.Y, area]
    has_label = label in {r[0] for r in con.execute("DESCRIBE incidents").fetchall()}
    incidents = con.execute(
        f"SELECT {', '.join(columns + ([label] if has_label else []))} FROM incidents "
        f"WHERE {s.LOCATED}" + (f" AND {label} IS NOT NULL" if has_label else "")
    ).df()
    return QualityReport(
        files=file_quality(con, files),
        agreement=derived.agreement,
        unmapped=unmapped,
        disagreements=largest_disagreements(incidents, finest, fine_level),
        layer_lines=tuple(layer_overlaps_and_gaps(finest).summary_lines(fine_level)),
        min_agreement=min_agreement,
        data_lines=tuple(placeholder_and_gap_lines(con)),
    )


def placeholder_and_gap_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Placeholder counts per rule and the data gaps, from a (scratch) store."""
    placeholders = con.execute("SELECT * FROM location_placeholders").df()
    daily = con.execute(
        f"SELECT CAST({s.OCCURRED_AT} AS DATE) AS day, count(*) AS n FROM {store.CRIMES} "
        f"WHERE {s.OCCURRED_AT} IS NOT NULL GROUP BY ALL"
    ).df()
    gaps = gaps_from_daily(daily) if len(daily) else daily.iloc[0:0]
    return describe_placeholders(placeholders) + (
        describe_gaps(gaps) if len(daily) else []
    )


def largest_disagreements(
    incidents: pd.DataFrame, finest: gpd.GeoDataFrame, level: str, n: int = 10
) -> pd.DataFrame:
    """Located incidents whose area differs from their own label, farthest first.

    ``distance_m`` is the distance from the point to the labelled area's polygon
    (beyond the tolerance, so location decided).
    """
    label_col, area_col = s.label_column(level), s.area_column(level)
    if label_col not in incidents or incidents.empty:
        return pd.DataFrame(
            columns=[s.SOURCE, s.FILE, s.LINE, "label", "assigned", "distance_m"]
        )
    labels = normalize_area_ids(incidents[label_col].fillna(pd.NA))
    polygons = pd.Series(finest.geometry.values, index=finest["area_id"].values)
    differ = (
        incidents[s.LOCATED].to_numpy(dtype=bool)
        & labels.isin(polygons.index).to_numpy()
        & (labels != incidents[area_col]).to_numpy(dtype=bool)
    )
    rows = incidents[differ]
    points = shapely.points(rows[s.X].to_numpy(), rows[s.Y].to_numpy())
    distance = shapely.distance(points, polygons.reindex(labels[differ]).to_numpy())
    out = pd.DataFrame(
        {
            s.SOURCE: rows[s.SOURCE].to_numpy(),
            s.FILE: rows[s.FILE].to_numpy(),
            s.LINE: rows[s.LINE].to_numpy(),
            "label": labels[differ].to_numpy(),
            "assigned": rows[area_col].to_numpy(),
            "distance_m": np.round(distance, 1),
        }
    )
    return out.sort_values("distance_m", ascending=False).head(n).reset_index(drop=True)


def format_quality_report(report: QualityReport) -> str:
    """The report as plain text for the terminal."""
    lines = []
    for _, src in report.sources().iterrows():
        lines.append(f"Source {src['source']}:")
        lines.append(
            f"  rows read {src['read']:,} = would keep {src['kept']:,} + quarantine "
            f"{src['quarantined']:,} + filtered {src['filtered']:,}"
        )
        for reason in s.QUARANTINE_REASONS:
            if src[f"q_{reason}"]:
                lines.append(f"    {reason}: {src[f'q_{reason}']:,}")
        if src["filtered"]:
            lines.append(
                f"    {s.FILTERED_REASON} (the profile's [filter]): {src['filtered']:,}"
            )
        lines.append(
            f"  located: {_pct(src['located_share'])}; inside the jurisdiction: "
            f"{_pct(src['inside_share'])} of located rows"
        )
        lines.append(
            f"  dates (occurred, kept rows): {_day(src['first_date'])} to "
            f"{_day(src['last_date'])}; unreadable or impossible dates: "
            f"{src['date_failures']:,}"
        )
        codes = report.unmapped[report.unmapped[s.SOURCE] == src["source"]]
        lines.append(f"  unmapped offense codes: {len(codes)}")
        for _, code in codes.head(15).iterrows():
            lines.append(
                f"    {code[s.OFFENSE_CODE]} ({code[s.OFFENSE_DESC]}): {code['rows']:,} rows"
            )
    lines += [f"  {line}" for line in agreement_lines(report.agreement)]
    lines += [
        f"  Warning: `beatprofile build` would fail: {problem}"
        for problem in agreement_problems(report.agreement, report.min_agreement)
    ]
    if len(report.disagreements):
        lines.append(
            "Largest disagreements with the source's own label (finest level):"
        )
        for _, row in report.disagreements.iterrows():
            lines.append(
                f"  {row[s.FILE]} line {row[s.LINE]}: label {row['label']}, assigned "
                f"{row['assigned']}, {row['distance_m']:,.1f} m from the labelled area"
            )
    lines.extend(report.layer_lines)
    lines.extend(report.data_lines)
    per_file = report.files
    lines.append("Per file (read = kept + quarantined + filtered):")
    for _, f in per_file.iterrows():
        lines.append(
            f"  {f[s.FILE]}: {f['read']:,} = {f['kept']:,} + {f['quarantined']:,} + "
            f"{f['filtered']:,}"
        )
    return "\n".join(lines)


def _pct(value: float) -> str:
    return "n/a" if pd.isna(value) else f"{value:.1%}"


def _day(value) -> str:
    return "n/a" if pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


__all__ = [
    "ALL_SOURCES",
    "QualityReport",
    "file_quality",
    "format_quality_report",
    "largest_disagreements",
    "quality_report",
]
