"""Row filters of a source profile (``[filter]``) and the drafter's proposal.

Hand-made Denver-style exports: ``IS_CRIME`` / ``IS_TRAFFIC`` 0/1 columns, a
quarter of the rows traffic accidents flagged non-crime.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from pyproj import Transformer

from pipelines import schema as s
from pipelines.catalog import SAMPLE_CONFIG
from pipelines.errors import ConfigError, InputFileError
from pipelines.ingest.check import check_exports
from pipelines.ingest.filters import (
    RowFilter,
    filter_rows,
    parse_filter,
    propose_filters,
    render_filter_lines,
)
from pipelines.ingest.normalize import ISSUE, ISSUE_MESSAGE, normalize_export
from pipelines.ingest.quality import format_quality_report
from pipelines.ingest.readers import read_export
from pipelines.ingest.source_profile import load_source_profile
from tests.conftest import settings_with_store

P = Path("denver.toml")
# A real SLMPD point (inside neighborhood 60 of the bundled sample), as lon/lat.
LON, LAT = Transformer.from_crs("ESRI:102696", "EPSG:4326", always_xy=True).transform(
    905619.6, 1025285.0
)
PROFILE = """
[source]
name = "denver"

[columns]
incident_id = "INCIDENT_ID"
offense_code = "OFFENSE_TYPE_ID"
occurred_at = "FIRST_OCCURRENCE_DATE"
lon = "GEO_LON"
lat = "GEO_LAT"

[dates]
occurred_at = ["%Y-%m-%d %H:%M:%S"]

[categories]
default = "other"
{filter}
"""


def denver_rows(n_crime: int, n_traffic: int) -> list[str]:
    header = "INCIDENT_ID,OFFENSE_TYPE_ID,FIRST_OCCURRENCE_DATE,GEO_LON,GEO_LAT,IS_CRIME,IS_TRAFFIC"
    rows = [header]
    for i in range(n_crime):
        rows.append(f"{i},theft-bicycle,2019-06-0{1 + i % 9} 10:00:00,{LON},{LAT},1,0")
    for i in range(n_traffic):
        rows.append(f"{1000 + i},traffic-accident,2019-06-02 10:00:00,{LON},{LAT},0,1")
    return rows


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the [filter] section -------------------------------------------------------------


def test_filter_section_parses_keep_and_drop_with_values_as_text():
    parsed = parse_filter({"keep": {"IS_CRIME": ["1"]}, "drop": {"X": [1, "y"]}}, P)
    assert parsed == RowFilter(keep={"IS_CRIME": ("1",)}, drop={"X": ("1", "Y")})


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (
            {"kepp": {"IS_CRIME": ["1"]}},
            r"denver.toml: \[filter\] has unknown key\(s\) \['kepp'\]; expected `keep`",
        ),
        (
            {"keep": ["IS_CRIME"]},
            r"denver.toml: \[filter\] keep must be a table of column = list of "
            r"values, .*found \['IS_CRIME'\]",
        ),
        (
            {"keep": {"IS_CRIME": "1"}},
            r"denver.toml: \[filter\] keep.IS_CRIME must be a non-empty list of "
            r"values as text, .*found '1'",
        ),
        (
            {"drop": {"IS_TRAFFIC": []}},
            r"\[filter\] drop.IS_TRAFFIC must be a non-empty list.*found \[\]",
        ),
        ("IS_CRIME", r"\[filter\] must be a table such as"),
    ],
)
def test_bad_filter_section_is_an_error_naming_profile_key_and_found(section, message):
    with pytest.raises(ConfigError, match=message):
        parse_filter(section, P)


def test_profile_loader_reads_the_filter_section(tmp_path):
    path = write(
        tmp_path,
        "p.toml",
        PROFILE.format(filter='[filter]\nkeep = { IS_CRIME = ["1"] }'),
    )
    assert load_source_profile(path).row_filter.keep == {"IS_CRIME": ("1",)}
    bad = write(tmp_path, "bad.toml", PROFILE.format(filter="[filter]\nonly = 1"))
    with pytest.raises(ConfigError, match=r"bad.toml: \[filter\] has unknown key"):
        load_source_profile(bad)


def test_filter_rows_keeps_listed_values_and_drops_others_with_a_message():
    raw = pd.DataFrame(
        {"IS_CRIME": ["1", "0", " 1 ", ""], "IS_TRAFFIC": ["0", "1", "1", "0"]}
    )
    keep = RowFilter(keep={"is_crime": ("1",)})
    filtered, message = filter_rows(raw, keep, lambda c: c.upper(), "f.csv")
    assert filtered.tolist() == [False, True, False, True]
    assert message[1] == "is_crime was '0'; the profile's [filter] keeps only ['1']"
    drop = RowFilter(drop={"IS_TRAFFIC": ("1",)})
    filtered, message = filter_rows(raw, drop, lambda c: c, "f.csv")
    assert filtered.tolist() == [False, True, True, False]
    assert message[2] == "IS_TRAFFIC was '1'; the profile's [filter] drops ['1']"


def test_filter_on_a_column_not_in_the_file_is_an_error(tmp_path):
    path = write(
        tmp_path,
        "p.toml",
        PROFILE.format(filter='[filter]\nkeep = { IS_CRIM = ["1"] }'),
    )
    export = write(tmp_path, "d.csv", "\n".join(denver_rows(3, 1)) + "\n")
    with pytest.raises(
        InputFileError,
        match=r"d.csv: column 'IS_CRIM' named in the source profile's \[filter\] keep "
        r"is not in the file; the file has \[.*'IS_CRIME'.*\]\. Fix or remove",
    ):
        normalize_export(read_export(export), load_source_profile(path), "EPSG:26996")


def test_staging_marks_filtered_rows_with_their_own_reason(tmp_path):
    path = write(
        tmp_path,
        "p.toml",
        PROFILE.format(filter='[filter]\nkeep = { IS_CRIME = ["1"] }'),
    )
    export = write(tmp_path, "d.csv", "\n".join(denver_rows(6, 2)) + "\n")
    staged = normalize_export(
        read_export(export), load_source_profile(path), "EPSG:26996"
    )
    assert (staged[ISSUE] == s.FILTERED_REASON).sum() == 2
    filtered = staged[staged[ISSUE] == s.FILTERED_REASON]
    assert set(filtered[s.OFFENSE_CODE]) == {"traffic-accident"}
    assert staged[ISSUE].isna().sum() == 6
    assert staged[ISSUE_MESSAGE].dropna().iloc[0].startswith("IS_CRIME was '0'")


def test_check_counts_filtered_rows_apart_and_read_is_kept_quarantined_filtered(
    tmp_path,
):
    """12 crimes + 4 traffic accidents + 1 crime with an unreadable date:
    read 17 = kept 12 + quarantined 1 + filtered 4."""
    path = write(
        tmp_path,
        "p.toml",
        PROFILE.format(filter='[filter]\nkeep = { IS_CRIME = ["1"] }'),
    )
    rows = denver_rows(12, 4) + [f"99,theft-bicycle,not a date,{LON},{LAT},1,0"]
    export = write(tmp_path, "d.csv", "\n".join(rows) + "\n")
    settings = settings_with_store(SAMPLE_CONFIG, tmp_path / "never.duckdb")
    report = check_exports(path, [export], settings)
    source = report.sources().iloc[0]
    assert (
        source["read"],
        source["kept"],
        source["quarantined"],
        source["filtered"],
    ) == (
        17,
        12,
        1,
        4,
    )
    assert source["read"] == source["kept"] + source["quarantined"] + source["filtered"]
    text = format_quality_report(report)
    assert "rows read 17 = would keep 12 + quarantine 1 + filtered 4" in text
    assert "filtered_by_profile (the profile's [filter]): 4" in text
    assert "d.csv: 17 = 12 + 1 + 4" in text


# --- the drafter's proposal -----------------------------------------------------------


def test_a_0_1_is_crime_column_splitting_75_25_is_proposed_with_its_shares():
    rows = pd.DataFrame({"IS_CRIME": ["1"] * 75 + ["0"] * 25, "X": ["a"] * 100})
    [proposal] = propose_filters(rows)
    assert (proposal.column, proposal.mode, proposal.values) == (
        "IS_CRIME",
        "keep",
        ("1",),
    )
    assert proposal.set_aside == 25
    lines = render_filter_lines([proposal])
    assert lines[1] == "[filter]"
    assert lines[-1] == 'keep = { IS_CRIME = ["1"] }'
    note = " ".join(line.removeprefix("# ") for line in lines)
    assert (
        "CHECK:" in note
        and "'1' 75 rows (75.0%)" in note
        and "'0' 25 rows (25.0%)" in note
    )
    assert "setting aside 25 of 100 rows (25.0%)" in note


def test_a_constant_column_is_not_proposed():
    rows = pd.DataFrame({"IS_CRIME": ["1"] * 100, "FlagCrime": ["Y"] * 99 + [" "]})
    assert propose_filters(rows) == []
    assert render_filter_lines([]) == []


def test_traffic_and_unfounded_flags_drop_their_yes_rows_and_crime_comes_first():
    rows = pd.DataFrame(
        {
            "IS_TRAFFIC": ["1"] * 25 + ["0"] * 75,
            "IS_CRIME": ["0"] * 25 + ["1"] * 75,
            "Unfounded": ["Y"] * 5 + ["N"] * 95,
            "IS_HOT": ["1"] * 50 + ["0"] * 50,  # name says nothing: not proposed
            "Accident": ["yes", "no", "maybe"] * 33 + ["no"],  # not yes/no
        }
    )
    proposals = propose_filters(rows)
    assert [(p.column, p.mode, p.values) for p in proposals] == [
        ("IS_CRIME", "keep", ("1",)),
        ("IS_TRAFFIC", "drop", ("1",)),
        ("Unfounded", "drop", ("Y",)),
    ]
    lines = render_filter_lines(proposals)
    assert 'keep = { IS_CRIME = ["1"] }' in lines
    assert '# drop = { IS_TRAFFIC = ["1"] }' in lines  # alternatives commented out
    assert sum(line.startswith("# CHECK") for line in lines) == 3


def test_drafted_filter_lines_load_as_a_profile(tmp_path):
    rows = pd.DataFrame({"IS_CRIME": ["1"] * 3 + ["0"]})
    text = PROFILE.format(filter="\n".join(render_filter_lines(propose_filters(rows))))
    profile = load_source_profile(write(tmp_path, "p.toml", text))
    assert profile.row_filter.keep == {"IS_CRIME": ("1",)}


def test_a_ucr_part_three_column_is_proposed_for_dropping():
    rows = pd.DataFrame(
        {"UCR_PART": ["Part One"] * 2 + ["Part Two"] * 3 + ["Part Three"] * 5}
    )
    (proposal,) = propose_filters(rows)
    assert (proposal.column, proposal.mode, proposal.values) == (
        "UCR_PART",
        "drop",
        ("Part Three",),
    )
    assert proposal.set_aside == 5
    lines = render_filter_lines([proposal])
    assert lines[-1] == 'drop = { UCR_PART = ["Part Three"] }'
    assert any("UCR-part column" in line for line in lines)


def test_a_ucr_part_column_without_part_three_proposes_nothing():
    rows = pd.DataFrame({"UCR_PART": ["Part One", "Part Two", "Part Two"]})
    assert propose_filters(rows) == []
