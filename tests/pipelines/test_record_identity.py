"""Record identity: overlapping re-pulls of real SLMPD months count nothing twice.

A re-pull is what a department does every month: export the last two months
again (the tail of last month may have been corrected) and load it on top of
what is already there. The store must then hold exactly what loading each
month once holds, with the corrected version of a revised incident.
"""

from __future__ import annotations

import dataclasses
import gzip
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from pipelines.build import run_build
from pipelines.catalog import SAMPLE_CONFIG, SAMPLE_DIR
from pipelines.errors import ConfigError
from pipelines.identity import EXACT_COPY, RecordIdentity
from pipelines.ingest.check import check_exports
from pipelines.ingest.dedupe import GROUP, keep_latest_versions
from pipelines.ingest.source_profile import load_source_profile
from pipelines.settings import Settings, SourceConfig
from tests.conftest import settings_with_store

PROFILE = SAMPLE_DIR.parent.parent / "profiles" / "stlouis_slmpd.toml"
MONTHS = ("october2019", "november2019", "december2019")
REVISED = "19-058001"  # a November 2019 complaint whose address is corrected
# Provenance differs by construction (another file, other line numbers).
PROVENANCE = ("file", "line", "staged_row")


def _month_lines(month: str) -> tuple[str, list[str]]:
    text = gzip.decompress((SAMPLE_DIR / "slmpd" / f"{month}.csv.gz").read_bytes())
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError:
        decoded = text.decode("cp1252")
    header, *rows = decoded.removeprefix("\ufeff").splitlines()
    return header, rows


def _write_pull(path: Path, months: tuple[str, ...], revise: bool = False) -> Path:
    """One export holding the rows of ``months`` (optionally one row revised)."""
    header, lines = "", []
    for month in months:
        header, rows = _month_lines(month)
        lines += rows
    if revise:
        index = next(i for i, r in enumerate(lines) if r.startswith(REVISED + ","))
        fields = lines[index].split(",")
        fields[12] = "CORRECTED ST"  # ILEADSStreet
        lines[index] = ",".join(fields)
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def _settings(tmp: Path, files: list[Path]) -> Settings:
    base = settings_with_store(SAMPLE_CONFIG, tmp / "store.duckdb")
    return dataclasses.replace(
        base, sources=(SourceConfig(profile=PROFILE, files=tuple(files)),)
    )


def _monthly(store: Path) -> dict[str, int]:
    with duckdb.connect(str(store), read_only=True) as con:
        rows = con.execute(
            "SELECT strftime(reported_at, '%Y-%m'), count(*) FROM incidents "
            "GROUP BY ALL ORDER BY 1"
        ).fetchall()
    return dict(rows)


def _table(store: Path, name: str) -> pd.DataFrame:
    with duckdb.connect(str(store), read_only=True) as con:
        frame = con.execute(f"SELECT * FROM {name}").df()
    frame = frame.drop(columns=[c for c in PROVENANCE if c in frame.columns])
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


@pytest.fixture(scope="module")
def clean_load(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("clean")
    files = [
        _write_pull(tmp / f"{m}.csv", (m,), revise=(m == "november2019"))
        for m in MONTHS
    ]
    settings = _settings(tmp, files)
    run_build(settings)
    return settings.store_path


def test_two_month_repull_with_a_revision_counts_every_month_once(tmp_path, clean_load):
    files = [_write_pull(tmp_path / f"{m}.csv", (m,)) for m in MONTHS]
    repull = _write_pull(
        tmp_path / "nov_dec_repull.csv", ("november2019", "december2019"), True
    )
    settings = _settings(tmp_path, files)
    before = run_build(settings)
    monthly_before = _monthly(settings.store_path)
    report = run_build(
        dataclasses.replace(
            settings,
            sources=(SourceConfig(profile=PROFILE, files=(*files, repull)),),
        )
    )
    after = _monthly(settings.store_path)
    print("monthly before", monthly_before, "after", after)
    assert after == _monthly(clean_load) == monthly_before
    assert report.net_crimes == before.net_crimes
    assert report.read == before.read + sum(
        len(_month_lines(m)[1]) for m in ("november2019", "december2019")
    )
    assert report.quarantined_by_reason["duplicate"] == report.read - before.read
    with duckdb.connect(str(settings.store_path), read_only=True) as con:
        streets = con.execute(
            "SELECT block_address FROM incidents WHERE incident_id = ?", [REVISED]
        ).fetchall()
    assert streets and all("CORRECTED ST" in s for (s,) in streets)
    for name in ("incidents", "daily_counts", "profiles"):
        pd.testing.assert_frame_equal(
            _table(settings.store_path, name), _table(clean_load, name)
        )


# A pull is a window of consecutive months; a sequence of them covers each month.
_windows = st.tuples(st.integers(0, len(MONTHS) - 1), st.integers(1, len(MONTHS))).map(
    lambda t: MONTHS[t[0] : max(t[0] + 1, min(len(MONTHS), t[0] + t[1]))]
)
_pulls = st.lists(_windows, min_size=1, max_size=4).filter(
    lambda pulls: {m for pull in pulls for m in pull} == set(MONTHS)
)


@hsettings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(pulls=_pulls)
def test_any_sequence_of_overlapping_repulls_equals_loading_each_month_once(
    pulls, clean_load, tmp_path_factory
):
    tmp = tmp_path_factory.mktemp("pulls")
    files = [
        _write_pull(tmp / f"pull{i}.csv", pull, revise="november2019" in pull)
        for i, pull in enumerate(pulls)
    ]
    settings = _settings(tmp, files)
    run_build(settings)
    for name in ("incidents", "daily_counts", "profiles"):
        pd.testing.assert_frame_equal(
            _table(settings.store_path, name), _table(clean_load, name)
        )


def _profile_without_identity(tmp: Path) -> Path:
    text = PROFILE.read_text(encoding="utf-8")
    start = text.index("[identity]")
    end = text.index("[dates]")
    path = tmp / "slmpd_no_identity.toml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    return path


def _tiny_export(path: Path, repeat: int, newline: str = "\n") -> Path:
    header, rows = _month_lines("november2019")
    chosen = [r for r in rows if r.count(",") == 19][:3]
    lines = [header, *chosen, *[chosen[0]] * repeat]
    path.write_bytes((newline.join(lines) + newline).encode("utf-8"))
    return path


def test_rows_equal_in_every_field_are_quarantined_as_duplicates(tmp_path):
    settings = settings_with_store(SAMPLE_CONFIG, tmp_path / "never.duckdb")
    export = _tiny_export(tmp_path / "tiny.csv", repeat=2)
    report = check_exports(_profile_without_identity(tmp_path), [export], settings)
    source = report.sources().iloc[0]
    assert source["read"] == 5
    assert source["q_duplicate"] == 2


def test_slmpd_victim_rows_in_one_export_are_kept_but_not_twice(tmp_path):
    """Identical rows inside one SLMPD export are one row per victim (kept); the
    same export loaded again under another name replaces them, adding nothing."""
    settings = settings_with_store(SAMPLE_CONFIG, tmp_path / "never.duckdb")
    first = _tiny_export(tmp_path / "first.csv", repeat=2)
    # (other line endings, so it is not skipped as the same file)
    again = _tiny_export(tmp_path / "again.csv", repeat=2, newline="\r\n")
    once = check_exports(PROFILE, [first], settings).sources().iloc[0]
    twice = check_exports(PROFILE, [first, again], settings).sources().iloc[0]
    assert once["kept"] == 5 and once.get("q_duplicate", 0) == 0
    assert twice["kept"] == 5 and twice["q_duplicate"] == 5


@pytest.mark.parametrize(
    ("section", "match"),
    [
        ('key = "incident_id"', r"key must be a list of fields"),
        ('key = ["incident_id", "beat"]', r'names "beat", which is not a field mapped'),
        ('key = ["incident_id"]\nrepeats = "some"', r'repeats was "some" but is'),
        ('key = ["incident_id"]\norder = 1', r"unknown key\(s\) \['order'\]"),
    ],
)
def test_identity_section_errors_name_the_fix(tmp_path, section, match):
    path = _profile_without_identity(tmp_path)
    path.write_text(
        path.read_text(encoding="utf-8") + f"\n[identity]\n{section}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=match):
        load_source_profile(path)


def test_duplicate_messages_name_the_kept_row():
    rows = pd.DataFrame(
        {
            "staged_row": [0, 1, 2],
            "incident_id": ["19-1", "19-1", "19-1"],
            "file": ["a.csv", "a.csv", "b.csv"],
            "line": [2, 3, 2],
            GROUP: [0, 0, 0],
        }
    )
    order = {"a.csv": 0, "b.csv": 1}
    exact = keep_latest_versions(rows, EXACT_COPY, order)
    assert exact.kept["staged_row"].tolist() == [2]
    assert (
        exact.duplicates["message"].tolist()
        == ["an exact copy (every field equal) of the row kept at b.csv line 2"] * 2
    )
    key = RecordIdentity(("incident_id", "offense_code"), repeats="separate")
    versions = keep_latest_versions(rows, key, order)
    assert versions.kept["staged_row"].tolist() == [2]
    assert versions.duplicates["message"].iloc[0] == (
        "an older version of incident 19-1 (same incident_id, offense_code); the "
        "most recent is kept (b.csv line 2)"
    )


def _draft(tmp_path: Path, body: str):
    from pipelines.ingest.draft.profile import draft_profile
    from pipelines.ingest.readers import read_export

    path = tmp_path / "export.csv"
    path.write_text(
        "Case Number,Date,IUCR,Primary Type,Latitude,Longitude\n" + body,
        encoding="utf-8",
    )
    draft = draft_profile(read_export(path))
    out = tmp_path / "draft.toml"
    out.write_text(draft.toml, encoding="utf-8")
    return draft, load_source_profile(out)


def test_drafter_proposes_the_id_alone_when_it_is_unique(tmp_path):
    rows = "".join(
        f"C{i},2019-06-0{1 + i % 9} 10:00,0486,BATTERY,41.88,-87.63\n" for i in range(9)
    )
    draft, profile = _draft(tmp_path, rows)
    assert "[identity]" not in draft.toml
    assert profile.record_identity.key == ("incident_id",)


def test_drafter_proposes_the_smallest_unique_key_with_a_check(tmp_path):
    rows = "".join(
        f"C{i // 2},2019-06-0{1 + i % 9} 10:00,{'0486' if i % 2 else '0820'},"
        f"{'BATTERY' if i % 2 else 'THEFT'},41.88,-87.63\n"
        for i in range(10)
    )
    draft, profile = _draft(tmp_path, rows)
    section = draft.toml[draft.toml.index("[identity]") :].split("\n\n")[0]
    assert "# CHECK: `Case Number` repeats; these fields together are unique" in (
        section
    )
    assert profile.record_identity.key == ("incident_id", "offense_code")
