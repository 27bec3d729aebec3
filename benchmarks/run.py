"""Benchmark beatprofile at one size, on one generated data set, and write JSON.

``python benchmarks/run.py --size 1000000 --json bench-1m.json``

In one run, on the same synthetic data (``benchmarks/generate.py``):

a. area assignment of ``size`` points to a 1,000-area Voronoi layer
   (``benchmarks/areas.py``) by ``geo.assign.assign_points`` and by
   ``geopandas.sjoin(predicate="intersects")``, with their ratio and a check
   that both agree wherever a point is not on a boundary;
b. the whole ``python -m beatprofile build`` as a subprocess: wall time, peak
   RSS (``os.wait4``), RSS over time and per-step times (``_hooks``);
c. dashboard server time per page and per interaction with ``AppTest`` on the
   built store, the first run after each change and a warm rerun apart;
d. bytes of the map payload each page sends (``component_instance`` args).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from benchmarks import generate as gen  # noqa: E402
from benchmarks.assignment_bench import bench_assignment  # noqa: E402
from benchmarks.build_bench import bench_build  # noqa: E402
from benchmarks.dashboard_bench import (  # noqa: E402
    bench_dashboard,
    bench_payload_many_areas,
)
from benchmarks.layout import GENERATOR_VERSION  # noqa: E402
from pipelines.catalog import REPO_ROOT  # noqa: E402

TARGETS = {
    "assignment_speedup_vs_sjoin": ">= 2 at 10M points x >= 1,000 areas",
    "build_seconds_1m": "< 60 s at 1M incidents",
    "build_seconds_10m": "< 600 s at 10M incidents",
    "build_peak_rss_gb_10m": "< 8 GB at 10M incidents",
    "rerun_after_filter_change_seconds": "< 1 s server time (10M store)",
    "map_payload_bytes": "< 2 MB per page at any store size",
}


def main(argv: list[str] | None = None) -> dict:
    """Run every benchmark at one size; write the figures as JSON and print them."""
    args = _parse(argv)
    workdir = args.workdir or Path(tempfile.gettempdir()) / (
        f"beatprofile-bench-{args.size}-{args.seed}"
    )
    figures: dict = {
        "benchmark_version": "1",
        "generator_version": GENERATOR_VERSION,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "size": args.size,
        "seed": args.seed,
        "years": args.years or gen.default_years(args.size),
        "n_areas": args.areas,
        "workdir": str(workdir),
        "machine": _machine(),
        "code": _code_version(),
        "targets": TARGETS,
    }
    if args.dashboard_store:
        return _dashboard_only(args, figures)
    config = workdir / "beatprofile.toml"
    if args.skip_build:
        if not config.is_file():
            raise SystemExit(
                f"--skip-build: no generated data at {workdir}; run without it"
            )
        figures["generate"] = {"skipped": True}
    else:
        _say(f"generating {args.size:,} incidents into {workdir}")
        figures["generate"] = gen.generate(
            args.size, args.seed, workdir, args.years
        ).as_dict()
    _say("timing area assignment against geopandas.sjoin")
    figures["assignment"] = bench_assignment(workdir, args.size, args.areas, args.seed)
    _say(f"assignment: {figures['assignment']}")
    gc.collect()
    store = workdir / "store" / "beatprofile.duckdb"
    if args.skip_build and store.is_file():
        figures["build"] = {"skipped": True}
    else:
        _say("running beatprofile build")
        figures["build"] = bench_build(config, workdir, args.max_rss_gb)
    if store.is_file() and not figures["build"].get("failed"):
        _say("timing the dashboard pages")
        figures["dashboard"] = bench_dashboard(store)
    figures["payload_1000_areas"] = bench_payload_many_areas(args.areas, args.seed)
    figures["verdicts"] = verdicts(figures)
    figures["machine"]["load_average_at_end"] = os.getloadavg()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8"
    )
    print_table(figures)
    return figures


def _say(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)  # noqa: T201


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, required=True, help="incidents to generate")
    parser.add_argument(
        "--json", type=Path, required=True, help="where to write figures"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="generated data and store (default: a temp folder)",
    )
    parser.add_argument(
        "--skip-build",
        action="store_true",
        help="reuse the data and store already in --workdir",
    )
    parser.add_argument(
        "--years",
        type=int,
        default=None,
        help="years of data (default: by size, 2 to 10)",
    )
    parser.add_argument("--areas", type=int, default=1000)
    parser.add_argument(
        "--max-rss-gb",
        type=float,
        default=20.0,
        help="kill the build if its RSS passes this (protects the machine)",
    )
    parser.add_argument(
        "--dashboard-store",
        type=Path,
        default=None,
        help="only time the dashboard on this store (e.g. a stand-in "
        "from scale_store.py)",
    )
    return parser.parse_args(argv)


def _dashboard_only(args: argparse.Namespace, figures: dict) -> dict:
    import duckdb

    with duckdb.connect(str(args.dashboard_store), read_only=True) as con:
        figures["store_incidents"] = con.execute(
            "SELECT count(*) FROM incidents"
        ).fetchone()[0]
        figures["store_daily_counts_rows"] = con.execute(
            "SELECT count(*) FROM daily_counts"
        ).fetchone()[0]
    figures["dashboard_store"] = str(args.dashboard_store)
    figures["dashboard"] = bench_dashboard(args.dashboard_store)
    figures["machine"]["load_average_at_end"] = os.getloadavg()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8"
    )
    for r in figures["dashboard"]["runs"]:
        print(
            f"{r['page']:13s} {r['action']:12s} {r['run']:10s} {r['seconds']:6.2f} s "  # noqa: T201
            f"map {r['map_payload_bytes'] / 1e3:7.0f} kB"
        )
    return figures


# --- verdicts and output ---------------------------------------------------------


def verdicts(f: dict) -> dict:
    """Each target: the measured figure and whether it is met at this size."""
    size = f["size"]
    out: dict = {}
    a = f.get("assignment", {})
    out["assignment_speedup_vs_sjoin"] = _verdict(
        a.get("speedup_vs_sjoin"), 2.0, ">=", size >= 10_000_000
    )
    b = f.get("build", {})
    wall = None if b.get("failed") or b.get("skipped") else b.get("wall_seconds")
    out["build_seconds_1m"] = _verdict(wall, 60.0, "<", size == 1_000_000)
    out["build_seconds_10m"] = _verdict(wall, 600.0, "<", size == 10_000_000)
    rss = b.get("peak_rss_bytes")
    out["build_peak_rss_gb_10m"] = _verdict(
        rss / 1e9 if rss else None, 8.0, "<", size == 10_000_000
    )
    d = f.get("dashboard", {})
    out["rerun_after_filter_change_seconds"] = _verdict(
        d.get("max_first_run_after_filter_change_seconds"), 1.0, "<", size >= 10_000_000
    )
    payloads = [
        d.get("max_map_payload_bytes"),
        f.get("payload_1000_areas", {}).get("map_payload_bytes"),
    ]
    payloads = [p for p in payloads if p is not None]
    out["map_payload_bytes"] = _verdict(
        max(payloads) if payloads else None, 2e6, "<", True
    )
    return out


def _verdict(value, limit: float, op: str, applies: bool) -> dict:
    """``met`` only where the target is set for this size; ``within`` regardless."""
    within = (
        None if value is None else (value >= limit if op == ">=" else value < limit)
    )
    return {
        "value": value,
        "limit": f"{op} {limit:g}",
        "within": within,
        "met": within if applies else None,
        "target_applies_at_this_size": applies,
    }


def print_table(f: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"beatprofile benchmark: {f['size']:,} incidents, seed {f['seed']}"
    )
    table.add_column("figure")
    table.add_column("value", justify="right")
    a = f["assignment"]
    table.add_row(
        f"assign {a['points']:,} pts x {a['areas']} areas: beatprofile",
        f"{a['beatprofile_seconds']:.2f} s",
    )
    table.add_row("  geopandas.sjoin (intersects)", f"{a['sjoin_seconds']:.2f} s")
    table.add_row("  speedup / agree", f"{a['speedup_vs_sjoin']:.1f}x / {a['agree']}")
    if "speedup_vs_sjoin_cpu" in a:
        table.add_row("  speedup in CPU seconds", f"{a['speedup_vs_sjoin_cpu']:.1f}x")
    b = f["build"]
    if not b.get("skipped"):
        table.add_row(
            "build wall",
            f"{b['wall_seconds']:.1f} s" + (" (FAILED)" if b.get("failed") else ""),
        )
        table.add_row("build peak RSS", f"{b['peak_rss_bytes'] / 1e9:.2f} GB")
        for name, step in (b.get("steps") or {}).items():
            if isinstance(step, dict) and name in (
                "stage_files",
                "_derive",
                "derive_incidents",
                "_assign",
                "_write_destinations",
                "assign_points",
                "replace_table",
                "_refresh_aggregates",
                "refresh_analysis",
            ):
                peak = (step["peak_rss_bytes"] or 0) / 1e9
                table.add_row(
                    f"  {name}", f"{step['seconds']:.1f} s, peak {peak:.2f} GB"
                )
    for run in f.get("dashboard", {}).get("runs", []):
        table.add_row(
            f"page {run['page']}: {run['action']} ({run['run']})",
            f"{run['seconds']:.2f} s, map {run['map_payload_bytes'] / 1e3:.0f} kB",
        )
    if "payload_1000_areas" in f:
        table.add_row(
            "map payload, 1,000 areas",
            f"{f['payload_1000_areas']['map_payload_bytes'] / 1e6:.2f} MB",
        )
    for name, v in f["verdicts"].items():
        shown = "-" if v["value"] is None else f"{v['value']:.4g}"
        verdict = (
            "met"
            if v["met"]
            else "MISSED"
            if v["met"] is False
            else f"(target not set at this size; within: {v['within']})"
        )
        table.add_row(f"target {name}", f"{shown} {v['limit']}: {verdict}")
    Console().print(table)


def _machine() -> dict:
    info = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
    }
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        info["cpu"] = next(
            line.split(":", 1)[1].strip()
            for line in cpuinfo.splitlines()
            if line.startswith("model name")
        )
        meminfo = Path("/proc/meminfo").read_text().split()
        info["memory_gb"] = round(int(meminfo[1]) / 1e6, 1)
    except (OSError, StopIteration, ValueError):
        pass
    import duckdb
    import geopandas
    import pandas
    import shapely
    import streamlit

    info["versions"] = {
        m.__name__: m.__version__
        for m in (np, pandas, shapely, geopandas, duckdb, streamlit)
    }
    return info


def _code_version() -> dict:
    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args],
                cwd=REPO_ROOT,
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
        except OSError:
            return ""

    return {
        "commit": git("rev-parse", "HEAD"),
        "dirty_files": git("status", "--porcelain").splitlines(),
    }


if __name__ == "__main__":
    main()
