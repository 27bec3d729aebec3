"""Benchmark (a): area assignment by beatprofile against geopandas.sjoin."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

FEET_CRS = "ESRI:102696"  # the SLMPD exports' State Plane feet


def bench_assignment(workdir: Path, size: int, n_areas: int, seed: int) -> dict:
    """Time assign_points against geopandas.sjoin on the generated points."""
    import geopandas as gpd

    from benchmarks.areas import make_voronoi_areas
    from geo.assign import POLYGON, assign_points

    x, y = read_points(workdir, size, seed)
    layer = make_voronoi_areas(n_areas, seed=seed)
    polygons = np.asarray(layer.geometry.values)
    repeats = 3 if size <= 1_000_000 else 1
    ours, ours_t, ours_cpu = _timed(lambda: assign_points(x, y, polygons), repeats)

    def baseline():
        points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=layer.crs)
        return gpd.sjoin(
            points, layer[["geometry"]], predicate="intersects", how="left"
        )

    joined, sjoin_t, sjoin_cpu = _timed(baseline, repeats)
    check = _compare(ours.index, ours.method == POLYGON, joined, len(x))
    del joined
    return {
        "points": len(x),
        "areas": len(polygons),
        "repeats": repeats,
        "beatprofile_seconds": ours_t,
        "sjoin_seconds": sjoin_t,
        "speedup_vs_sjoin": sjoin_t / ours_t if ours_t else None,
        "beatprofile_cpu_seconds": ours_cpu,
        "sjoin_cpu_seconds": sjoin_cpu,
        "speedup_vs_sjoin_cpu": sjoin_cpu / ours_cpu if ours_cpu else None,
        **check,
    }


def read_points(workdir: Path, size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Exactly ``size`` located generated points in EPSG:26996 (resampled if short)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    from geo.crs import transform_xy

    tables = [
        pcsv.read_csv(
            path,
            convert_options=pcsv.ConvertOptions(
                include_columns=["XCoord", "YCoord"],
                column_types={"XCoord": pa.float64(), "YCoord": pa.float64()},
                strings_can_be_null=True,
            ),
        )
        for path in sorted((workdir / "slmpd").glob("*/*.csv"))
    ]
    table = pa.concat_tables(tables)
    fx = table.column("XCoord").to_numpy(zero_copy_only=False)
    fy = table.column("YCoord").to_numpy(zero_copy_only=False)
    usable = np.isfinite(fx) & np.isfinite(fy) & ((fx != 0) | (fy != 0))
    x, y = transform_xy(fx[usable], fy[usable], FEET_CRS, "EPSG:26996")
    if len(x) < size:
        extra = np.random.default_rng(seed).integers(0, len(x), size - len(x))
        x, y = np.concatenate([x, x[extra]]), np.concatenate([y, y[extra]])
    return np.ascontiguousarray(x[:size]), np.ascontiguousarray(y[:size])


def _timed(func: Callable, repeats: int):
    """Result, median wall seconds and median CPU seconds of this process.

    CPU seconds are reported too because a shared machine inflates wall time;
    both methods are single-threaded, so their CPU times compare fairly.
    """
    times, cpu, result = [], [], None
    for _ in range(repeats):
        result = None
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = func()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return result, statistics.median(times), statistics.median(cpu)


def _compare(index: np.ndarray, by_polygon: np.ndarray, joined, n: int) -> dict:
    """Agreement where sjoin finds exactly one area (a point not on a boundary)."""
    point = joined.index.to_numpy()
    right = joined["index_right"].to_numpy(dtype="float64")
    matched = np.isfinite(right)
    hits = np.bincount(point[matched], minlength=n)
    single = hits == 1
    area = np.full(n, -1, dtype="int64")
    area[point[matched]] = right[matched].astype("int64")
    compared = single
    disagree = int(np.sum(compared & (index != area)))
    outside_disagree = int(np.sum((hits == 0) & by_polygon))
    return {
        "compared_points": int(compared.sum()),
        "disagreements": disagree,
        "points_on_boundaries": int(np.sum(hits > 1)),
        "points_outside_layer": int(np.sum(hits == 0)),
        "outside_but_assigned_by_polygon": outside_disagree,
        "agree": disagree == 0 and outside_disagree == 0,
    }
