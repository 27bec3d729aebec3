"""Assigning every incident to exactly one area per level, and the area tables.

The finest level is assigned by location (geo.assign's boundary rule); coarser
levels come from parent codes on the finest polygons, or from the incidents' own
labels (mapped by dissolving the finest layer by majority label: approximate).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.areas import dissolve_areas
from geo.assign import LABEL_UNLOCATED, assign_points
from geo.io import normalize_area_ids
from pipelines import schema as s
from pipelines.settings import LevelConfig

PARENT = "parent"  # method code: taken from the finer area
SPATIAL = "_spatial_area"  # the point-in-polygon answer before the label rule
_LABEL_KNOWN = "_label_known"


AGREEMENT_COLUMNS = [
    "source",
    "level",
    "compared",
    "point_in_polygon_agree",
    "assigned_agree",
    "approximate_layer",
]


def agreement_dict(table: pd.DataFrame) -> dict[str, dict]:
    """Agreement table -> ``{level: {figures..., "by_source": {source: figures}}}``."""

    def figures(row: pd.Series) -> dict:
        n = int(row["compared"])
        share = lambda k: round(int(row[k]) / n, 6) if n else None
        return {
            "compared": n,
            "point_in_polygon_agree": int(row["point_in_polygon_agree"]),
            "point_in_polygon_share": share("point_in_polygon_agree"),
            "assigned_agree": int(row["assigned_agree"]),
            "assigned_share": share("assigned_agree"),
            "approximate_layer": bool(row["approximate_layer"]),
        }

    out: dict[str, dict] = {}
    for _, row in table.iterrows():
        entry = out.setdefault(row["level"], {"by_source": {}})
        if row["source"] == ALL_SOURCES:
            entry.update(figures(row))
        else:
            entry["by_source"][row["source"]] = figures(row)
    return out


ALL_SOURCES = "all"


@dataclass(frozen=True)
class AreaAssignment:
    """Incidents with area columns, rows outside the layer, and agreement figures."""

    assigned: pd.DataFrame
    outside: pd.DataFrame
    no_location: pd.DataFrame
    agreement: pd.DataFrame
    layers: dict[str, gpd.GeoDataFrame]


def assign_areas(
    rows: pd.DataFrame,
    finest: gpd.GeoDataFrame,
    levels: tuple[LevelConfig, ...],
    tolerance: float,
) -> AreaAssignment:
    """Assign rows to one area per level (see module docstring).

    Parameters
    ----------
    rows : DataFrame
        Counted incidents with ``x``, ``y`` (analysis CRS) and label columns.
    finest : GeoDataFrame
        The finest level's layer (``area_id``, ``name``, geometry) in the
        analysis CRS, plus any parent-code columns used by coarser levels.
    levels : tuple of LevelConfig
        All levels, finest first.
    tolerance : float
        Metres; see geo.assign.

    Returns
    -------
    AreaAssignment
        ``assigned`` rows gain ``area_<level>`` and ``method_<level>`` for every
        level; located rows outside the layer and unlocated rows without a usable
        label are returned apart (they are quarantined by the caller).
    """
    fine = levels[0].name
    label_col = s.label_column(fine)
    labels = rows[label_col] if label_col in rows else pd.Series(None, index=rows.index)
    label_key = normalize_area_ids(labels.fillna(pd.NA))
    position = pd.Series(np.arange(len(finest)), index=finest["area_id"].values)
    label_index = label_key.map(position).fillna(-1).astype("int64").to_numpy()
    result = assign_points(
        rows[s.X].to_numpy(),
        rows[s.Y].to_numpy(),
        finest.geometry.values,
        label_index,
        tolerance,
    )
    ids = finest["area_id"].to_numpy()
    keep = result.index >= 0
    located = rows[s.LOCATED].to_numpy(dtype=bool)
    assigned = rows[keep].copy()
    assigned[s.area_column(fine)] = ids[result.index[keep]]
    assigned[s.method_column(fine)] = result.method[keep]
    assigned[s.LOCATED] = located[keep] & (result.method[keep] != LABEL_UNLOCATED)
    spatial = result.spatial_index[keep]
    assigned[SPATIAL] = np.where(spatial >= 0, ids[np.maximum(spatial, 0)], None)
    assigned[_LABEL_KNOWN] = label_index[keep] >= 0
    layers = {fine: finest[["area_id", "name", "geometry"]]}
    parents = {fine: None}
    approximate = {fine: False}
    for level in levels[1:]:
        parent_of, approximate[level.name] = _parent_mapping(
            level, finest, assigned, fine
        )
        _assign_coarse(assigned, level, parent_of, fine)
        layers[level.name] = dissolve_areas(finest, parent_of)
        parents[level.name] = parent_of
    agreement = measure_agreement(assigned, fine, parents, approximate)
    assigned = assigned.drop(columns=[SPATIAL, _LABEL_KNOWN])
    return AreaAssignment(
        assigned=assigned,
        outside=rows[~keep & located],
        no_location=rows[~keep & ~located],
        agreement=agreement,
        layers=layers,
    )


def _parent_mapping(
    level: LevelConfig, finest: gpd.GeoDataFrame, assigned: pd.DataFrame, fine: str
) -> tuple[pd.Series, bool]:
    """Parent id of each finest area; for label levels, the majority label."""
    if level.parent_field:
        parent = normalize_area_ids(finest[level.parent_field].astype(object))
        mapping = pd.Series(parent.values, index=finest["area_id"].values)
        if mapping.notna().all() or s.label_column(level.name) not in assigned:
            return mapping, False
        # Areas without a parent code take their incidents' majority label.
        majority, _ = _majority_label(assigned, level, fine)
        return mapping.fillna(majority), False
    return _majority_label(assigned, level, fine)


def _majority_label(
    assigned: pd.DataFrame, level: LevelConfig, fine: str
) -> tuple[pd.Series, bool]:
    labels = normalize_area_ids(assigned[s.label_column(level.name)].fillna(pd.NA))
    counts = (
        pd.DataFrame(
            {"fine": assigned[s.area_column(fine)].values, "label": labels.values}
        )
        .dropna()
        .value_counts()
        .reset_index()
        .sort_values(["fine", "count", "label"], ascending=[True, False, True])
    )
    majority = counts.drop_duplicates("fine").set_index("fine")["label"]
    return majority, True


def _assign_coarse(
    assigned: pd.DataFrame, level: LevelConfig, parent_of: pd.Series, fine: str
) -> None:
    from_parent = assigned[s.area_column(fine)].map(parent_of)
    area = from_parent
    method = pd.Series(PARENT, index=assigned.index, dtype=object)
    if level.from_label:
        labels = normalize_area_ids(assigned[s.label_column(level.name)].fillna(pd.NA))
        has_label = labels.notna()
        area = labels.where(has_label, from_parent)
        method = method.where(~has_label, "label")
    assigned[s.area_column(level.name)] = area.astype(object)
    assigned[s.method_column(level.name)] = method


def measure_agreement(
    assigned: pd.DataFrame,
    fine: str,
    parents: dict[str, pd.Series | None],
    approximate: dict[str, bool],
) -> pd.DataFrame:
    """Agreement with the source's labels, per level and source (and ``all``).

    Compared: located rows with a label naming a known area (at the finest
    level) or any label (coarser levels) and a spatial answer.
    ``point_in_polygon_agree`` counts the purely spatial answer (the parent of
    the point-in-polygon area at coarser levels); ``assigned_agree`` the final
    assignment after the label rule.
    """
    rows = []
    located = assigned[s.LOCATED].to_numpy(dtype=bool)
    for level, parent_of in parents.items():
        label_col = s.label_column(level)
        if label_col not in assigned:
            continue
        labels = normalize_area_ids(assigned[label_col].fillna(pd.NA))
        spatial = (
            assigned[SPATIAL] if parent_of is None else assigned[SPATIAL].map(parent_of)
        )
        known = assigned[_LABEL_KNOWN] if parent_of is None else labels.notna()
        compared = located & known.to_numpy(dtype=bool) & spatial.notna().to_numpy()
        frame = pd.DataFrame(
            {
                "source": assigned[s.SOURCE].to_numpy(),
                "compared": compared,
                "point_in_polygon_agree": compared
                & (spatial == labels).to_numpy(dtype=bool),
                "assigned_agree": compared
                & (assigned[s.area_column(level)] == labels).to_numpy(dtype=bool),
            }
        )
        sums = frame.groupby("source").sum()
        sums.loc[ALL_SOURCES] = frame.drop(columns="source").sum()
        sums = sums.reset_index().assign(
            level=level, approximate_layer=approximate[level]
        )
        rows.append(sums[sums["compared"] > 0])
    if not rows:
        return pd.DataFrame(columns=AGREEMENT_COLUMNS)
    return pd.concat(rows, ignore_index=True)[AGREEMENT_COLUMNS]
