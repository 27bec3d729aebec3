"""Per-step timers for a benchmarked ``python -m beatprofile build`` (not a library).

``benchmarks/run.py`` puts this folder first on ``PYTHONPATH`` and sets
``BEATPROFILE_BENCH_STEPS`` to a JSON path. Python then imports this module at
start-up; it wraps the build's step functions (wherever they were imported to)
with wall-clock timers and writes every call's start and end (epoch seconds) to
that path as it happens (one JSON line per call, so a build killed for its
memory still leaves its steps). Without the variable it does nothing. Times are
inclusive: a step that calls another step contains its time.
"""

from __future__ import annotations

import atexit
import functools
import importlib
import json
import os
import sys
import time

STEPS = (
    "pipelines.build:run_build",
    "pipelines.ingest.staging:stage_files",
    "pipelines.build:_derive",
    "pipelines.build:_refresh_aggregates",
    "pipelines.build:_area_table",
    "pipelines.ingest.readers:read_export",
    "pipelines.ingest.normalize:normalize_export",
    "pipelines.store:append_rows",
    "pipelines.store:replace_table",
    "pipelines.store:write_meta",
    "pipelines.ingest.derive:derive_incidents",
    "pipelines.ingest.derive:_quarantine_duplicates",
    "pipelines.ingest.derive:_net_reversal_groups",
    "pipelines.ingest.derive:_assign",
    "pipelines.ingest.derive:_write_destinations",
    "pipelines.ingest.dedupe:keep_latest_versions",
    "pipelines.ingest.reversals:net_reversals",
    "pipelines.ingest.areas:assign_areas",
    "geo.assign:assign_points",
    "pipelines.analysis.profiles:build_profiles",
    "pipelines.ingest.quality:file_quality",
    "pipelines.catalog:load_finest_layer",
    "pipelines.analysis.refresh:refresh_analysis",
    "pipelines.analysis.hotspots:build_hotspot_cells",
    "pipelines.analysis.rankings:rank_problems",
    "pipelines.analysis.backtest:run_backtest",
)


def _install(path: str) -> None:
    log = open(path, "w", encoding="utf-8")  # noqa: SIM115 - open until exit
    log.write(json.dumps({"process_start": START}) + "\n")
    log.flush()

    def timed(name, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            start = time.time()
            try:
                return func(*args, **kwargs)
            finally:
                log.write(json.dumps([name, start, time.time()]) + "\n")
                log.flush()

        return wrapper

    # The CLI imports lazily (a repeat ingest must not load pandas), so load
    # every step's module here; the build would import them all anyway.
    importlib.import_module("beatprofile.cli")
    originals = {}
    for step in STEPS:
        module_name, func_name = step.split(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            module = None
        func = getattr(module, func_name, None) if module else None
        if callable(func):
            originals[id(func)] = (step, func)
    wrappers = {key: timed(step, func) for key, (step, func) in originals.items()}
    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith(("pipelines", "geo", "beatprofile", "dashboard")):
            continue
        for attr, value in list(vars(module).items()):
            if id(value) in wrappers and value is originals[id(value)][1]:
                setattr(module, attr, wrappers[id(value)])

    atexit.register(log.close)


START = time.time()
if os.environ.get("BEATPROFILE_BENCH_STEPS"):
    try:
        _install(os.environ["BEATPROFILE_BENCH_STEPS"])
    except Exception as exc:  # never break the build being measured
        print(f"benchmark step timers not installed: {exc!r}", file=sys.stderr)
