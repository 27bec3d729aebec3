"""Benchmark (b): the whole ``beatprofile build`` as a subprocess.

Wall time, peak RSS (``os.wait4``), RSS sampled every 0.25 s (the build is
killed past a cap, to protect a shared machine) and per-step times from
``benchmarks/_hooks/sitecustomize.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from pipelines.catalog import REPO_ROOT

HOOKS = Path(__file__).resolve().parent / "_hooks"


def bench_build(config: Path, workdir: Path, max_rss_gb: float) -> dict:
    """``python -m beatprofile build`` in a subprocess: wall time, peak RSS, steps."""
    report_path = workdir / "build_report.json"
    steps_path = workdir / "build_steps.json"
    for stale in (report_path, steps_path):
        stale.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "beatprofile",
        "build",
        "--config",
        str(config),
        "--report-json",
        str(report_path),
    ]
    env = {k: v for k, v in os.environ.items() if k != "BEATPROFILE_STORE"}
    env["PYTHONPATH"] = os.pathsep.join(
        [str(HOOKS), str(REPO_ROOT), *filter(None, [env.get("PYTHONPATH")])]
    )
    env["BEATPROFILE_BENCH_STEPS"] = str(steps_path)
    log_path = workdir / "build.log"
    start = time.time()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        samples: list[tuple[float, int]] = []
        killed = threading.Event()
        watcher = threading.Thread(
            target=_watch_rss, args=(proc.pid, max_rss_gb, samples, killed), daemon=True
        )
        watcher.start()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.time() - start
    watcher.join(timeout=2)
    result: dict = {
        "command": " ".join(["python", *command[1:]]),
        "wall_seconds": wall,
        "peak_rss_bytes": usage.ru_maxrss * 1024,
        "exit_code": proc.returncode,
        "log": str(log_path),
        "user_seconds": usage.ru_utime,
        "system_seconds": usage.ru_stime,
    }
    if proc.returncode != 0:
        result["failed"] = True
        result["killed_at_rss_cap_gb"] = max_rss_gb if killed.is_set() else None
        result["log_tail"] = log_path.read_text(errors="replace")[-3000:]
    store = workdir / "store" / "beatprofile.duckdb"
    if proc.returncode == 0 and store.is_file():
        # The store is the source of truth (the CLI's JSON layout may change).
        result["report"] = store_counts(store)
        counts = result["report"]
        result["conserved"] = counts["read"] == counts["kept"] + counts["quarantined"]
    if report_path.is_file():
        result["cli_report_json"] = json.loads(report_path.read_text())
    if steps_path.is_file():
        lines = steps_path.read_text().splitlines()
        events = [json.loads(line) for line in lines[1:] if line.strip()]
        result["steps"] = _step_figures({"events": events}, samples, start)
    result["rss_timeline"] = _thin([(round(t - start, 2), r) for t, r in samples], 120)
    return result


def store_counts(store: Path) -> dict:
    """Rows read, kept and quarantined, counted in the built store's own tables."""
    import duckdb

    def one(sql: str) -> int:
        return int(con.execute(sql).fetchone()[0] or 0)

    with duckdb.connect(str(store), read_only=True) as con:
        read = one("SELECT sum(rows) FROM files")
        incidents = one("SELECT count(*) FROM incidents")
        netted = one("SELECT count(*) FROM netted")
        quarantined = one("SELECT count(*) FROM quarantine")
        reasons = dict(
            con.execute(
                "SELECT reason, count(*) FROM quarantine GROUP BY ALL ORDER BY 1"
            ).fetchall()
        )
    return {
        "read": read,
        "kept": incidents + netted,
        "quarantined": quarantined,
        "quarantined_by_reason": reasons,
        "net_crimes": incidents,
    }


def _watch_rss(pid: int, cap_gb: float, samples: list, killed: threading.Event) -> None:
    """Sample the child's RSS every 0.25 s; kill it past ``cap_gb``."""
    status = Path(f"/proc/{pid}/status")
    while True:
        try:
            text = status.read_text()
        except (FileNotFoundError, ProcessLookupError):
            return
        rss = next(
            (
                int(line.split()[1]) * 1024
                for line in text.splitlines()
                if line.startswith("VmRSS:")
            ),
            None,
        )
        if rss is None:  # a zombie: exited, not yet reaped
            return
        samples.append((time.time(), rss))
        if rss > cap_gb * 1e9:
            killed.set()
            os.kill(pid, 9)
            return
        time.sleep(0.25)


def _step_figures(steps: dict, samples: list, start: float) -> dict:
    """Inclusive seconds, calls and peak RSS seen during each timed function."""
    out: dict = {"startup_seconds": None}
    events = steps.get("events", [])
    for name, first, last in events:
        short = name.split(":")[1]
        entry = out.setdefault(short, {"seconds": 0.0, "calls": 0, "peak_rss_bytes": 0})
        entry["peak_rss_bytes"] = entry["peak_rss_bytes"] or 0
        entry["seconds"] += last - first
        entry["calls"] += 1
        during = [r for t, r in samples if first <= t <= last]
        entry["peak_rss_bytes"] = max([entry["peak_rss_bytes"], *during]) or None
    runs = [e for e in events if e[0].endswith(":run_build")]
    if runs:
        out["startup_seconds"] = runs[0][1] - start  # interpreter + imports
    return out


def _thin(points: list, keep: int) -> list:
    if len(points) <= keep:
        return points
    step = len(points) / keep
    return [points[int(i * step)] for i in range(keep)] + [
        max(points, key=lambda p: p[1])
    ]
