"""Area-label columns of a draft: the finest level's label and coarser levels."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from geo.crs import LONLAT
from geo.crs_rank import usable_points
from geo.io import normalize_area_ids
from pipelines.ingest.draft.columns import (
    _LEVEL_ALIASES,
    _LEVEL_WORDS,
    _PLACEHOLDER,
    SAMPLE_ROWS,
    Guess,
    _Column,
)
from pipelines.ingest.draft.coordinates import _numbers
from pipelines.ingest.draft.labels import (
    LabelCandidate,
    layer_fields,
    point_areas,
    rank_finest,
    score_label_column,
)
from pipelines.ingest.source_profile import LabelSpec

# --- area labels -----------------------------------------------------------------


def _guess_labels(
    cols: dict[str, _Column],
    rows: pd.DataFrame,
    area_ll: gpd.GeoDataFrame | None,
    taken: set[str],
    warnings: list[str],
    guesses: dict[str, Guess],
) -> dict[str, Guess]:
    """Area-label columns scored by coverage, rows and point-in-polygon agreement
    (pipelines.ingest.draft.labels); the finest-level label and coarser levels."""
    out: dict[str, Guess] = {}
    picks = [
        c
        for c in cols.values()
        if c.name not in taken and c.words & _LEVEL_WORDS and c.distinct <= 5000
    ]
    sample = np.unique(np.linspace(0, len(rows) - 1, min(len(rows), SAMPLE_ROWS)))
    pip = _sample_pip(rows, sample.astype(int), guesses, area_ll)
    scored: list[tuple[str, LabelCandidate | None]] = []
    used: set[str] = set()
    for col in picks:
        level = _level_name(col, used)
        labels = rows[col.name].iloc[sample.astype(int)].str.strip()
        if area_ll is None:
            scored.append((level, None))
            out[f"label.{level}"] = Guess(
                LabelSpec(col.name), 0.5, "header names an area level; not checked"
            )
            continue
        cand = score_label_column(col.name, labels, area_ll, pip)
        scored.append((level, cand))
        missing = tuple(
            str(v)
            for v in rows[col.name].str.strip().unique()
            if _PLACEHOLDER.match(str(v))
            and str(v) not in cand.values
            and normalize_area_ids(pd.Series([v])).iloc[0] not in cand.values.values()
        )
        values = cand.values if cand.role == "finest" else {}
        out[f"label.{level}"] = Guess(
            LabelSpec(col.name, missing, values),
            cand.confidence,
            cand.evidence(len(area_ll)),
        )
    return out | _label_roles(scored, out, area_ll, warnings)


def _level_name(col: _Column, used: set[str]) -> str:
    """The level a label column names: its first level word ("DISTRICT_ID" ->
    district), or its whole header when that level is already taken."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", col.name)
    level = next((w.lower() for w in words if w.lower() in _LEVEL_WORDS), None)
    level = _LEVEL_ALIASES.get(level, level) if level else None
    if level is None or level in used:
        level = "_".join(w.lower() for w in re.findall(r"[A-Za-z]+", col.name))
    used.add(level)
    return level


def _sample_pip(
    rows: pd.DataFrame,
    sample: np.ndarray,
    guesses: dict[str, Guess],
    area_ll: gpd.GeoDataFrame | None,
) -> np.ndarray | None:
    """Polygon position of each sampled row's point (-1: none), or None."""
    if area_ll is None:
        return None
    if "lon" in guesses and "lat" in guesses:
        pair, crs = (guesses["lon"].value, guesses["lat"].value), None
    elif "x" in guesses and "crs" in guesses and guesses["crs"].value:
        pair, crs = (guesses["x"].value, guesses["y"].value), guesses["crs"].value
    else:
        return None
    x, y = _numbers(rows.iloc[sample], pair)  # type: ignore[arg-type]
    x, y = (
        np.where(usable_points(x, y), x, np.nan),
        np.where(usable_points(x, y), y, np.nan),
    )
    if crs is not None:
        x, y = Transformer.from_crs(crs, LONLAT, always_xy=True).transform(x, y)
    return point_areas(area_ll, np.asarray(x, float), np.asarray(y, float))


def _label_roles(
    scored: list[tuple[str, LabelCandidate | None]],
    labels: dict[str, Guess],
    area_ll: gpd.GeoDataFrame | None,
    warnings: list[str],
) -> dict[str, Guess]:
    """``area_label`` (the finest level's column), ``labels.levels`` (level,
    candidate) of the finest and coarser levels, ``layer.fields``."""
    if area_ll is None:
        return {}
    out: dict[str, Guess] = {}
    ranked = {c.column: (lv, c) for lv, c in scored if c is not None}
    finest = rank_finest([c for _, c in ranked.values()])
    id_field, name_field = layer_fields(area_ll)
    out["layer.fields"] = Guess(
        (id_field, name_field), 0.7 if id_field else 0.0, "unique attributes"
    )
    if finest is None:
        warnings.append(
            "no label column names most of the area layer's areas and agrees with "
            "the points: the build will assign by location only"
        )
    else:
        level = ranked[finest.column][0]
        out["area_label"] = Guess(
            finest.column, finest.confidence, labels[f"label.{level}"].evidence
        )
        for label, (area, ratio) in finest.fuzzy.items():
            warnings.append(
                f"`{finest.column}` value '{label}' matched area {area} only "
                f"fuzzily (ratio {ratio:.2f}): check the values map"
            )
    levels = [(lv, c) for lv, c in ranked.values() if c is finest]
    coarser = [(lv, c) for lv, c in ranked.values() if c.role == "coarser"]
    levels += sorted(coarser, key=lambda p: -p[1].distinct)
    out["labels.levels"] = Guess(tuple(levels), 1.0, "finest first")
    return out
