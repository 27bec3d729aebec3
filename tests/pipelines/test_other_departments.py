"""Integration: real Chicago and Seattle exports (incl. CAD calls) load end to end."""

from __future__ import annotations

import csv
import json
import statistics
from datetime import datetime

import duckdb
import pytest

from pipelines.build import run_build
from pipelines.catalog import REPO_ROOT
from pipelines.ingest.check import check_exports
from pipelines.workload.workload import response_times_by_priority
from tests.conftest import SHARED_DATA, requires_shared_data, settings_with_store

pytestmark = requires_shared_data()
EXAMPLES = REPO_ROOT / "examples"


def _build_example(name: str, tmp_path_factory):
    settings = settings_with_store(
        EXAMPLES / name / "beatprofile.toml", tmp_path_factory.mktemp(name) / "s.duckdb"
    )
    return settings, run_build(settings)


@pytest.fixture(scope="module")
def chicago(tmp_path_factory):
    return _build_example("chicago", tmp_path_factory)


@pytest.fixture(scope="module")
def seattle(tmp_path_factory):
    return _build_example("seattle", tmp_path_factory)


def _per_file_conserved(store) -> list[tuple]:
    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute(
            "SELECT file, read, kept, quarantined FROM file_quality"
        ).fetchall()


def test_chicago_post_2012_label_agreement_meets_the_boundary_rule_targets(chicago):
    settings, report = chicago
    assert report.read == 1730 + 6957 + 4851
    assert report.read == report.kept + report.quarantined
    for _, read, kept, quarantined in _per_file_conserved(settings.store_path):
        assert read == kept + quarantined
    assert report.label_agreement["beat"]["assigned_share"] >= 0.997
    assert report.label_agreement["district"]["assigned_share"] >= 0.999


def test_chicago_hierarchy_comes_from_the_beat_polygons(chicago):
    settings, _ = chicago
    with duckdb.connect(str(settings.store_path), read_only=True) as con:
        bad = con.execute(
            "SELECT count(*) FROM incidents WHERE area_sector <> "
            "CAST(CAST(left(lpad(area_beat, 4, '0'), 3) AS INT) AS VARCHAR) "
            "OR area_district <> CAST(CAST(left(lpad(area_beat, 4, '0'), 2) AS INT) "
            "AS VARCHAR)"
        ).fetchone()[0]
        levels = dict(
            con.execute("SELECT level, count(*) FROM areas GROUP BY level").fetchall()
        )
    beats = json.loads((SHARED_DATA / "chicago" / "beats.geojson").read_text())
    parents = [f["properties"] for f in beats["features"]]
    assert bad == 0
    assert levels == {
        "beat": len(parents),
        "sector": len({p["sector"] for p in parents}),
        "district": len({p["district"] for p in parents}),
    }


def test_chicago_api_layout_with_dict_string_locations_loads(tmp_path):
    settings = settings_with_store(
        EXAMPLES / "chicago-2012-api" / "beatprofile.toml", tmp_path / "s.duckdb"
    )
    report = run_build(settings)
    assert report.read == 10_000
    assert report.read == report.kept + report.quarantined
    with duckdb.connect(str(settings.store_path), read_only=True) as con:
        located = con.execute("SELECT avg(located::INT) FROM incidents").fetchone()[0]
    assert located > 0.9


def test_seattle_robbery_label_agreement_meets_the_targets(seattle):
    settings, report = seattle
    robbery = report.label_agreement["beat"]["by_source"]["seattle-spd-crime"]
    assert robbery["assigned_share"] >= 0.993
    sector = report.label_agreement["sector"]["by_source"]["seattle-spd-crime"]
    assert sector["assigned_share"] >= 0.996
    for _, read, kept, quarantined in _per_file_conserved(settings.store_path):
        assert read == kept + quarantined


def test_seattle_cad_calls_are_calls_with_priority_source_and_times(seattle):
    settings, _ = seattle
    with duckdb.connect(str(settings.store_path), read_only=True) as con:
        kinds = dict(
            con.execute("SELECT kind, count(*) FROM incidents GROUP BY kind").fetchall()
        )
        sources = {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT call_source FROM incidents WHERE kind = 'call'"
            ).fetchall()
        }
        missing_queue = con.execute(
            "SELECT count(*) FROM incidents WHERE kind = 'call' AND queued_at IS NULL"
        ).fetchone()[0]
    assert kinds["call"] == 275 + 222
    assert sources == {"911", "phone", "on-view", "alarm"}
    assert missing_queue == 0


def _hand_medians() -> dict[str, float]:
    """Reference: read both CAD files with the csv module and explicit formats."""
    minutes: dict[str, list[float]] = {}
    for path in sorted((SHARED_DATA / "seattle").glob("cad_calls_*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["Call Type"] == "ONVIEW" or not row["Arrived Time"].strip():
                    continue
                fmt = "%m/%d/%Y %I:%M:%S %p"
                queued = datetime.strptime(row["Original Time Queued"], fmt)
                arrived = datetime.strptime(row["Arrived Time"], fmt)
                minutes.setdefault(row["Priority"], []).append(
                    (arrived - queued).total_seconds() / 60
                )
    return {p: statistics.median(v) for p, v in minutes.items()}


def test_cad_median_queue_to_arrival_by_priority_matches_a_hand_computation(seattle):
    settings, _ = seattle
    with duckdb.connect(str(settings.store_path), read_only=True) as con:
        calls = con.execute("SELECT * FROM incidents WHERE kind = 'call'").df()
    table = response_times_by_priority(calls).set_index("priority")
    expected = _hand_medians()
    assert set(table.index[table["with_arrival"] > 0]) == set(expected)
    for priority, median in expected.items():
        assert table.loc[priority, "median_min"] == pytest.approx(median)


def test_check_is_a_dry_run_with_the_quality_figures(tmp_path):
    settings = settings_with_store(
        EXAMPLES / "seattle" / "beatprofile.toml", tmp_path / "never.duckdb"
    )
    report = check_exports(
        REPO_ROOT / "profiles" / "seattle_spd_crime.toml",
        [SHARED_DATA / "seattle" / "spd_crime_robbery_2008_2021.csv"],
        settings,
    )
    assert not (tmp_path / "never.duckdb").exists()
    source = report.sources().iloc[0]
    assert source["read"] == 21_454
    assert source["read"] == source["kept"] + source["quarantined"]
    assert source["q_no_location"] > 0
    assert (report.disagreements["distance_m"] > settings.tolerance_m).all()


def test_overlapping_extracts_keep_one_record_per_incident(tmp_path):
    """The same export loaded under two names: every row of the second is a duplicate
    of the first, and the later-loaded version is the one kept."""
    source = (
        SHARED_DATA
        / "chicago"
        / "incidents"
        / (
            "computationforpolicy_lecture-examples__Crimes_-_2001_to_present__b1e44c4.csv"
        )
    )
    copy = tmp_path / "later_export.csv"
    copy.write_bytes(source.read_bytes().replace(b"\r\n", b"\n") + b"\n")
    settings = settings_with_store(
        EXAMPLES / "chicago" / "beatprofile.toml", tmp_path / "s.duckdb"
    )
    report = check_exports(
        REPO_ROOT / "profiles" / "chicago_portal.toml", [source, copy], settings
    )
    files = report.files.set_index("file")
    with open(source, encoding="utf-8", newline="") as handle:
        cases = [row["Case Number"] for row in csv.DictReader(handle)]
    repeats_within_file = len(cases) - len(set(cases))
    assert files.loc[source.name, "q_duplicate"] == files.loc[source.name, "read"]
    assert files.loc[source.name, "kept"] == 0
    assert files.loc[copy.name, "q_duplicate"] == repeats_within_file
