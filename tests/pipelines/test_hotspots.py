"""Hotspot step (pipelines/analysis/refresh/hotspots.py) on the bundled sample and small fixtures."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.crs import LONLAT, transform_xy
from geo.grid import cell_of, make_grid
from pipelines.analysis.hotspots import (
    build_grid,
    build_hotspot_cells,
    build_knox,
    grid_cells_table,
    jurisdiction_polygon,
)
from pipelines.analysis_settings import HotspotSettings

FAST = HotspotSettings(permutations=9, emerging_months=6)


@pytest.fixture(scope="module")
def sample(sample_store):
    con = duckdb.connect(str(sample_store), read_only=True)
    try:
        areas = con.execute("SELECT * FROM areas").df()
        incidents = con.execute(
            "SELECT x, y, occurred_at, category FROM incidents WHERE located"
        ).df()
        meta = "SELECT value FROM meta WHERE key = 'analysis_crs'"
        crs = con.execute(meta).fetchone()[0]
        last = con.execute("SELECT max(day) FROM daily_counts").fetchone()[0]
        as_of = pd.Timestamp(last)
    finally:
        con.close()
    return areas, incidents, crs, as_of


def test_grid_covers_the_union_of_the_finest_areas(sample):
    areas, _, crs, _ = sample
    grid = build_grid(areas, "neighborhood", crs, 250.0)
    finest = areas.loc[areas["level"] == "neighborhood", "area_km2"].sum()
    assert grid.inside_area_km2.sum() == pytest.approx(finest, rel=1e-6)
    assert grid.crs == crs


def test_unknown_level_is_an_error(sample):
    areas, _, crs, _ = sample
    with pytest.raises(ValueError, match='no areas at level "beat"; levels present'):
        jurisdiction_polygon(areas, "beat", crs)


def test_cells_table_has_lonlat_squares(sample):
    areas, _, crs, _ = sample
    grid = build_grid(areas, "neighborhood", crs, 250.0)
    table = grid_cells_table(grid)
    assert len(table) == grid.n_cells
    squares = shapely.from_wkb(table["geometry_wkb"])
    lon, lat = transform_xy(table["x"].to_numpy(), table["y"].to_numpy(), crs, LONLAT)
    assert shapely.contains_xy(squares, lon, lat).all()
    assert -91 < lon.min() and lon.max() < -90 and 38 < lat.min() and lat.max() < 39


def test_hotspot_cells_for_all_crimes_and_busy_categories(sample):
    areas, incidents, crs, as_of = sample
    grid = build_grid(areas, "neighborhood", crs, 250.0)
    cells = build_hotspot_cells(incidents, grid, as_of, FAST)
    everything = cells[cells["category"] == "all"]
    assert len(everything) == grid.n_cells
    start = as_of - pd.Timedelta(days=364)
    in_window = incidents[incidents["occurred_at"].dt.normalize() >= start]
    on_grid = (cell_of(grid, in_window["x"], in_window["y"]) >= 0).sum()
    assert everything["n"].sum() == on_grid
    per_category = cells.groupby("category")["n"].sum()
    assert (per_category.drop("all") >= FAST.min_incidents).all()
    assert everything["permutations"].iloc[0] == 9
    assert (cells.loc[cells["category"] != "all", "permutations"] == 0).all()
    assert (cells["seed"] == FAST.seed).all()
    assert set(everything["significance"]) <= {
        "hot 99%",
        "hot 95%",
        "hot 90%",
        "not significant",
        "cold 90%",
        "cold 95%",
        "cold 99%",
    }
    assert everything["emerging"].notna().all()
    assert (everything["gi_bin"] >= 2).any()


def test_missing_columns_are_an_error():
    grid = make_grid(shapely.box(0, 0, 500, 500), 100.0)
    missing = r"incidents is missing columns \['category'\]"
    with pytest.raises(ValueError, match=missing):
        build_hotspot_cells(
            pd.DataFrame({"x": [], "y": [], "occurred_at": []}),
            grid,
            pd.Timestamp("2019-01-01"),
        )


def test_knox_table_for_one_category():
    rng = np.random.default_rng(0)
    incidents = pd.DataFrame(
        {
            "x": rng.uniform(0, 2000, 200),
            "y": rng.uniform(0, 2000, 200),
            "occurred_at": pd.Timestamp("2019-01-01")
            + pd.to_timedelta(rng.integers(0, 300, 200), unit="D"),
            "category": ["burglary", "theft"] * 100,
        }
    )
    table = build_knox(
        incidents, "burglary", pd.Timestamp("2019-12-31"), permutations=19, seed=4
    )
    assert (table["n_points"] == 100).all()
    assert (table["category"] == "burglary").all()
    assert table[["permutations", "seed"]].iloc[0].tolist() == [19, 4]
    with pytest.raises(ValueError, match='category was "burglaries"'):
        build_knox(incidents, "burglaries", pd.Timestamp("2019-12-31"))
