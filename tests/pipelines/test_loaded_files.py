"""Exports already loaded are recognised by content, before anything is parsed."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from pipelines.ingest.loaded import find_loaded
from tests.conftest import requires_shared_data
from tests.update_helpers import PROFILE, RAW, build_base

pytestmark = requires_shared_data()


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_base(tmp_path_factory.mktemp("dept"))


def test_the_same_file_is_found_with_its_name_date_and_rows(base):
    path = base.sources[0].files[0]
    found = find_loaded(base.store_path, PROFILE, [path])
    known = found[path]
    assert known.loaded_as == "october2019.csv"
    assert known.rows == 4283  # data rows of the real October 2019 export
    assert known.describe() == (
        f"october2019.csv: already loaded on {known.loaded_at:%Y-%m-%d %H:%M}; "
        "nothing to do"
    )


def test_same_content_under_another_name_or_gzipped_is_found(base, tmp_path):
    renamed = tmp_path / "oct-2019-reexport.csv"
    shutil.copy(RAW / "october2019.csv", renamed)
    zipped = tmp_path / "october2019.csv.gz"
    zipped.write_bytes(gzip.compress((RAW / "october2019.csv").read_bytes()))
    found = find_loaded(base.store_path, PROFILE, [renamed, zipped])
    assert set(found) == {renamed, zipped}
    assert (
        found[renamed]
        .describe()
        .startswith(
            "oct-2019-reexport.csv: same content as october2019.csv, already loaded on "
        )
    )
    assert found[renamed].describe().endswith(" as october2019.csv; nothing to do")


def test_a_corrected_reexport_of_the_same_name_is_not_skipped(base, tmp_path):
    corrected = tmp_path / "october2019.csv"
    lines = (RAW / "october2019.csv").read_bytes().splitlines(keepends=True)
    corrected.write_bytes(b"".join(lines[:-1]))  # one record withdrawn
    other_month = RAW / "november2019.csv"
    assert find_loaded(base.store_path, PROFILE, [corrected, other_month]) == {}


def test_nothing_is_found_without_a_store_or_for_another_source(base, tmp_path):
    path = base.sources[0].files[0]
    assert find_loaded(tmp_path / "none.duckdb", PROFILE, [path]) == {}
    other = tmp_path / "other.toml"
    other.write_text('[source]\nname = "another_department"\n')
    assert find_loaded(base.store_path, other, [path]) == {}
    assert find_loaded(base.store_path, Path("missing.toml"), [path]) == {}
