"""The command line, through its entry point (``python -m beatprofile``)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

COMMANDS = [
    "build",
    "ingest",
    "watch",
    "serve",
    "demo",
    "check",
    "simulate-cad",
    "publish",
]
REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "beatprofile", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=600,
    )


@pytest.mark.parametrize(
    "command",
    [
        *COMMANDS,
        "profile init",
        "report packet",
        "report watch-meeting",
        "priorities import",
    ],
)
def test_every_command_has_help_with_an_example(command):
    result = run_cli(*command.split(), "--help")
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
        (sample / "beatprofile.toml")
        .read_text()
        .replace('"slmpd/*.csv.gz"', f'"{sample}/slmpd/june2019.csv.gz"')
        .replace('"../../profiles/', f'"{sample.parent.parent}/profiles/')
        .replace(
            'polygons = "neighborhoods.geojson"',
            f'polygons = "{sample}/neighborhoods.geojson"',
        )
        .replace(
            'file = "population_by_neighborhood.csv"',
            f'file = "{sample}/population_by_neighborhood.csv"',
        )
        .replace('id_field = "NHD_NUM"\nname_field', 'id_field = "BEAT"\nname_field')
    )
    result = run_cli(
        "build", "--config", str(config), "--store", str(tmp_path / "s.duckdb")
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ")
    assert (
        "column `BEAT` not found; columns are ['NHD_NUM', 'NHD_NAME']" in result.stderr
    )
    assert not (tmp_path / "s.duckdb").exists()


def test_ingest_with_a_missing_profile_names_it(tmp_path):
    store = tmp_path / "none.duckdb"
    profile = tmp_path / "p.toml"
    result = run_cli(
        "ingest", "x.csv", "--profile", str(profile), "--store", str(store)
    )
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: source profile {profile} does not exist; give the path of a .toml "
        "profile (draft one with `beatprofile profile init FILE`)\n"
    )
    assert not store.exists()


SEATTLE = SHARED / "seattle"
CHICAGO = SHARED / "chicago"


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared real data not present")
@pytest.mark.parametrize(
    ("export", "areas", "config"),
    [
        (
            SEATTLE / "spd_crime_robbery_2008_2021.csv",
            SEATTLE / "beats_2018.geojson",
            "seattle",
        ),
        (
            CHICAGO
            / "incidents"
            / (
                "computationforpolicy_lecture-examples__Crimes_-_2001_to_present__b1e44c4.csv"
            ),
            CHICAGO / "beats.geojson",
            "chicago",
        ),
    ],
)
def test_profile_init_then_ingest_works_with_no_edits(tmp_path, export, areas, config):
    draft = tmp_path / "draft.toml"
    init = run_cli(
        "profile", "init", str(export), "--areas", str(areas), "--out", str(draft)
    )
    assert init.returncode == 0, init.stderr
    # The department's config with its levels, but none of its own sources.
    text = (REPO / "examples" / config / "beatprofile.toml").read_text()
    text = text.replace("../../", f"{REPO}/").replace(f"{REPO}/../", f"{REPO.parent}/")
    text = text.split("[[sources]]")[0] + "[[levels]]" + text.split("[[levels]]", 1)[1]
    cfg = tmp_path / "beatprofile.toml"
    cfg.write_text(text)
    store = tmp_path / "store.duckdb"
    report_path = tmp_path / "report.json"
    ingest = run_cli(
        "ingest",
        str(export),
        "--profile",
        str(draft),
        "--config",
        str(cfg),
        "--store",
        str(store),
        "--report-json",
        str(report_path),
    )
    assert ingest.returncode == 0, ingest.stderr
    report = json.loads(report_path.read_text())
    rows = sum(1 for _ in open(export, encoding="utf-8-sig")) - 1
    assert report["read"] == rows
    assert report["read"] == report["kept"] + report["quarantined"]
    assert "unmapped_code" not in report["quarantined_by_reason"]
    assert report["label_agreement"]["beat"]["assigned_share"] > 0.99


def test_build_writes_the_json_report(tmp_path):
    report_path = tmp_path / "report.json"
    result = run_cli(
        "build",
        "--store",
        str(tmp_path / "s.duckdb"),
        "--report-json",
        str(report_path),
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(report_path.read_text())
    assert {
        "store",
        "read",
        "kept",
        "quarantined",
        "quarantined_by_reason",
        "net_crimes",
        "label_agreement",
    } <= set(report)
    assert report["read"] == report["kept"] + report["quarantined"]
    assert report["store"] == str(tmp_path / "s.duckdb")
    assert f"read {report['read']:,} rows" in result.stdout


def test_simulate_cad_loads_synthetic_calls_and_the_packet_prints(
    sample_store, tmp_path
):
    import re
    import shutil

    import duckdb

    store = tmp_path / "store.duckdb"
    shutil.copyfile(sample_store, store)
    sim = tmp_path / "sim.toml"
    sim.write_text(
        (REPO / "data" / "sample" / "cad_simulation.toml")
        .read_text()
        .replace('start = ""', 'start = "2019-12-01"')
        .replace('end = ""', 'end = "2019-12-31"')
    )
    args = [
        "simulate-cad",
        "--store",
        str(store),
        "--sim-config",
        str(sim),
        "--out",
        str(tmp_path / "sim.csv.gz"),
    ]
    first = run_cli(*args)
    assert first.returncode == 0, first.stderr
    with duckdb.connect(str(store), read_only=True) as con:
        calls = con.execute(
            "SELECT count(*), min(source), max(source) FROM incidents "
            "WHERE kind = 'call'"
        ).fetchone()
        workload = con.execute(
            "SELECT count(*) FROM workload WHERE level = 'district'"
        ).fetchone()[0]
    assert calls[0] > 0 and calls[1] == calls[2] == "synthetic-cad"
    assert workload == 6
    again = run_cli(*args)  # a new run replaces the old one, it does not add to it
    assert again.returncode == 0, again.stderr
    with duckdb.connect(str(store), read_only=True) as con:
        assert (
            con.execute(
                "SELECT count(*) FROM incidents WHERE kind = 'call'"
            ).fetchone()[0]
            == calls[0]
        )
    pdf = tmp_path / "packet.pdf"
    packet = run_cli("report", "packet", "--store", str(store), "--out", str(pdf))
    assert packet.returncode == 0, packet.stderr
    assert len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes())) == 6


def test_watch_meeting_export_is_a_standalone_offline_html(sample_store, tmp_path):
    out_file = tmp_path / "tgs.html"
    result = run_cli(
        "report",
        "watch-meeting",
        "--area",
        "15",
        "--out",
        str(out_file),
        "--store",
        str(sample_store),
    )
    assert result.returncode == 0, result.stderr
    page = out_file.read_text(encoding="utf-8")
    assert "Tower Grove South" in page
    assert "L.map" in page or "leaflet" in page.lower()
    assert not re.search(r"<(script|link)[^>]+(src|href)=[\"']https?://", page)


def test_watch_meeting_export_rejects_an_unknown_area(sample_store, tmp_path):
    result = run_cli(
        "report",
        "watch-meeting",
        "--area",
        "9999",
        "--out",
        str(tmp_path / "x.html"),
        "--store",
        str(sample_store),
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ") and "9999" in result.stderr
    assert "Traceback" not in result.stderr
