"""Deriving coarser area layers from a finer one."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd


def dissolve_areas(fine: gpd.GeoDataFrame, parent_of: pd.Series) -> gpd.GeoDataFrame:
    """Union the polygons of ``fine`` by the parent id of each area.

    Parameters
    ----------
    fine : GeoDataFrame
        Layer with ``area_id`` and ``geometry``.
    parent_of : Series
        Parent id indexed by the fine ``area_id``; areas without a parent are left
        out of the result.

    Returns
    -------
    GeoDataFrame
        ``area_id`` (the parent id), ``name`` (same) and the dissolved geometry.

    Example
    -------
    >>> dissolve_areas(beats, beats.set_index("area_id")["sector"])
    """
    parents = fine["area_id"].map(parent_of)
    keep = parents.notna()
    merged = gpd.GeoDataFrame(
        {"area_id": parents[keep].astype(str).values},
        geometry=fine.geometry[keep].values,
        crs=fine.crs,
    ).dissolve(by="area_id", as_index=False)
    merged["name"] = merged["area_id"]
    order = pd.to_numeric(merged["area_id"], errors="coerce")
    merged = merged.assign(_order=order).sort_values(["_order", "area_id"])
    return merged.drop(columns="_order").reset_index(drop=True)[
        ["area_id", "name", "geometry"]
    ]
