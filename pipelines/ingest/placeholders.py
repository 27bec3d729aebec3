"""Marking placeholder coordinates as unlocated before areas are assigned.

The rules live in :mod:`geo.placeholders`. Here they are applied to the rows a
derive assigns: a placeholder row loses its coordinates (``located`` false),
so it is kept by its area label like any row without coordinates, or
quarantined as ``no_location`` with a message naming the rule. The table
``location_placeholders`` records, per rule (and per stacked point), how many
rows fired, how many were kept by their label and how many were quarantined.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from geo.crs import LONLAT, transform_xy
from geo.placeholders import RULES, PlaceholderSettings, find_placeholders, rule_text
from pipelines import schema as s
from pipelines import store
from pipelines.ingest.source_profile import load_source_profile

PLACEHOLDER = "_placeholder"  # column: the rule a row broke, None where none
PLACEHOLDER_COLUMNS = ["rule", "lon", "lat", "rows", "kept_by_label", "quarantined"]


def source_origins(profiles: Iterable[Path]) -> dict[str, tuple[float, float]]:
    """Per source name, the lon/lat image of its projected CRS's ``0, 0``.

    Sources read as lon/lat (no ``crs``) have no entry.
    """
    out: dict[str, tuple[float, float]] = {}
    for path in profiles:
        profile = load_source_profile(path)
        if profile.crs and profile.crs != LONLAT:
            lon, lat = transform_xy(np.zeros(1), np.zeros(1), profile.crs, LONLAT)
            out[profile.name] = (float(lon[0]), float(lat[0]))
    return out


def mark_placeholders(
    rows: pd.DataFrame,
    bounds: tuple[float, float, float, float],
    origins: Mapping[str, tuple[float, float]],
    settings: PlaceholderSettings | None = None,
) -> pd.DataFrame:
    """``rows`` with placeholder points unlocated and the rule in ``_placeholder``.

    Parameters
    ----------
    rows : DataFrame
        ``source``, ``lon``, ``lat``, ``x``, ``y``, ``located`` (and anything else).
    bounds : tuple of float
        The finest layer's bounding box in the analysis CRS.
    origins : mapping
        :func:`source_origins`.

    Returns
    -------
    DataFrame
        A copy; placeholder rows get NaN ``x``/``y`` and ``located`` False.
    """
    codes, sources = pd.factorize(rows[s.SOURCE])  # a handful of sources
    images = np.array(
        [origins.get(name, (np.nan, np.nan)) for name in sources] + [(np.nan, np.nan)],
        dtype="float64",
    ).reshape(-1, 2)
    origin = images[codes]  # code -1 (no source) takes the last, NaN row
    rule = find_placeholders(
        rows[s.LON].to_numpy("float64"),
        rows[s.LAT].to_numpy("float64"),
        rows[s.X].to_numpy("float64"),
        rows[s.Y].to_numpy("float64"),
        bounds,
        origin,
        settings,
    )
    out = rows.copy()
    out[PLACEHOLDER] = rule
    hit = pd.notna(rule)
    out.loc[hit, [s.X, s.Y]] = np.nan
    out.loc[hit, s.LOCATED] = False
    return out


def no_location_messages(rule: pd.Series) -> np.ndarray:
    """The ``no_location`` quarantine message per row (the rule that fired, if any)."""
    plain = "no usable coordinates and no area label"
    return np.array(
        [
            plain
            if pd.isna(r)
            else f"coordinates are a placeholder ({r}: {rule_text(r)}); "
            "treated as unlocated, and there is no area label"
            for r in rule
        ],
        dtype=object,
    )


def placeholder_table(marked: pd.DataFrame, kept_rows: np.ndarray) -> pd.DataFrame:
    """Per rule (and per stacked point): rows, kept by label, quarantined.

    ``kept_rows`` are the staged row ids that got an area (by their label).
    """
    hit = marked[pd.notna(marked[PLACEHOLDER])]
    if hit.empty:
        return pd.DataFrame(columns=PLACEHOLDER_COLUMNS).astype(
            {"rows": "int64", "kept_by_label": "int64", "quarantined": "int64"}
        )
    stacked = hit[PLACEHOLDER] == "stacked_point"
    frame = pd.DataFrame(
        {
            "rule": hit[PLACEHOLDER].to_numpy(object),
            "lon": np.where(stacked, hit[s.LON].round(6), np.nan),
            "lat": np.where(stacked, hit[s.LAT].round(6), np.nan),
            "kept": np.isin(hit[s.STAGED_ROW].to_numpy(), kept_rows),
        }
    )
    table = (
        frame.groupby(["rule", "lon", "lat"], dropna=False)["kept"]
        .agg(rows="size", kept_by_label="sum")
        .reset_index()
    )
    table["quarantined"] = table["rows"] - table["kept_by_label"]
    table["rule"] = pd.Categorical(table["rule"], categories=list(RULES))
    table = table.sort_values(["rule", "rows"], ascending=[True, False])
    table["rule"] = table["rule"].astype(str)
    return (
        table[PLACEHOLDER_COLUMNS]
        .astype({"rows": "int64", "kept_by_label": "int64", "quarantined": "int64"})
        .reset_index(drop=True)
    )


def placeholder_counts(table: pd.DataFrame) -> dict[str, int]:
    """Rows per rule that fired (``{rule: rows}``, rule order)."""
    sums = table.groupby("rule")["rows"].sum()
    return {r: int(sums[r]) for r in RULES if r in sums.index and sums[r] > 0}


def describe_placeholders(table: pd.DataFrame) -> list[str]:
    """Lines for ``check`` and the build: rows per rule, kept by label or not."""
    if table.empty:
        return ["Placeholder coordinates: none found."]
    lines = ["Placeholder coordinates (treated as unlocated, not as outside):"]
    for rule in RULES:
        part = table[table["rule"] == rule]
        if part.empty:
            continue
        lines.append(
            f"  {rule} ({rule_text(rule)}): {int(part['rows'].sum()):,} rows, "
            f"{int(part['kept_by_label'].sum()):,} kept by their area label, "
            f"{int(part['quarantined'].sum()):,} quarantined as no_location"
        )
        if rule == "stacked_point":
            for r in part.itertuples():
                lines.append(f"    at {r.lon:.6f}, {r.lat:.6f}: {int(r.rows):,} rows")
    return lines


def load_placeholders(con) -> pd.DataFrame:
    """The store's ``location_placeholders`` (empty in a store built before it)."""
    if not store.table_exists(con, "location_placeholders"):
        return pd.DataFrame(columns=PLACEHOLDER_COLUMNS)
    return con.execute("SELECT * FROM location_placeholders").df()
