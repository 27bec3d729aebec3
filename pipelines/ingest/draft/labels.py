"""Finding the export's area-label columns for ``beatprofile profile init``.

A candidate column (its header names an area level) is scored against the
area layer three ways, so that a coincidence cannot win: **coverage** (distinct
areas its values name / areas in the layer), **rows** (share of labelled rows
naming an area) and **point-in-polygon agreement** on sampled located rows
(its label names the polygon the point falls in). Values are matched by the
normal form of :mod:`pipelines.ingest.label_match` against the layer's ids and every
unique attribute (names), then fuzzily for review. A column of district ids
1-7 against 78 neighborhoods covers 9% of the layer and agrees with few points:
it is not the neighborhood label; if each neighborhood's points mostly carry
one of its values, it is proposed as a coarser level instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.io import normalize_area_ids
from pipelines.ingest.label_match import AreaKeys, area_keys, fuzzy_pairs, label_key

MIN_COVERAGE = 0.5  # share of the layer's areas a finest-level label must name
MIN_AGREEMENT = 0.5  # share of sampled points whose polygon the label names
MIN_PURITY = 0.8  # coarser level: share of points carrying their area's majority


@dataclass(frozen=True)
class LabelCandidate:
    """One label column's scores against the area layer."""

    column: str
    role: str  # "finest", "coarser" or "unverified"
    coverage: float
    rows: float
    agreement: float | None  # with point-in-polygon, on sampled located rows
    purity: float | None  # coarser: points carrying their area's majority label
    distinct: int
    matched_field: str | None = None  # the layer's id field the values map targets
    parent_field: str | None = None  # non-unique layer attribute it equals
    values: dict[str, str] = field(default_factory=dict)
    fuzzy: dict[str, tuple[str, float]] = field(default_factory=dict)

    @property
    def confidence(self) -> float:
        """The weakest of the scores that apply to the role."""
        if self.role == "finest":
            scores = [self.coverage, self.rows]
            return min(
                scores + ([self.agreement] if self.agreement is not None else [])
            )
        if self.role == "coarser":
            return self.purity or 0.0
        return 0.0

    def evidence(self, areas: int) -> str:
        """The scores in words, for the comment above the label."""
        pip = "n/a" if self.agreement is None else f"{self.agreement:.1%}"
        text = (
            f"values name {round(self.coverage * areas)} of the layer's {areas} areas "
            f"(coverage {self.coverage:.1%}); {self.rows:.1%} of labelled rows name "
            f"an area; agrees with point-in-polygon on {pip} of sampled located rows"
        )
        if self.role == "coarser":
            text += (
                f"; {self.distinct} values, each area's points carry its majority "
                f"value in {self.purity:.1%} of rows: a coarser level"
            )
        elif self.role == "unverified":
            text += ": not an area label of this layer, or not verifiable"
        return text


def layer_fields(area_ll: gpd.GeoDataFrame) -> tuple[str | None, str | None]:
    """The layer's id field and name field (``None`` where there is none).

    The id is a unique attribute, preferring number-like values or a header
    with id/num/code; the name a unique attribute with letters, preferring a
    header with "name".

    Example
    -------
    >>> layer_fields(neighborhoods)
    ('NBHD_ID', 'NBHD_NAME')
    """
    unique = _unique_fields(area_ll)

    def id_score(name: str) -> tuple:
        values = unique[name]
        numeric = pd.to_numeric(values, errors="coerce").notna().mean()
        return (bool(re.search(r"id|num|code|no\b", name, re.I)), numeric)

    def name_score(name: str) -> tuple:
        letters = unique[name].str.contains(r"[A-Za-z]{3}").mean()
        return (bool(re.search(r"name", name, re.I)), letters)

    if not unique:
        return None, None
    id_field = max(unique, key=id_score)
    named = [f for f in unique if f != id_field and name_score(f)[1] >= 0.5]
    return id_field, (max(named, key=name_score) if named else None)


def _unique_fields(area_ll: gpd.GeoDataFrame) -> dict[str, pd.Series]:
    out = {}
    for name in area_ll.columns.drop(area_ll.geometry.name):
        values = normalize_area_ids(area_ll[name].astype(object))
        if values.notna().all() and not values.duplicated().any():
            out[str(name)] = values.astype(str)
    return out


def point_areas(
    area_ll: gpd.GeoDataFrame, lon: np.ndarray, lat: np.ndarray
) -> np.ndarray:
    """Position in the layer of the polygon each point falls in (-1: none)."""
    out = np.full(len(lon), -1, dtype="int64")
    ok = np.isfinite(lon) & np.isfinite(lat)
    tree = shapely.STRtree(area_ll.geometry.values)
    points, rows = shapely.points(lon[ok], lat[ok]), np.flatnonzero(ok)
    hit_point, hit_area = tree.query(points, predicate="intersects")
    first = pd.Series(hit_area).groupby(hit_point).min()
    out[rows[first.index.to_numpy()]] = first.to_numpy()
    return out


def score_label_column(
    column: str,
    labels: pd.Series,
    area_ll: gpd.GeoDataFrame,
    pip: np.ndarray | None,
) -> LabelCandidate:
    """Score one column of labels (one per row; ``pip`` aligned with them or None).

    Example
    -------
    >>> score_label_column("DISTRICT_ID", export["DISTRICT_ID"], nbhds, pip).role
    'coarser'
    """
    labels = labels.astype(object).where(labels.astype(str).str.strip() != "")
    distinct = [str(v) for v in pd.unique(labels.dropna())]
    best: tuple | None = None
    for target, ids, keys in _key_sets(area_ll):
        resolved = {v: keys.resolve(ids_of(v).pop()) for v in distinct}
        covered = {a for a in resolved.values() if a is not None}
        mapped_values = sum(1 for v, a in resolved.items() if a and a not in ids_of(v))
        score = (len(covered), -mapped_values, target == layer_fields(area_ll)[0])
        if best is None or score > best[0]:
            best = (score, target, ids, keys, resolved)
    assert best is not None
    _, target, ids, keys, resolved = best
    name_field = layer_fields(area_ll)[1]
    texts = area_ll[name_field].astype(str) if name_field else ids
    text_by_id = dict(zip(ids, texts, strict=True))
    fuzzy = fuzzy_pairs([v for v, a in resolved.items() if a is None], keys, text_by_id)
    resolved |= {v: a for v, (a, _) in fuzzy.items()}
    mapped = labels.map(lambda v: resolved.get(str(v)) if pd.notna(v) else None)
    coverage = _coverage({a for a in resolved.values() if a}, ids, pip)
    rows = float(mapped.notna().sum() / max(labels.notna().sum(), 1))
    agreement, purity = _against_points(labels, mapped, ids, pip)
    values = {v: a for v, a in resolved.items() if a is not None and a not in ids_of(v)}
    candidate = LabelCandidate(
        column=column,
        role="unverified",
        coverage=coverage,
        rows=rows,
        agreement=agreement,
        purity=purity,
        distinct=len(distinct),
        matched_field=target,
        parent_field=_parent_field(area_ll, distinct),
        values=values,
        fuzzy=fuzzy,
    )
    return _with_role(candidate, len(ids))


def ids_of(value: str) -> set[str]:
    """The id ``value`` is, after zero-padding normalisation (no map needed)."""
    return {normalize_area_ids(pd.Series([value], dtype=object)).iloc[0]}


def _key_sets(area_ll: gpd.GeoDataFrame):
    """(id field, its ids, keys of every unique attribute -> those ids), for each
    unique attribute taken as the id (positions when there is none)."""
    unique = _unique_fields(area_ll)
    if not unique:
        ids = [str(i) for i in range(len(area_ll))]
        yield None, ids, area_keys(ids)
        return
    for target, values in unique.items():
        ids = values.tolist()
        names = [v for field_values in unique.values() for v in field_values]
        yield target, ids, area_keys(ids * len(unique), names)


def _coverage(covered: set[str], ids: list[str], pip: np.ndarray | None) -> float:
    """Share of the layer the labels name: of the areas, or, when sampled points
    are located, of the points (an extract of one district covers its points)."""
    by_areas = len(covered) / max(len(ids), 1)
    if pip is None or not (pip >= 0).any():
        return by_areas
    located = np.asarray(ids, dtype=object)[pip[pip >= 0]]
    return max(by_areas, float(np.isin(located, list(covered)).mean()))


def _against_points(
    labels: pd.Series, mapped: pd.Series, ids: list[str], pip: np.ndarray | None
) -> tuple[float | None, float | None]:
    """Agreement with point-in-polygon, and majority purity within each polygon."""
    if pip is None:
        return None, None
    both = (pip >= 0) & labels.notna().to_numpy()
    if not both.any():
        return None, None
    area = np.asarray(ids, dtype=object)[pip[both]]
    agreement = float((mapped.to_numpy(dtype=object)[both] == area).mean())
    frame = pd.DataFrame({"area": pip[both], "label": labels[both].astype(str).values})
    majority = frame.groupby("area")["label"].agg(lambda v: v.value_counts().iloc[0])
    return agreement, float(majority.sum() / len(frame))


def _parent_field(area_ll: gpd.GeoDataFrame, distinct: list[str]) -> str | None:
    """A non-unique layer attribute whose values the labels name (a parent code)."""
    keys = {label_key(v) for v in distinct} - {None}
    best, best_jaccard = None, 0.8  # at least this share in common, both ways
    for name in area_ll.columns.drop(area_ll.geometry.name):
        values = normalize_area_ids(area_ll[name].astype(object)).dropna()
        if values.duplicated().any() and values.nunique() > 1:
            layer = {label_key(v) for v in values.unique()} - {None}
            jaccard = len(layer & keys) / max(len(layer | keys), 1)
            if jaccard >= best_jaccard:
                best, best_jaccard = str(name), jaccard
    return best


def _with_role(c: LabelCandidate, areas: int) -> LabelCandidate:
    finest = (
        c.coverage >= MIN_COVERAGE
        and c.rows >= MIN_COVERAGE
        and (c.agreement is None or c.agreement >= MIN_AGREEMENT)
    )
    coarser = (
        not finest
        and 2 <= c.distinct < areas
        and (c.parent_field is not None or (c.purity or 0) >= MIN_PURITY)
    )
    role = "finest" if finest else "coarser" if coarser else "unverified"
    return LabelCandidate(**{**c.__dict__, "role": role})


def rank_finest(candidates: list[LabelCandidate]) -> LabelCandidate | None:
    """The finest-level label: agreement with the points first, then coverage."""
    finest = [c for c in candidates if c.role == "finest"]
    if not finest:
        return None
    return max(finest, key=lambda c: (c.agreement or 0, c.coverage, c.rows))


__all__ = [
    "AreaKeys",
    "LabelCandidate",
    "layer_fields",
    "point_areas",
    "rank_finest",
    "score_label_column",
]
