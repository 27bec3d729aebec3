"""Smoke run of the benchmark (the CI size is 10,000; here 2,000): every figure is
written, the build conserves rows, and the generator keeps the real shares.

No assertion here depends on the machine's speed.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from benchmarks import generate, run
from tests.conftest import requires_shared_data

pytestmark = requires_shared_data()

REAL_REVERSAL_SHARE = 0.013  # 3,140 of 246,291 real rows have Count = -1
REAL_UNLOCATED_SHARE = 0.031  # 0,0 or blank coordinates


@pytest.fixture(scope="module")
def smoke(tmp_path_factory) -> dict:
    workdir = tmp_path_factory.mktemp("bench")
    out = workdir / "bench.json"
    run.main(
        [
            "--size",
            "2000",
            "--seed",
            "3",
            "--json",
            str(out),
            "--workdir",
            str(workdir / "data"),
        ]
    )
    return json.loads(out.read_text())


def test_json_has_every_figure(smoke):
    for key in (
        "date",
        "size",
        "seed",
        "machine",
        "code",
        "generate",
        "assignment",
        "build",
        "dashboard",
        "payload_1000_areas",
        "verdicts",
    ):
        assert key in smoke
    a = smoke["assignment"]
    assert a["points"] == 2000 and a["areas"] >= 1000
    assert a["beatprofile_seconds"] > 0 and a["sjoin_seconds"] > 0
    assert a["speedup_vs_sjoin"] > 0
    assert a["agree"] and a["disagreements"] == 0
    b = smoke["build"]
    assert b["exit_code"] == 0 and b["wall_seconds"] > 0 and b["peak_rss_bytes"] > 0
    assert b["steps"]["stage_files"]["seconds"] > 0
    d = smoke["dashboard"]
    assert d["exceptions"] == []
    pages = {(r["page"], r["action"], r["run"]) for r in d["runs"]}
    for page, action in [
        ("overview", "open"),
        ("overview", "date range"),
        ("overview", "category"),
        ("overview", "level"),
        ("area profile", "select area"),
    ]:
        assert (page, action, "first") in pages and (
            page,
            action,
            "warm rerun",
        ) in pages
    overview = [r for r in d["runs"] if r["page"] == "overview"]
    assert all(r["maps"] == 1 and r["map_payload_bytes"] > 0 for r in overview)
    assert smoke["payload_1000_areas"]["map_payload_bytes"] > 0
    assert set(smoke["verdicts"]) == set(run.TARGETS)


def test_build_of_generated_data_conserves_rows(smoke):
    report = smoke["build"]["report"]
    assert report["read"] == 2000
    assert report["read"] == report["kept"] + report["quarantined"]
    assert smoke["build"]["conserved"]
    assert report["quarantined_by_reason"].get("reversal_without_original", 0) > 0 or (
        smoke["generate"]["unmatched_reversals"] == 0
    )


def test_generator_keeps_the_real_reversal_and_unlocated_shares(smoke):
    g = smoke["generate"]
    assert g["rows"] == 2000
    assert abs(g["reversal_share"] - REAL_REVERSAL_SHARE) < 0.003
    assert abs(g["unlocated_share"] - REAL_UNLOCATED_SHARE) < 0.005


def test_generator_is_deterministic_for_a_seed(tmp_path):
    def digest(folder):
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        return {
            p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in files
            if p.name != "beatprofile.toml"
        }

    generate.generate(500, seed=7, out=tmp_path / "a")
    generate.generate(500, seed=7, out=tmp_path / "b")
    generate.generate(500, seed=8, out=tmp_path / "c")
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a") != digest(tmp_path / "c")


def test_generated_rows_have_fresh_ids_and_consistent_months(tmp_path):
    import pandas as pd

    generate.generate(1000, seed=2, out=tmp_path)
    frames = [
        pd.read_csv(p, dtype=str, keep_default_na=False).assign(_file=p.name)
        for p in sorted((tmp_path / "slmpd").glob("*/*.csv"))
    ]
    rows = pd.concat(frames, ignore_index=True)
    assert len(rows) == 1000
    assert list(frames[0].columns[:-1]) == list(generate.COLUMNS)
    assert rows["Complaint"].str.fullmatch(r"S\d{2}-\d{7}").all()
    originals = rows[rows["Count"] == "1"]
    assert originals["Complaint"].is_unique
    # every file holds one coded month, named after it
    month_names = pd.to_datetime(rows["CodedMonth"], format="%Y-%m").dt.strftime("%B%Y")
    assert (month_names.str.lower() + ".csv" == rows["_file"]).all()
    # a matched reversal is coded in the same or a later month than its original
    reversals = rows[rows["Count"] == "-1"].merge(
        originals[["Complaint", "Crime", "CodedMonth"]],
        on=["Complaint", "Crime"],
        suffixes=("", "_original"),
    )
    assert len(reversals) > 0
    assert (reversals["CodedMonth"] >= reversals["CodedMonth_original"]).all()
    assert "SYNTHETIC" in (tmp_path / "SYNTHETIC.md").read_text()
    config = (tmp_path / "beatprofile.toml").read_text()
    assert str((tmp_path / "store").resolve()) in config
