"""Integration: the whole build on the real St. Louis sample (2018-2019)."""

from __future__ import annotations

import gzip
import io
import shutil

import duckdb
import geopandas as gpd
import pandas as pd
import pytest

from pipelines.build import run_build
from pipelines.catalog import SAMPLE_DIR
from pipelines.errors import InputFileError
from pipelines.settings import SourceConfig
from tests.conftest import SHARED_DATA, requires_shared_data


def _read_sample_csvs() -> pd.DataFrame:
    """Independent reading of the raw sample files (reference for counts)."""
    frames = []
    for path in sorted((SAMPLE_DIR / "slmpd").glob("*.csv.gz")):
        data = gzip.decompress(path.read_bytes()).removeprefix(b"\xef\xbb\xbf")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252")
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        frame.columns = [c.replace(" ", "").replace("-", "") for c in frame.columns]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def test_rows_read_equal_rows_kept_plus_quarantined(sample_build):
    settings, report = sample_build
    raw = _read_sample_csvs()
    assert report.read == len(raw)
    assert report.read == report.kept + report.quarantined
    assert sum(report.quarantined_by_reason.values()) == report.quarantined
    with duckdb.connect(str(settings.store_path), read_only=True) as con:
        assert con.execute("SELECT sum(rows) FROM files").fetchone()[0] == len(raw)
        incidents = con.execute("SELECT count(*) FROM incidents").fetchone()[0]
        netted = con.execute("SELECT count(*) FROM netted").fetchone()[0]
        quarantined = con.execute("SELECT count(*) FROM quarantine").fetchone()[0]
    assert incidents + netted + quarantined == len(raw)
    assert incidents == report.net_crimes


def test_reversal_rows_are_not_crimes_and_cancel_their_originals(sample_build):
    settings, report = sample_build
    raw = _read_sample_csvs()
    negatives = int((raw["Count"].str.strip() == "-1").sum())
    with duckdb.connect(str(settings.store_path), read_only=True) as con:
        roles = dict(
            con.execute(
                "SELECT netted_role, count(*) FROM netted GROUP BY ALL"
            ).fetchall()
        )
        unmatched = con.execute(
            "SELECT count(*) FROM quarantine WHERE reason = 'reversal_without_original'"
        ).fetchone()[0]
        negative_incidents = con.execute(
            "SELECT count(*) FROM incidents WHERE count <> 1"
        ).fetchone()[0]
        # Complaint 18-000134: burglary (Jan 2018) reclassified as robbery (Feb 2018).
        kept = con.execute(
            "SELECT category FROM incidents WHERE incident_id = '18-000134'"
        ).fetchall()
    assert negative_incidents == 0
    assert roles["reversal"] == roles["cancelled"]
    assert roles["reversal"] + unmatched == negatives
    assert kept == [("robbery",)]


def test_every_incident_has_exactly_one_area_per_level(sample_store):
    with duckdb.connect(str(sample_store), read_only=True) as con:
        missing = con.execute(
            "SELECT count(*) FROM incidents WHERE area_neighborhood IS NULL "
            "OR area_district IS NULL"
        ).fetchone()[0]
        bad_ids = con.execute(
            "SELECT count(*) FROM incidents i ANTI JOIN areas a "
            "ON a.level = 'neighborhood' AND a.area_id = i.area_neighborhood"
        ).fetchone()[0]
        districts = {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT area_district FROM incidents"
            ).fetchall()
        }
    assert missing == 0
    assert bad_ids == 0
    assert districts == {"1", "2", "3", "4", "5", "6"}


def test_point_in_polygon_agreement_matches_geopandas_sjoin(sample_build):
    """Reference implementation: geopandas.sjoin on the same located incidents."""
    settings, report = sample_build
    with duckdb.connect(str(settings.store_path), read_only=True) as con:
        points = con.execute(
            "SELECT x, y, label_neighborhood FROM incidents "
            "WHERE located AND label_neighborhood IS NOT NULL"
        ).df()
    layer = gpd.read_file(SAMPLE_DIR / "neighborhoods.geojson").to_crs("EPSG:26996")
    gdf = gpd.GeoDataFrame(
        points, geometry=gpd.points_from_xy(points["x"], points["y"]), crs="EPSG:26996"
    )
    joined = gpd.sjoin(gdf, layer[["NHD_NUM", "geometry"]], predicate="intersects")
    joined = joined[~joined.index.duplicated(keep="first")]
    agree = (joined["NHD_NUM"].astype(str) == joined["label_neighborhood"]).sum()
    share = report.label_agreement["neighborhood"]["point_in_polygon_share"]
    assert share == pytest.approx(agree / len(joined), abs=0.002)
    assert report.label_agreement["neighborhood"]["assigned_share"] >= share


def test_profile_counts_equal_direct_counts_on_incidents(sample_store):
    with duckdb.connect(str(sample_store), read_only=True) as con:
        as_of = con.execute("SELECT max(occurred_at)::DATE FROM incidents").fetchone()[
            0
        ]
        stored = con.execute(
            "SELECT last28, ytd FROM profiles WHERE level = 'neighborhood' "
            "AND area_id = '35' AND category = 'all'"
        ).fetchone()
        direct = con.execute(
            "SELECT count(*) FILTER (WHERE occurred_at::DATE > ?::DATE - 28), "
            "count(*) FILTER (WHERE year(occurred_at) = year(?::DATE)) "
            "FROM incidents WHERE area_neighborhood = '35'",
            [as_of, as_of],
        ).fetchone()
    assert stored == direct


def test_loading_the_same_export_again_changes_nothing(sample_build, tmp_path):
    settings, report = sample_build
    store = tmp_path / "copy.duckdb"
    shutil.copyfile(settings.store_path, store)
    copy = _with_store(settings, store)
    source = settings.sources[0]
    again = run_build(copy, extra_files=[(source, source.files[0])], incremental=True)
    assert again.files_skipped == 1 and again.files_added == 0
    assert (again.read, again.kept, again.net_crimes) == (
        report.read,
        report.kept,
        report.net_crimes,
    )


@requires_shared_data()
def test_ingesting_a_newer_export_appends_and_nets_across_files(sample_build, tmp_path):
    settings, report = sample_build
    store = tmp_path / "copy.duckdb"
    shutil.copyfile(settings.store_path, store)
    extra = SHARED_DATA / "stlouis" / "raw" / "2017" / "december2017.csv"
    source = SourceConfig(profile=settings.sources[0].profile, files=())
    more = run_build(
        _with_store(settings, store), extra_files=[(source, extra)], incremental=True
    )
    added_rows = len(pd.read_csv(extra, dtype=str))
    assert more.files_added == 1
    assert more.read == report.read + added_rows
    assert more.read == more.kept + more.quarantined
    # Some 2018 reversals cancel December 2017 records: fewer unmatched reversals.
    assert (
        more.quarantined_by_reason["reversal_without_original"]
        < report.quarantined_by_reason["reversal_without_original"]
    )


def test_failed_build_leaves_the_last_good_store_intact(sample_build, tmp_path):
    settings, report = sample_build
    store = tmp_path / "copy.duckdb"
    shutil.copyfile(settings.store_path, store)
    before = store.read_bytes()
    broken = tmp_path / "broken.csv.gz"
    broken.write_bytes(b"this is not gzip")
    source = SourceConfig(profile=settings.sources[0].profile, files=())
    with pytest.raises(InputFileError, match="not a readable gzip file"):
        run_build(
            _with_store(settings, store),
            extra_files=[(source, broken)],
            incremental=True,
        )
    assert store.read_bytes() == before
    # No build file is left; the update lock file stays (removing a flock file
    # would let two updates lock different files), holding no lock.
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [
        ".copy.duckdb.update.lock"
    ]


@pytest.mark.slow
@requires_shared_data()
def test_full_stlouis_2015_2019_build_conserves_rows(tmp_path):
    from pipelines.catalog import REPO_ROOT
    from tests.conftest import settings_with_store

    settings = settings_with_store(
        REPO_ROOT / "examples" / "stlouis-2015-2019" / "beatprofile.toml",
        tmp_path / "full.duckdb",
    )
    report = run_build(settings)
    assert report.read == 246_291  # rows in the 60 files (data README)
    assert report.read == report.kept + report.quarantined
    assert report.label_agreement["neighborhood"]["point_in_polygon_share"] == (
        pytest.approx(0.944, abs=0.002)
    )  # data README: 94.4%


def _with_store(settings, store):
    from dataclasses import replace

    return replace(settings, store_path=store)
