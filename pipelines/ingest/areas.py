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
from pipelines.ingest.label_match import area_keys, resolve_labels
from pipelines.settings import LevelConfig

PARENT = "parent"  # method code: taken from the finer area


AGREEMENT_COLUMNS = [
    "source",
    "level",
    "labelled",
    "matched",
    "compared",
    "point_in_polygon_agree",
    "assigned_agree",
    "assigned_rows",
    "approximate_layer",
    "from_label",
]


def agreement_dict(table: pd.DataFrame) -> dict[str, dict]:
    """Agreement table -> ``{level: {figures..., "by_source": {source: figures}}}``."""

    def figures(row: pd.Series) -> dict:
        n, labelled = int(row["compared"]), int(row["labelled"])

        def share(k: str, of: int | None = None) -> float | None:
            total = n if of is None else of
            return round(int(row[k]) / total, 6) if total else None

        return {
            "labelled": labelled,
            "matched": int(row["matched"]),
            "match_share": share("matched", labelled),
            "agreement_share": share("assigned_agree", labelled),
            "assigned_rows": int(row["assigned_rows"]),
            "from_label": bool(row["from_label"]),
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
        level (categorical columns); located rows outside the layer and
        unlocated rows without a usable label are returned apart (they are
        quarantined by the caller).
    """
    fine = levels[0].name
    ids = finest["area_id"].to_numpy(dtype=object)
    labels = _level_labels(rows, finest, levels)
    label_index = _label_positions(labels.get(fine), ids, len(rows))
    result = assign_points(
        rows[s.X].to_numpy(),
        rows[s.Y].to_numpy(),
        finest.geometry.values,
        label_index,
        tolerance,
    )
    keep = result.index >= 0
    located = rows[s.LOCATED].to_numpy(dtype=bool)
    assigned = rows[keep].copy()
    labels = {level: values[keep] for level, values in labels.items()}
    fine_at = _FineAnswers(
        position=result.index[keep],
        spatial=result.spatial_index[keep],
        label=label_index[keep],
    )
    assigned[s.area_column(fine)] = pd.Categorical.from_codes(
        fine_at.position, categories=ids
    )
    assigned[s.method_column(fine)] = pd.Categorical(result.method[keep])
    assigned[s.LOCATED] = located[keep] & (result.method[keep] != LABEL_UNLOCATED)
    layers = {fine: finest[["area_id", "name", "geometry"]]}
    parents: dict[str, pd.Series | None] = {fine: None}
    approximate = {fine: False}
    for level in levels[1:]:
        parent_of, approximate[level.name] = _parent_mapping(
            level, finest, assigned, labels.get(level.name), fine
        )
        _assign_coarse(assigned, level, parent_of, labels.get(level.name), fine)
        layers[level.name] = dissolve_areas(finest, parent_of)
        parents[level.name] = parent_of
    agreement = measure_agreement(
        assigned, labels, fine_at, ids, parents, {lv.name: lv for lv in levels}
    )
    return AreaAssignment(
        assigned=assigned,
        outside=rows[~keep & located],
        no_location=rows[~keep & ~located],
        agreement=agreement,
        layers=layers,
    )


def _level_labels(
    rows: pd.DataFrame, finest: gpd.GeoDataFrame, levels: tuple[LevelConfig, ...]
) -> dict[str, pd.Series]:
    """Each level's labels, resolved to the level's area ids by normal form
    (``five-points`` -> the id of "Five Points"; see pipelines.ingest.label_match)."""
    out = {}
    for i, level in enumerate(levels):
        column = s.label_column(level.name)
        if column not in rows:
            continue
        if i == 0:
            keys = area_keys(finest["area_id"], finest["name"])
        elif level.parent_field:
            keys = area_keys(normalize_area_ids(finest[level.parent_field]).dropna())
        else:  # label-only level: the labels are the ids
            out[level.name] = normalize_area_ids(rows[column])
            continue
        out[level.name] = resolve_labels(rows[column], keys)
    return out


@dataclass(frozen=True)
class _FineAnswers:
    """Per assigned row, positions in the finest layer (-1 = none): the final
    area, the purely spatial answer and the area the row's own label names."""

    position: np.ndarray
    spatial: np.ndarray
    label: np.ndarray


def _label_positions(labels: pd.Series | None, ids: np.ndarray, n: int) -> np.ndarray:
    """Position in the layer of the area each row's label names (-1: none)."""
    if labels is None:
        return np.full(n, -1, dtype="int64")
    position = pd.Series(np.arange(len(ids)), index=ids)
    return labels.map(position).fillna(-1).astype("int64").to_numpy()


def _parent_mapping(
    level: LevelConfig,
    finest: gpd.GeoDataFrame,
    assigned: pd.DataFrame,
    labels: pd.Series | None,
    fine: str,
) -> tuple[pd.Series, bool]:
    """Parent id of each finest area; for label levels, the majority label."""
    if level.parent_field:
        parent = normalize_area_ids(finest[level.parent_field].astype(object))
        mapping = pd.Series(parent.values, index=finest["area_id"].values)
        if mapping.notna().all() or labels is None:
            return mapping, False
        # Areas without a parent code take their incidents' majority label.
        majority, _ = _majority_label(assigned, labels, fine)
        return mapping.fillna(majority), False
    return _majority_label(assigned, labels, fine)


def _majority_label(
    assigned: pd.DataFrame, labels: pd.Series, fine: str
) -> tuple[pd.Series, bool]:
    counts = (
        pd.DataFrame(
            {
                "fine": assigned[s.area_column(fine)].astype(object).to_numpy(),
                "label": labels.to_numpy(),
            }
        )
        .dropna()
        .value_counts()
        .reset_index()
        .sort_values(["fine", "count", "label"], ascending=[True, False, True])
    )
    majority = counts.drop_duplicates("fine").set_index("fine")["label"]
    return majority, True


def _assign_coarse(
    assigned: pd.DataFrame,
    level: LevelConfig,
    parent_of: pd.Series,
    labels: pd.Series | None,
    fine: str,
) -> None:
    fine_area = assigned[s.area_column(fine)]
    parent_codes, parent_ids = pd.factorize(
        parent_of.reindex(fine_area.cat.categories).to_numpy(dtype=object)
    )
    from_parent = pd.Categorical.from_codes(
        parent_codes[fine_area.cat.codes.to_numpy()], categories=parent_ids
    )
    if not level.from_label:
        assigned[s.area_column(level.name)] = from_parent
        assigned[s.method_column(level.name)] = pd.Categorical.from_codes(
            np.zeros(len(assigned), dtype="int8"), categories=[PARENT]
        )
        return
    has_label = labels.notna().to_numpy()
    area = np.where(has_label, labels.to_numpy(), np.asarray(from_parent, dtype=object))
    assigned[s.area_column(level.name)] = pd.Categorical(area)
    assigned[s.method_column(level.name)] = pd.Categorical.from_codes(
        has_label.astype("int8"), categories=[PARENT, "label"]
    )


def measure_agreement(
    assigned: pd.DataFrame,
    labels_by_level: dict[str, pd.Series],
    fine_at: _FineAnswers,
    ids: np.ndarray,
    parents: dict[str, pd.Series | None],
    levels: dict[str, LevelConfig],
) -> pd.DataFrame:
    """Agreement with the source's labels, per level and source (and ``all``).

    ``labelled``: located rows with a label and a spatial answer; ``matched``:
    those whose label names an area of the level; ``compared``: those with a
    spatial answer at the level (at the finest level, only matched rows).
    ``point_in_polygon_agree`` counts the purely spatial answer (the parent of
    the point-in-polygon area at coarser levels); ``assigned_agree`` the final
    assignment after the label rule; ``assigned_rows`` the rows given an area
    of the level. Every level has an ``all`` row, labelled or not.
    """
    rows = []
    located = assigned[s.LOCATED].to_numpy(dtype=bool)
    source_code, sources = pd.factorize(assigned[s.SOURCE])
    has_spatial = fine_at.spatial >= 0
    for level, parent_of in parents.items():
        counts = _level_counts(
            assigned, labels_by_level.get(level), fine_at, ids, parent_of, level
        )
        counts = {
            k: v & located & has_spatial if k != "assigned_rows" else v
            for k, v in counts.items()
        }
        sums = pd.DataFrame(
            {
                name: np.bincount(source_code[mask], minlength=len(sources))
                for name, mask in counts.items()
            },
            index=pd.Index(np.asarray(sources, dtype=object), name="source"),
        ).sort_index()
        sums = sums[sums["labelled"] > 0]
        sums.loc[ALL_SOURCES] = {name: int(m.sum()) for name, m in counts.items()}
        rows.append(
            sums.reset_index().assign(
                level=level,
                approximate_layer=levels[level].approximate_map,
                from_label=levels[level].from_label,
            )
        )
    if not rows:
        return pd.DataFrame(columns=AGREEMENT_COLUMNS)
    return pd.concat(rows, ignore_index=True)[AGREEMENT_COLUMNS]


def _level_counts(
    assigned: pd.DataFrame,
    labels: pd.Series | None,
    fine_at: _FineAnswers,
    ids: np.ndarray,
    parent_of: pd.Series | None,
    level: str,
) -> dict[str, np.ndarray]:
    """Boolean masks of one level (see measure_agreement), before the located rule."""
    area = np.asarray(assigned[s.area_column(level)], dtype=object)
    has_area = pd.notna(area)
    if labels is None:
        none = np.zeros(len(assigned), dtype=bool)
        return {
            "labelled": none,
            "matched": none,
            "compared": none,
            "point_in_polygon_agree": none,
            "assigned_agree": none,
            "assigned_rows": has_area,
        }
    has_label = labels.notna().to_numpy()
    if parent_of is None:  # finest level: compare positions in the layer
        matched = fine_at.label >= 0
        compared = matched
        spatial_agree = fine_at.spatial == fine_at.label
        assigned_agree = fine_at.position == fine_at.label
    else:
        parent_by_position = parent_of.reindex(ids).to_numpy(dtype=object)
        spatial = parent_by_position[np.maximum(fine_at.spatial, 0)]
        known = set(pd.Series(parent_of.dropna().astype(str)).unique())
        matched = has_label & labels.isin(known).to_numpy()
        compared = has_label & pd.notna(spatial)
        spatial_agree = _same(spatial, labels.to_numpy())
        assigned_agree = _same(area, labels.to_numpy())
    return {
        "labelled": has_label,
        "matched": matched & has_label,
        "compared": compared,
        "point_in_polygon_agree": compared & spatial_agree,
        "assigned_agree": compared & assigned_agree,
        "assigned_rows": has_area,
    }


def _same(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Element-wise equality of two id arrays; a missing id equals nothing."""
    codes, _ = pd.factorize(np.concatenate([left, right]), use_na_sentinel=True)
    a, b = codes[: len(left)], codes[len(left) :]
    return (a == b) & (a >= 0)
