"""The command line, through its entry point (``python -m beatprofile``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

COMMANDS = ["build", "ingest", "serve", "demo"]


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "beatprofile", *args],
        capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=600,
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command):
    result = run_cli(command, "--help")
    assert result.returncode == 0
    assert f"Example: beatprofile {command}" in " ".join(result.stdout.split())


def test_missing_config_is_an_error_line_and_exit_1(tmp_path):
    missing = tmp_path / "nope.toml"
    result = run_cli("build", "--config", str(missing))
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: config file {missing} does not exist; pass --config with the path "
        "of your department's beatprofile.toml (see README, 'Load your own "
        "department's data')\n"
    )
    assert "Traceback" not in result.stderr


def test_bad_area_layer_column_names_the_fix(tmp_path):
    config = tmp_path / "beatprofile.toml"
    sample = Path(__file__).resolve().parents[2] / "data" / "sample"
    config.write_text(
        (sample / "beatprofile.toml").read_text()
        .replace('"slmpd/*.csv.gz"', f'"{sample}/slmpd/june2019.csv.gz"')
        .replace('"../../profiles/', f'"{sample.parent.parent}/profiles/')
        .replace('polygons = "neighborhoods.geojson"',
                 f'polygons = "{sample}/neighborhoods.geojson"')
        .replace('file = "population_by_neighborhood.csv"',
                 f'file = "{sample}/population_by_neighborhood.csv"')
        .replace('id_field = "NHD_NUM"\nname_field', 'id_field = "BEAT"\nname_field')
    )
    result = run_cli("build", "--config", str(config), "--store", str(tmp_path / "s.duckdb"))
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ")
    assert "column `BEAT` not found; columns are ['NHD_NUM', 'NHD_NAME']" in result.stderr
    assert not (tmp_path / "s.duckdb").exists()


def test_ingest_without_a_store_says_to_build_first(tmp_path):
    store = tmp_path / "none.duckdb"
    result = run_cli("ingest", "x.csv", "--profile", "p.toml", "--store", str(store))
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: no store at {store} yet; run `beatprofile build` first\n"
    )


def test_build_writes_the_json_report(tmp_path):
    report_path = tmp_path / "report.json"
    result = run_cli(
        "build", "--store", str(tmp_path / "s.duckdb"), "--report-json", str(report_path)
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(report_path.read_text())
    assert {"store", "read", "kept", "quarantined", "quarantined_by_reason",
            "net_crimes", "label_agreement"} <= set(report)
    assert report["read"] == report["kept"] + report["quarantined"]
    assert report["store"] == str(tmp_path / "s.duckdb")
    assert f"read {report['read']:,} rows" in result.stdout
