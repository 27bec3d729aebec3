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


@dataclass(frozen=True)
class LevelAgreement:
    """How often the assignment equals the department's own label at one level."""

    level: str
    compared: int
    spatial_agree: int
    final_agree: int
    approximate: bool = False

    def as_dict(self) -> dict:
        def share(n: int) -> float | None:
            return round(n / self.compared, 6) if self.compared else None

        return {
            "compared": self.compared,
            "point_in_polygon_agree": self.spatial_agree,
            "point_in_polygon_share": share(self.spatial_agree),
            "assigned_agree": self.final_agree,
            "assigned_share": share(self.final_agree),
            "approximate_layer": self.approximate,
        }


@dataclass(frozen=True)
class AreaAssignment:
    """Incidents with area columns, rows outside the layer, and agreement figures."""

    assigned: pd.DataFrame
    outside: pd.DataFrame
    no_location: pd.DataFrame
    agreement: dict[str, LevelAgreement]
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
        rows[s.X].to_numpy(), rows[s.Y].to_numpy(), finest.geometry.values,
        label_index, tolerance,
    )
    ids = finest["area_id"].to_numpy()
    keep = result.index >= 0
    located = rows[s.LOCATED].to_numpy(dtype=bool)
    assigned = rows[keep].copy()
    assigned[s.area_column(fine)] = ids[result.index[keep]]
    assigned[s.method_column(fine)] = result.method[keep]
    assigned[s.LOCATED] = located[keep] & (result.method[keep] != LABEL_UNLOCATED)
    agreement = {
        fine: _agreement(fine, label_index, result.spatial_index, result.index, located)
    }
    layers = {fine: finest[["area_id", "name", "geometry"]]}
    for level in levels[1:]:
        parent_of, approximate = _parent_mapping(level, finest, assigned, fine)
        _assign_coarse(assigned, level, parent_of, fine)
        layers[level.name] = dissolve_areas(finest, parent_of)
        agreement[level.name] = _coarse_agreement(assigned, level, parent_of, fine, approximate)
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
        parent = normalize_area_ids(finest[level.parent_field])
        return pd.Series(parent.values, index=finest["area_id"].values), False
    labels = normalize_area_ids(assigned[s.label_column(level.name)].fillna(pd.NA))
    counts = (
        pd.DataFrame({"fine": assigned[s.area_column(fine)].values, "label": labels.values})
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


def _agreement(
    level: str,
    label_index: np.ndarray,
    spatial: np.ndarray,
    final: np.ndarray,
    located: np.ndarray,
) -> LevelAgreement:
    compared = located & (label_index >= 0) & (spatial >= 0)
    return LevelAgreement(
        level=level,
        compared=int(compared.sum()),
        spatial_agree=int((compared & (spatial == label_index)).sum()),
        final_agree=int((compared & (final == label_index)).sum()),
    )


def _coarse_agreement(
    assigned: pd.DataFrame,
    level: LevelConfig,
    parent_of: pd.Series,
    fine: str,
    approximate: bool,
) -> LevelAgreement:
    label_col = s.label_column(level.name)
    if label_col not in assigned:
        return LevelAgreement(level.name, 0, 0, 0, approximate)
    labels = normalize_area_ids(assigned[label_col].fillna(pd.NA))
    spatial = assigned[s.area_column(fine)].map(parent_of)
    compared = labels.notna() & spatial.notna() & assigned[s.LOCATED]
    return LevelAgreement(
        level=level.name,
        compared=int(compared.sum()),
        spatial_agree=int((compared & (spatial == labels)).sum()),
        final_agree=int((compared & (assigned[s.area_column(level.name)] == labels)).sum()),
        approximate=approximate,
    )
