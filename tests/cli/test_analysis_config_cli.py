"""A bad analysis section ([hotspots], ...) fails as soon as the config is
loaded: `beatprofile check` and `beatprofile build` print the ConfigError as
`Error: ...` and exit 1, before any export is read or a store is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_cli import run_cli
from tests.pipelines.test_analysis_settings import sample_config

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


@pytest.fixture
def bad_cell(tmp_path: Path) -> Path:
    return sample_config(tmp_path, '\n[hotspots]\ncell_size_m = "big"\n')


def expected(config: Path) -> str:
    return (
        f"Error: {config.resolve()}: [hotspots] `cell_size_m` must be a number like "
        "150.0; found 'big'\n"
    )


def test_check_names_the_bad_hotspot_value(bad_cell):
    result = run_cli(
        "check",
        str(SAMPLE.parent.parent / "profiles" / "stlouis_slmpd.toml"),
        str(SAMPLE / "slmpd" / "june2019.csv.gz"),
        "--config",
        str(bad_cell),
    )
    assert result.returncode == 1
    assert result.stderr == expected(bad_cell)
    assert result.stdout == ""  # no quality report: nothing was read


def test_build_names_the_bad_hotspot_value_and_writes_no_store(bad_cell, tmp_path):
    store = tmp_path / "s.duckdb"
    result = run_cli("build", "--config", str(bad_cell), "--store", str(store))
    assert result.returncode == 1
    assert result.stderr == expected(bad_cell)
    assert not store.exists()
