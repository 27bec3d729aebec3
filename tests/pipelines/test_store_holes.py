"""Small holes in the store's integrity: unlocated stores, CSV formulas."""

from __future__ import annotations

import csv
import dataclasses
import gzip
import io
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines.build import run_build
from pipelines.catalog import SAMPLE_CONFIG, SAMPLE_DIR
from pipelines.exports import to_csv_text
from pipelines.settings import SourceConfig
from tests.conftest import settings_with_store

PROFILE = SAMPLE_DIR.parent.parent / "profiles" / "stlouis_slmpd.toml"


def _unlocated_june(path: Path) -> Path:
    """June 2019 with every coordinate replaced by nan, inf or 1e308."""
    text = gzip.decompress((SAMPLE_DIR / "slmpd" / "june2019.csv.gz").read_bytes())
    frame = pd.read_csv(io.BytesIO(text), dtype=str, keep_default_na=False)
    bad = ["nan", "inf", "1e308", "-inf"]
    frame["XCoord"] = [bad[i % 4] for i in range(len(frame))]
    frame["YCoord"] = [bad[(i + 1) % 4] for i in range(len(frame))]
    frame.to_csv(path, index=False)
    return path


def test_a_store_whose_rows_have_no_location_builds_without_hotspots(tmp_path):
    export = _unlocated_june(tmp_path / "june2019_unlocated.csv")
    settings = dataclasses.replace(
        settings_with_store(SAMPLE_CONFIG, tmp_path / "s.duckdb"),
        sources=(SourceConfig(profile=PROFILE, files=(export,)),),
    )
    report = run_build(settings)
    assert report.net_crimes > 0  # kept by their neighborhood labels
    with duckdb.connect(str(settings.store_path), read_only=True) as con:
        located = con.execute("SELECT count(*) FROM incidents WHERE located").fetchone()
        cells = con.execute("SELECT count(*) FROM hotspot_cells").fetchone()
        ranked = con.execute("SELECT count(*) FROM rankings").fetchone()
    assert located == (0,)
    assert cells == (0,)  # Gi* is undefined with no located crime: no cells
    assert ranked[0] > 0


@pytest.mark.parametrize("lead", [" ", "\u00a0", "\t", "\n", "\r", "  \u00a0\n"])
@pytest.mark.parametrize("sign", ["=", "+", "-", "@"])
def test_csv_formula_guard_sees_through_leading_whitespace(lead, sign):
    value = f'{lead}{sign}HYPERLINK("http://x")'
    rows = list(csv.reader(io.StringIO(to_csv_text(pd.DataFrame({"d": [value]})))))
    assert rows[1] == ["'" + value]


def test_csv_formula_guard_leaves_plain_text_with_spaces_alone():
    frame = pd.DataFrame({"d": ["  plain", "a = b", "\u00a0note"]})
    rows = list(csv.reader(io.StringIO(to_csv_text(frame))))
    assert [r[0] for r in rows[1:]] == ["  plain", "a = b", "\u00a0note"]
