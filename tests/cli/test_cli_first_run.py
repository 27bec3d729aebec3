"""An unseen department's first run through the entry point (issue 11).

The hand-made Denver-like fixture (tests/data/denver_like): slug neighborhood
labels against title-case polygon names, and a district column 1-3 that
coincides with neighborhood ids 1-3.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DENVER = REPO / "tests" / "data" / "denver_like"


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("BEATPROFILE_STORE", None)
    return subprocess.run(
        [sys.executable, "-m", "beatprofile", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        cwd=cwd,
    )


@pytest.fixture(scope="module")
def drafted(tmp_path_factory):
    """``profile init`` on the fixture, run from a scratch working directory."""
    work = tmp_path_factory.mktemp("first-run")
    result = run_cli(
        "profile",
        "init",
        str(DENVER / "crimes.csv"),
        "--areas",
        str(DENVER / "neighborhoods.geojson"),
        "--out",
        "mydept/crimes.toml",
        cwd=work,
    )
    assert result.returncode == 0, result.stderr
    return work, result


def test_init_hint_names_the_drafted_config(drafted):
    work, result = drafted
    hint = " ".join(result.stdout.split())
    assert (
        f"then run `beatprofile check mydept/crimes.toml {DENVER / 'crimes.csv'} "
        "--config mydept/beatprofile.toml` and `beatprofile build --config "
        "mydept/beatprofile.toml`." in hint
    )
    config = (work / "mydept" / "beatprofile.toml").read_text()
    assert 'analysis_crs = "EPSG:26913"' in config  # UTM 13N, metres
    assert 'id_field = "NBHD_ID"' in config and 'name_field = "NBHD_NAME"' in config
    assert 'name = "district"\nfrom_label = true' in config
    profile = (work / "mydept" / "crimes.toml").read_text()
    assert "[labels.neighborhood]\n" in profile
    assert 'column = "NEIGHBORHOOD_ID"' in profile
    assert '"five-points" = "1"' in profile
    assert '"sloan-lake" = "10"  # CHECK: fuzzy match, ratio 0.95' in profile
    assert "'sloan-lake' matched area 10 only fuzzily" in result.stderr


def test_init_check_build_with_no_edits(drafted):
    work, _ = drafted
    check = run_cli(
        "check",
        "mydept/crimes.toml",
        str(DENVER / "crimes.csv"),
        "--config",
        "mydept/beatprofile.toml",
        cwd=work,
    )
    assert check.returncode == 0, check.stderr
    assert f"Config: {work / 'mydept' / 'beatprofile.toml'}" in check.stdout
    assert f"level neighborhood: polygons {DENVER / 'neighborhoods.geojson'}" in (
        check.stdout
    )
    assert (
        "label agreement, neighborhood: 100.00% assigned, 100.00% "
        "point-in-polygon of 240 labelled rows"
    ) in check.stdout
    build = run_cli(
        "build",
        "--config",
        "mydept/beatprofile.toml",
        "--report-json",
        "build.json",
        cwd=work,
    )
    assert build.returncode == 0, build.stderr
    report = json.loads((work / "build.json").read_text())
    assert report["read"] == report["kept"] == 240
    agreement = report["label_agreement"]
    assert agreement["neighborhood"]["agreement_share"] > 0.95
    for level in ("precinct", "district"):
        assert agreement[level]["assigned_rows"] == 240  # coarser levels not empty
    assert "label agreement, district: from labels (240 labelled rows" in build.stdout
    assert "% assigned" not in build.stdout.split("district:")[1]


def bad_profile(work: Path) -> Path:
    """The issue's wrong draft: the district ids as the neighborhood label."""
    text = (work / "mydept" / "crimes.toml").read_text()
    start = text.index("[labels]")
    end = text.index("[categories]")
    wrong = '[labels]\nneighborhood = { column = "DISTRICT_ID" }\n\n'
    path = work / "mydept" / "wrong.toml"
    path.write_text(text[:start] + wrong + text[end:])
    return path


def config_with(work: Path, profile: Path, store: str) -> Path:
    text = (work / "mydept" / "beatprofile.toml").read_text()
    text = text.replace('profile = "crimes.toml"', f'profile = "{profile.name}"')
    text = text.replace('path = "beatprofile.duckdb"', f'path = "{store}"')
    cut = text.index("[[levels]]\n# CHECK: from the incidents' own `PRECINCT_ID`")
    path = work / "mydept" / "wrong-config.toml"
    path.write_text(text[:cut] + '[[levels]]\nname = "district"\nfrom_label = true\n')
    return path


def test_coincidental_label_fails_the_build_with_the_figure_and_fix(drafted):
    work, _ = drafted
    config = config_with(work, bad_profile(work), "wrong.duckdb")
    check = run_cli(
        "check",
        "mydept/wrong.toml",
        str(DENVER / "crimes.csv"),
        "--config",
        str(config),
        cwd=work,
    )
    assert (
        "label agreement, neighborhood: 8.33% assigned, 8.33% point-in-polygon "
        "of 240 labelled rows (labels naming an area: 100.00%)"
    ) in check.stdout
    assert (
        "label agreement, district: no incident was assigned to any area of "
        "level district"
    ) in check.stdout
    build = run_cli("build", "--config", str(config), cwd=work)
    assert build.returncode == 1
    assert "Traceback" not in build.stderr
    error = " ".join(build.stderr.split())
    assert (
        "Error: label agreement at level neighborhood is 8.3% of 240 labelled "
        "rows, below [assignment] min_label_agreement 80%; see the [labels] "
        "neighborhood entry of the source profile"
    ) in error
    assert "level district is empty: no incident was assigned" in error
    assert not (work / "mydept" / "wrong.duckdb").exists()


def test_allow_low_agreement_warns_loudly_and_builds(drafted):
    work, _ = drafted
    config = config_with(work, bad_profile(work), "wrong.duckdb")
    build = run_cli(
        "build",
        "--config",
        str(config),
        "--allow-low-agreement",
        "--store",
        "relative/low.duckdb",
        cwd=work,
    )
    assert build.returncode == 0, build.stderr
    warning = " ".join(build.stderr.split())
    assert (
        "WARNING (--allow-low-agreement): label agreement at level "
        "neighborhood is 8.3% of 240 labelled rows"
    ) in warning
    # --store is relative to the working directory, not to the config's folder
    assert (work / "relative" / "low.duckdb").exists()
    assert not (work / "mydept" / "relative").exists()


def test_zero_percent_match_is_printed(drafted):
    work, _ = drafted
    text = (work / "mydept" / "crimes.toml").read_text()
    start, end = text.index("[labels]"), text.index("[categories]")
    profile = work / "mydept" / "zero.toml"
    profile.write_text(
        text[:start]
        + '[labels]\nneighborhood = { column = "OFFENSE_TYPE_ID" }\n\n'
        + text[end:]
    )
    check = run_cli(
        "check",
        str(profile),
        str(DENVER / "crimes.csv"),
        "--config",
        "mydept/beatprofile.toml",
        cwd=work,
    )
    assert (
        "label agreement, neighborhood: 0% of labels match any area at level "
        "neighborhood: see the [labels] neighborhood entry"
    ) in check.stdout
    assert (
        "Warning: `beatprofile build` would fail: label agreement at level "
        "neighborhood is 0.0%" in " ".join(check.stdout.split())
    )


def built_store(work: Path) -> None:
    if not (work / "mydept" / "beatprofile.duckdb").exists():
        build = run_cli("build", "--config", "mydept/beatprofile.toml", cwd=work)
        assert build.returncode == 0, build.stderr


def test_watch_meeting_area_by_name_and_unnamed_levels_read_district_3(drafted):
    work, _ = drafted
    built_store(work)
    by_name = run_cli(
        "report",
        "watch-meeting",
        "--area",
        "five-points",
        "--config",
        "mydept/beatprofile.toml",
        "--out",
        "m.html",
        cwd=work,
    )
    assert by_name.returncode == 0, by_name.stderr
    assert by_name.stdout.startswith("Watch meeting for Five Points: written to m.html")
    district = run_cli(
        "report",
        "watch-meeting",
        "--area",
        "3",
        "--level",
        "district",
        "--config",
        "mydept/beatprofile.toml",
        "--out",
        "d.html",
        cwd=work,
    )
    assert district.stdout.startswith("Watch meeting for District 3: written to")


def test_unknown_area_name_is_an_error_listing_close_names(drafted):
    work, _ = drafted
    built_store(work)
    result = run_cli(
        "report",
        "watch-meeting",
        "--area",
        "Five Pointz",
        "--config",
        "mydept/beatprofile.toml",
        "--out",
        "m.html",
        cwd=work,
    )
    assert result.returncode == 1
    assert result.stderr.endswith(
        "Error: --area 'Five Pointz': no area is called that at level neighborhood; "
        "closest names: Five Points (1). Give the area's id or its exact name\n"
    )
