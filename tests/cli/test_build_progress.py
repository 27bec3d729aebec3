"""The progress bars a sample build prints end at done: every bar reaches its
total (3/3 for the store steps), none is left frozen at 0/3, 1/3 or 2/3."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# "Reading exports  ━━━━━ 2/2 0:00:03": a bar's label, its count, its time.
BAR = re.compile(
    r"^(?P<label>\S.*?)\s+[━╸╺\s]*\s(?P<done>\d+)/(?P<total>\d+)\s+\d+:\d\d:\d\d\s*$"
)


def bars(printed: str) -> list[tuple[str, int, int]]:
    found = []
    for line in printed.splitlines():
        match = BAR.match(line)
        if match:
            found.append(
                (match["label"].strip(), int(match["done"]), int(match["total"]))
            )
    return found


def test_a_sample_build_prints_every_bar_at_done(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "120"}
    env.pop("BEATPROFILE_STORE", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "beatprofile",
            "build",
            "--store",
            str(tmp_path / "s.duckdb"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    printed = bars(result.stderr)
    labels = [label for label, _, _ in printed]
    assert any(label.startswith("Reading exports") for label in labels), result.stderr
    assert any(total == 3 for _, _, total in printed), result.stderr
    assert len(labels) == len(set(labels)), f"one bar per step:\n{result.stderr}"
    frozen = [bar for bar in printed if bar[1] != bar[2]]
    assert frozen == [], f"bars left short of done:\n{result.stderr}"
