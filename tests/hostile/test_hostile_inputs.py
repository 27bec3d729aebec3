"""Every hostile file gets a clear ``Error:`` or a quarantine: no traceback, nothing
silently dropped, nothing written outside the test's folders, no HTML from data
reaching a page unescaped.

Most cases call the CLI entry point in-process (``beatprofile.cli.main``, the
console script's function); a few go through ``python -m beatprofile`` in a
subprocess to prove the real process answers the same.
"""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from pipelines.render.maps import make_choropleth
from pipelines.render.point_maps import make_point_map
from tests.hostile.corpus import (
    ABS_EVIL,
    CASES,
    EVIL_NAME,
    IMG,
    SCRIPT,
    HostileCase,
    write_corpus,
)
from tests.hostile.runner import (
    CliResult,
    command_for,
    run_in_process,
    run_subprocess,
    snapshot,
)
from tests.hostile.world import World, write_world

CASE_BY_NAME = {c.name: c for c in CASES}
# Where a zip's "../evil.txt" or "/tmp/evil.txt" would land if it were extracted.
SYSTEM_EVIL = (Path("/tmp") / EVIL_NAME, Path(ABS_EVIL))
# The Error for these names another file than the hostile one (the one missing).
ERROR_NAMES = {
    "config_missing_layer.toml": "nowhere.geojson",
    "config_missing_profile.toml": "nowhere.toml",
}
# Warnings the repaired layers must log (the repair is never silent).
LAYER_WARNINGS = {
    "bow_tie.geojson": "repaired 1 invalid polygon(s): ['11']",
    "self_intersecting_loop.geojson": "repaired 1 invalid polygon(s): ['12']",
    "spike_polygon.geojson": "kept only the polygonal parts of 1 area(s)",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[World, dict[str, Path]]:
    root = tmp_path_factory.mktemp("hostile")
    world = write_world(root / "world")
    return world, write_corpus(root / "corpus", world)


def params(cases: list[HostileCase]) -> list:
    return [
        pytest.param(
            c, id=c.name, marks=pytest.mark.xfail(strict=True, reason=f"BUG: {c.bug}")
        )
        if c.bug
        else pytest.param(c, id=c.name)
        for c in cases
    ]


def files_state(*roots: Path) -> dict[Path, tuple[int, int]]:
    """Path -> (size, mtime) of every file under ``roots``; folders as (-1, -1)."""
    return {
        p: (p.stat().st_size, p.stat().st_mtime_ns) if p.is_file() else (-1, -1)
        for p in snapshot(*roots)
    }


def assert_answer(case: HostileCase, path: Path, result: CliResult) -> None:
    """Exit 1 and an ``Error:`` naming the file, or 0 and read = kept + quarantined."""
    assert "Traceback" not in result.stderr, result.stderr
    if case.expect == "error":
        assert result.code == 1, (result.stdout, result.stderr)
        assert result.stderr.startswith("Error: "), result.stderr
        first = result.stderr.splitlines()[0]
        assert ERROR_NAMES.get(case.name, path.name) in first, first
        assert case.error in result.stderr, result.stderr
        return
    assert result.code == 0, result.stderr
    assert result.counts is not None, f"no 'rows read' line in:\n{result.stdout}"
    read, kept, quarantined = result.counts
    assert read == kept + quarantined
    assert read == case.rows, "every record in the file is read (none silently lost)"
    assert result.reasons == case.reasons


@pytest.mark.parametrize("case", params(CASES))
def test_hostile_file_gets_an_error_or_a_quarantine(case, corpus, tmp_path, caplog):
    world, paths = corpus
    path = paths[case.name]
    args = command_for(case, path, world)
    tmpdir = tmp_path / "tmpdir"  # the run's TMPDIR: a zip is extracted in here
    tmpdir.mkdir()
    watched = (world.root, path.parent, tmp_path)
    before = files_state(*watched)
    evil_before = {p: p.exists() for p in SYSTEM_EVIL}

    with caplog.at_level(logging.WARNING):
        result = run_in_process(args, tmpdir)

    assert_answer(case, path, result)
    after = files_state(*watched)
    assert {p for p in after if after[p] != before.get(p)} == set(), "files written"
    assert list(tmpdir.iterdir()) == [], "temporary files left behind"
    assert {p: p.exists() for p in SYSTEM_EVIL} == evil_before
    if case.name in LAYER_WARNINGS:
        assert LAYER_WARNINGS[case.name] in caplog.text


def test_corpus_has_at_least_40_hostile_files(corpus):
    _, paths = corpus
    written = [p for p in paths.values() if p.exists()]
    assert len(written) >= 40
    assert len({c.name for c in CASES}) == len(CASES)
    errors = sum(c.expect == "error" for c in CASES)
    assert errors >= 20 and len(CASES) - errors >= 20


def test_corpus_big_files_are_what_they_claim(corpus):
    _, paths = corpus
    assert paths["huge_field_10mb.csv"].stat().st_size > 10 * 1024 * 1024
    bomb = paths["zip_bomb.zip"].stat().st_size
    assert bomb < 1024 * 1024  # small on disk, 64 MiB inside


# --- the real process (python -m beatprofile) on a few of them ---

SUBPROCESS_CASES = [
    "traversal_dotdot.zip",
    "traversal_absolute.zip",
    "empty.csv",
    "nan_inf_coordinates.csv",
    "profile_not_toml.toml",
]


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_real_process_answers_the_same(name, corpus, tmp_path):
    world, paths = corpus
    case = CASE_BY_NAME[name]
    args = command_for(case, paths[name], world)
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    watched = (world.root, paths[name].parent, tmp_path)
    before = files_state(*watched)
    evil_before = {p: p.exists() for p in SYSTEM_EVIL}

    result = run_subprocess(args, tmpdir, cwd=tmp_path)

    assert_answer(case, paths[name], result)
    after = files_state(*watched)
    home = tmp_path / "home"  # checked on its own below
    changed = {p for p in after if after[p] != before.get(p)}
    assert {p for p in changed if not p.is_relative_to(home)} == set(), changed
    assert list(tmpdir.iterdir()) == []
    assert {p: p.exists() for p in SYSTEM_EVIL} == evil_before
    for evil in (tmpdir / EVIL_NAME, tmp_path / EVIL_NAME):
        assert not evil.exists()


def test_check_writes_nothing_in_the_home_folder(corpus, tmp_path):
    world, _ = corpus
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    args = [
        "check",
        str(world.profile),
        str(world.good_csv),
        "--config",
        str(world.config),
    ]
    result = run_subprocess(args, tmpdir, cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert (
        sorted(
            p.relative_to(tmp_path).as_posix() for p in (tmp_path / "home").rglob("*")
        )
        == []
    )


# --- builds: data kept as given, escaped only at display ---


def build_store(world: World, export: Path, tmp_path: Path) -> tuple[CliResult, Path]:
    """Build a store from one export; returns the CLI result and the store path."""
    store = tmp_path / "store" / "beatprofile.duckdb"
    config = tmp_path / "beatprofile.toml"
    config.write_text(
        world.config_for(f"build_{export.name}.toml", files=export)
        .read_text()
        .replace(str(world.store), str(store)),
        encoding="utf-8",
    )
    before = files_state(world.root, export.parent)
    result = run_in_process(["build", "--config", str(config)], tmp_path)
    after = files_state(world.root, export.parent)
    assert {p for p in after if after[p] != before.get(p)} == set()
    # Only the store, its organisers' lock (kept: concerns and the swap share
    # it) and its update lock (kept: an flock file holds no lock once closed).
    assert sorted(p.name for p in store.parent.iterdir()) == sorted(
        [store.name, f".{store.name}.lock", f".{store.name}.update.lock"]
    )
    return result, store


def test_script_description_is_stored_as_given(corpus, tmp_path):
    world, paths = corpus
    result, store = build_store(world, paths["script_in_description.csv"], tmp_path)
    assert result.code == 0, result.stderr
    assert "read 4 rows = kept 4 + quarantined 0" in result.stdout
    with duckdb.connect(str(store), read_only=True) as con:
        stored = dict(
            con.execute("SELECT incident_id, offense_desc FROM incidents").fetchall()
        )
    assert stored["9"] == SCRIPT
    assert stored["10"] == f"{IMG} & <b>bold</b>"


def test_nul_bytes_and_cp1252_text_survive_the_store(corpus, tmp_path):
    world, paths = corpus
    result, store = build_store(world, paths["nul_bytes.csv"], tmp_path)
    assert result.code == 0, result.stderr
    assert "read 3 rows = kept 3 + quarantined 0" in result.stdout
    with duckdb.connect(str(store), read_only=True) as con:
        desc = con.execute(
            "SELECT offense_desc FROM incidents WHERE incident_id = '9'"
        ).fetchone()[0]
    assert desc == "before\x00after"


def test_quarantined_rows_keep_their_raw_text_in_the_store(corpus, tmp_path):
    world, paths = corpus
    result, store = build_store(
        world, paths["unterminated_quote_mid_file.csv"], tmp_path
    )
    assert result.code == 0, result.stderr
    assert "read 3 rows = kept 2 + quarantined 1" in result.stdout
    with duckdb.connect(str(store), read_only=True) as con:
        reason, line, raw = con.execute(
            "SELECT reason, line, raw FROM quarantine"
        ).fetchone()
    assert (reason, line) == ("unparseable_row", 4)
    # The lines swallowed by the open quote are kept inside the quarantined row.
    assert all(f"{i},2019-06-" in raw for i in (20, 21, 22))


def test_choropleth_escapes_area_names_and_ids_from_data():
    areas = gpd.GeoDataFrame(
        {
            "area_id": [SCRIPT, "</script><img src=x onerror=alert(3)>"],
            "name": [SCRIPT, IMG],
            "n": [1, 2],
            "desc": [IMG, SCRIPT],
        },
        geometry=[box(-90.30, 38.60, -90.29, 38.61), box(-90.29, 38.60, -90.28, 38.61)],
        crs="EPSG:4326",
    )
    m = make_choropleth(
        areas,
        "n",
        "name",
        "area_id",
        [("desc", "Offense"), ("area_id", "Beat")],
        legend_title=SCRIPT,
        highlight_id=SCRIPT,
    )
    page = m.get_root().render()
    for unsafe in ("<script>alert", "<img src=x", "</script><img"):
        assert unsafe not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the legend title


def test_quarantine_point_map_escapes_offense_text():
    points = pd.DataFrame(
        {
            "lon": [-90.295, -90.285],
            "lat": [38.605, 38.605],
            "offense_desc": [SCRIPT, IMG],
            "file": ["a.csv", SCRIPT],
        }
    )
    outline = gpd.GeoDataFrame(
        {"area_id": ["11"]},
        geometry=[box(-90.30, 38.60, -90.28, 38.61)],
        crs="EPSG:4326",
    )
    m = make_point_map(points, outline, [("offense_desc", "Offense"), ("file", SCRIPT)])
    page = m.get_root().render()
    for unsafe in ("<script>alert", "<img src=x"):
        assert unsafe not in page
