"""Issue 11: real exports of departments the project was not developed on.

Each department in ``tests/data/`` goes through the CLI exactly as a new user
following the README would: ``profile init FILE --areas LAYER --out PROFILE``
with no edits, then ``check`` and ``build`` with the department config. The
config is the one ``profile init`` drafted, when it drafts one (named in its
output or written beside the profile); otherwise a minimal one written as the
README says (finest level from the layer, a projected CRS in metres, and a
``from_label`` level for each other label the draft made active).

The assertions are those of the issue's "Must show": coarser levels non-empty,
label agreement above 95% where the data has labels, non-crime rows filtered
when the export flags them, no ``-dv``-style offence left unflagged as
sensitive, no placeholder point quarantined as outside the jurisdiction, and
read = kept + quarantined (+ filtered).
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import geopandas as gpd
import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"

# Offence text a cautious default must flag as sensitive (issue 11, Build 5).
SENSITIVE = re.compile(
    r"(?<![a-z])(dv|domestic|family|intimate|restrain\w*|protection order"
    r"|protective order|child\w*|juvenile|sex|sexual|rape)(?![a-z])",
    re.IGNORECASE,
)
PLACEHOLDER_KM = 50.0


@dataclass(frozen=True)
class Department:
    """One unseen department: its files and what a user knows about them."""

    key: str
    exports: tuple[str, ...]
    layer: str
    level: str
    id_field: str
    name_field: str | None
    analysis_crs: str
    lon_column: str
    lat_column: str
    # export column holding the finest level's own label (None: no such label)
    finest_label: str | None
    # coarser levels the layer itself carries: level name -> parent field
    parents: dict[str, str] = field(default_factory=dict)
    # yes/no flags: column -> value that means "not a crime"
    non_crime_flags: dict[str, str] = field(default_factory=dict)
    # why label agreement is known to stay below 95% (a strict xfail: it must
    # start failing loudly once the cause is fixed)
    known_low_agreement: str | None = None


DENVER = Department(
    key="denver",
    exports=("denver/crime_extract.csv.gz",),
    layer="denver/statistical_neighborhoods.zip",
    level="neighborhood",
    id_field="NBHD_ID",
    name_field="NBHD_NAME",
    analysis_crs="EPSG:26913",
    lon_column="GEO_LON",
    lat_column="GEO_LAT",
    finest_label="NEIGHBORHOOD_ID",
    non_crime_flags={"IS_CRIME": "0", "IS_TRAFFIC": "1"},
)

DEPARTMENTS = (
    DENVER,
    Department(
        key="boston",
        exports=("boston/mattapan_2017.csv.gz", "boston/mattapan_2018.csv.gz"),
        layer="boston/Police_Districts.geojson",
        level="district",
        id_field="DISTRICT",
        name_field=None,
        analysis_crs="EPSG:26986",
        lon_column="Long",
        lat_column="Lat",
        finest_label="DISTRICT",
        # UCR defines Parts I and II only; Boston's Part Three is non-crime
        non_crime_flags={"UCR_PART": "Part Three"},
        known_low_agreement=(
            "5% of B3's rows are recorded at other districts' police stations "
            "(121 at the B2 station on Washington St, 79 at E13, 29 at A1, 27 at "
            "C11); a rule for such stacked station points is not built yet"
        ),
    ),
    Department(
        key="philadelphia",
        exports=("philadelphia/incidents_part1_part2.csv.gz",),
        layer="philadelphia/Boundaries_District.geojson",
        level="district",
        id_field="DIST_NUM",
        name_field=None,
        analysis_crs="EPSG:32129",
        lon_column="lng",
        lat_column="lat",
        finest_label="dc_dist",
        parents={"division": "DIV_CODE"},
    ),
    # The same neighbourhoods as Denver's crime extract, with traffic offences kept.
    replace(
        DENVER,
        key="denver_traffic",
        exports=("denver_traffic/crime_2014_2019_extract.csv.gz",),
        non_crime_flags={"IS_CRIME": "0"},
    ),
)


@dataclass
class Run:
    """What one department's init -> check -> build produced."""

    dept: Department
    init: subprocess.CompletedProcess
    check: subprocess.CompletedProcess | None = None
    build: subprocess.CompletedProcess | None = None
    config: Path | None = None
    config_drafted: bool = False
    report: dict | None = None


def _cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(cwd)}
    return subprocess.run(
        [sys.executable, "-m", "beatprofile", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def _drafted_config(init_out: str, profile: Path) -> Path | None:
    """The config ``profile init`` drafted, from its hint or beside the profile."""
    hint = re.search(r"--config\s+(\S+?)[`'\"]?(?:\s|$)", init_out)
    if hint:
        path = Path(hint.group(1))
        path = path if path.is_absolute() else profile.parent.parent / path
        if path.is_file():
            return path
    beside = profile.parent / "beatprofile.toml"
    return beside if beside.is_file() else None


def _minimal_config(dept: Department, profile: Path, tmp: Path) -> Path:
    """The config a user writes from the README: finest level from the layer."""
    labels = tomllib.loads(profile.read_text(encoding="utf-8")).get("labels", {})
    lines = [
        "[department]",
        f'name = "{dept.key}"',
        f'analysis_crs = "{dept.analysis_crs}"',
        "[store]",
        f'path = "{tmp / "store.duckdb"}"',
        "[[sources]]",
        f'profile = "{profile}"',
        "files = [" + ", ".join(f'"{DATA / f}"' for f in dept.exports) + "]",
        "[[levels]]",
        f'name = "{dept.level}"',
        f'polygons = "{DATA / dept.layer}"',
        f'id_field = "{dept.id_field}"',
    ]
    if dept.name_field:
        lines.append(f'name_field = "{dept.name_field}"')
    for name, parent in dept.parents.items():
        lines += ["[[levels]]", f'name = "{name}"', f'parent_field = "{parent}"']
    for name in labels:
        if name != dept.level and name not in dept.parents:
            lines += ["[[levels]]", f'name = "{name}"', "from_label = true"]
    path = tmp / "beatprofile.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run(dept: Department, tmp: Path) -> Run:
    profile = tmp / "mydept" / "crimes.toml"
    profile.parent.mkdir(parents=True)
    first = DATA / dept.exports[0]
    run = Run(
        dept,
        _cli(
            "profile",
            "init",
            first,
            "--areas",
            DATA / dept.layer,
            "--out",
            profile,
            cwd=tmp,
        ),
    )
    if run.init.returncode != 0:
        return run
    drafted = _drafted_config(run.init.stdout + run.init.stderr, profile)
    run.config_drafted = drafted is not None
    run.config = drafted or _minimal_config(dept, profile, tmp)
    files = [DATA / f for f in dept.exports]
    run.check = _cli("check", profile, *files, "--config", run.config, cwd=tmp)
    report = tmp / "build.json"
    run.build = _cli("build", "--config", run.config, "--report-json", report, cwd=tmp)
    if run.build.returncode == 0 and report.is_file():
        run.report = json.loads(report.read_text(encoding="utf-8"))
    return run


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    return {d.key: _run(d, tmp_path_factory.mktemp(d.key)) for d in DEPARTMENTS}


def _built(runs: dict[str, Run], key: str) -> Run:
    run = runs[key]
    assert run.init.returncode == 0, run.init.stdout + run.init.stderr
    assert run.build is not None and run.build.returncode == 0, (
        run.build.stdout + run.build.stderr if run.build else "no build"
    )
    assert run.report is not None
    return run


def _store(run: Run) -> duckdb.DuckDBPyConnection:
    assert run.report is not None
    return duckdb.connect(run.report["store"], read_only=True)


def _levels(run: Run) -> list[dict]:
    assert run.config is not None
    return tomllib.loads(run.config.read_text(encoding="utf-8"))["levels"]


def _export_rows(dept: Department) -> list[tuple[str, int, dict[str, str]]]:
    """(file name, 1-based line, row) for every data row of the department's exports."""
    out = []
    for name in dept.exports:
        text = gzip.decompress((DATA / name).read_bytes()).decode(
            "utf-8-sig", "replace"
        )
        lines = re.split(r"\r\n|\r|\n", text)
        header = next(csv.reader([lines[0]]))
        for i, line in enumerate(lines[1:], start=2):
            if line:
                cells = next(csv.reader([line]))
                out.append((Path(name).name, i, dict(zip(header, cells, strict=False))))
    return out


KEYS = [d.key for d in DEPARTMENTS]


@pytest.mark.parametrize("key", KEYS)
def test_init_check_build_succeed(runs: dict[str, Run], key: str) -> None:
    run = _built(runs, key)
    assert run.check is not None and run.check.returncode == 0, (
        run.check.stdout + run.check.stderr
    )


@pytest.mark.parametrize("key", KEYS)
def test_init_hint_names_the_config(runs: dict[str, Run], key: str) -> None:
    run = runs[key]
    assert run.init.returncode == 0, run.init.stderr
    assert "--config" in run.init.stdout, run.init.stdout


@pytest.mark.parametrize("key", KEYS)
def test_rows_read_equal_kept_plus_quarantined_plus_filtered(
    runs: dict[str, Run], key: str
) -> None:
    report = _built(runs, key).report
    assert report is not None
    by_reason = report["quarantined_by_reason"]
    filtered = (
        report.get("filtered", 0) if "filtered_by_profile" not in by_reason else 0
    )
    assert report["quarantined"] == sum(by_reason.values())
    assert report["read"] == report["kept"] + report["quarantined"] + filtered
    assert report["read"] == len(_export_rows(runs[key].dept))


@pytest.mark.parametrize("key", KEYS)
def test_every_level_has_areas_and_assigned_rows(
    runs: dict[str, Run], key: str
) -> None:
    run = _built(runs, key)
    con = _store(run)
    for level in _levels(run):
        name = level["name"]
        n_areas = con.execute(
            "SELECT count(*) FROM areas WHERE level = ?", [name]
        ).fetchone()[0]
        assert n_areas > 0, f"level {name} has no areas"
        assigned = con.execute(
            f'SELECT count(*) FROM incidents WHERE "area_{name}" IS NOT NULL'
        ).fetchone()[0]
        assert assigned > 0, f"level {name}: no incident assigned"


@pytest.mark.parametrize("key", KEYS)
def test_finest_label_agrees_with_points(
    runs: dict[str, Run], key: str, request: pytest.FixtureRequest
) -> None:
    dept = runs[key].dept
    if dept.finest_label is None:
        pytest.skip("the export has no label of the finest level")
    if dept.known_low_agreement:
        request.applymarker(
            pytest.mark.xfail(strict=True, reason=dept.known_low_agreement)
        )
    run = _built(runs, key)
    agreement = run.report["label_agreement"] if run.report else {}
    assert dept.level in agreement, (
        f"no label agreement reported for {dept.level} (column {dept.finest_label}); "
        f"reported: {sorted(agreement)}"
    )
    shares = agreement[dept.level]
    assert shares["compared"] > 0
    assert shares["point_in_polygon_share"] > 0.95, shares


@pytest.mark.parametrize("key", KEYS)
def test_non_crime_rows_are_filtered(runs: dict[str, Run], key: str) -> None:
    dept = runs[key].dept
    if not dept.non_crime_flags:
        pytest.skip("the export has no yes/no crime or traffic flag")
    run = _built(runs, key)
    flagged = {
        (name, line)
        for name, line, row in _export_rows(dept)
        if any(row.get(col) == value for col, value in dept.non_crime_flags.items())
    }
    kept = set(_store(run).execute("SELECT file, line FROM incidents").fetchall())
    kept = {(Path(f).name, int(line)) for f, line in kept}
    assert not flagged & kept, f"{len(flagged & kept)} non-crime rows kept"


@pytest.mark.parametrize("key", KEYS)
def test_sensitive_offences_are_flagged(runs: dict[str, Run], key: str) -> None:
    run = _built(runs, key)
    rows = (
        _store(run)
        .execute(
            "SELECT offense_code, offense_desc, count(*) FROM incidents "
            "WHERE NOT coalesce(sensitive, false) GROUP BY 1, 2"
        )
        .fetchall()
    )
    unflagged = sorted(
        (n, code, desc)
        for code, desc, n in rows
        if SENSITIVE.search(re.sub(r"[-_/]", " ", f"{code or ''} {desc or ''}"))
    )
    assert not unflagged, (
        f"sensitive offences not flagged (rows, code, text): {unflagged}"
    )


def _distance_to_bbox_km(lon: float, lat: float, bounds: tuple[float, ...]) -> float:
    west, south, east, north = bounds
    dlon = max(west - lon, 0.0, lon - east) * 111.32 * math.cos(math.radians(lat))
    dlat = max(south - lat, 0.0, lat - north) * 110.57
    return math.hypot(dlon, dlat)


@pytest.mark.parametrize("key", KEYS)
def test_no_placeholder_point_quarantined_as_outside(
    runs: dict[str, Run], key: str
) -> None:
    run = _built(runs, key)
    dept = run.dept
    bounds = tuple(gpd.read_file(DATA / dept.layer).to_crs("EPSG:4326").total_bounds)
    outside = set(
        _store(run)
        .execute(
            "SELECT file, line FROM quarantine WHERE reason = 'outside_jurisdiction'"
        )
        .fetchall()
    )
    outside = {(Path(f).name, int(line)) for f, line in outside}
    placeholders = []
    for name, line, row in _export_rows(dept):
        if (name, line) not in outside:
            continue
        lon, lat = float(row[dept.lon_column]), float(row[dept.lat_column])
        if (abs(lon) < 1 and abs(lat) < 1) or _distance_to_bbox_km(lon, lat, bounds) > (
            PLACEHOLDER_KM
        ):
            placeholders.append((name, line, lon, lat))
    assert not placeholders, (
        f"placeholder points quarantined as outside: {placeholders}"
    )


@pytest.mark.parametrize("key", KEYS)
def test_check_reports_label_agreement(runs: dict[str, Run], key: str) -> None:
    run = runs[key]
    assert run.check is not None, run.init.stdout + run.init.stderr
    text = run.check.stdout
    assert "label agreement" in text or "labels match" in text, text
