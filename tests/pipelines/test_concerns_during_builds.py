"""Organisers' writes made while builds run are never lost.

A separate process records concerns in a loop (as organisers typing at a
watch meeting would) while the main process rebuilds the store several
times. Every concern the writer was told is saved must be in the store
afterwards.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap
import time

import duckdb

from pipelines.build import run_build
from pipelines.catalog import REPO_ROOT, SAMPLE_CONFIG, SAMPLE_DIR
from pipelines.settings import SourceConfig
from tests.conftest import settings_with_store

WRITER = textwrap.dedent(
    """
    import sys, time
    from datetime import date
    from pathlib import Path
    from pipelines.community.priorities import Concern, record_concern
    store, stop, saved = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    i = 0
    with saved.open("w") as out:
        while not stop.exists():
            concern = Concern(date(2019, 6, 20), "neighborhood", "15", "theft",
                              note=f"concern {i}")
            try:
                cid = record_concern(store, concern)
            except Exception as exc:  # reported as not saved: the organiser retries
                print("not saved:", exc, file=sys.stderr)
            else:
                out.write(cid + "\\n")
                out.flush()
            i += 1
            time.sleep(0.05)
    """
)


def test_concerns_written_during_builds_all_survive(tmp_path):
    june = SAMPLE_DIR / "slmpd" / "june2019.csv.gz"
    settings = dataclasses.replace(
        settings_with_store(SAMPLE_CONFIG, tmp_path / "s.duckdb"),
        sources=(
            SourceConfig(
                profile=REPO_ROOT / "profiles" / "stlouis_slmpd.toml", files=(june,)
            ),
        ),
    )
    run_build(settings)
    stop, saved = tmp_path / "stop", tmp_path / "saved.txt"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(settings.store_path), str(stop), str(saved)],
        cwd=REPO_ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(1.0)
        for _ in range(3):
            run_build(settings)
    finally:
        stop.touch()
        _, errors = writer.communicate(timeout=60)
    ids = saved.read_text().split()
    with duckdb.connect(str(settings.store_path), read_only=True) as con:
        stored = {
            r[0]
            for r in con.execute("SELECT concern_id FROM watch_concerns").fetchall()
        }
    missing = [i for i in ids if i not in stored]
    print(f"writer saved {len(ids)} concerns during 3 builds; {len(missing)} missing")
    print(errors[-2000:])
    assert len(ids) >= 20
    assert missing == []
