"""Loading and validating source profiles (pipelines/ingest/normalize/source_profile.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines import schema
from pipelines.errors import ConfigError
from pipelines.ingest.source_profile import CodeRange, LabelSpec, load_source_profile

REPO = Path(__file__).resolve().parents[2]
SLMPD = REPO / "profiles" / "stlouis_slmpd.toml"

MINIMAL = """
[source]
name = "test"

[columns]
incident_id = "Id"
occurred_at = "When"
"""


def write(tmp_path: Path, text: str, name: str = "profile.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the real SLMPD profile ---


def test_slmpd_profile_loads_with_its_settings():
    p = load_source_profile(SLMPD)
    assert p.name == "slmpd"
    assert p.kind == "report"
    assert p.path == SLMPD
    assert p.columns[schema.INCIDENT_ID] == ("Complaint",)
    assert p.columns[schema.OCCURRED_AT] == ("DateOccur",)
    assert p.columns[schema.REPORTED_AT] == ("CodedMonth",)
    assert p.columns[schema.BLOCK_ADDRESS] == ("ILEADSAddress", "ILEADSStreet")
    assert p.date_formats == {
        schema.OCCURRED_AT: ("%m/%d/%Y %H:%M",),
        schema.REPORTED_AT: ("%Y-%m",),
    }
    assert p.earliest == "1950-01-01"
    assert p.crs == "ESRI:102696"
    assert p.missing_xy == (0.0, 0.0)
    assert p.labels == {
        "neighborhood": LabelSpec("Neighborhood", ("0",)),
        "district": LabelSpec("District", ("0",)),
    }
    assert p.reversals is True
    assert p.code_width == 6


def test_slmpd_profile_code_tables():
    p = load_source_profile(SLMPD)
    assert p.code_categories["091114"] == "domestic"
    assert p.code_categories["265321"] == "traffic"
    assert len(p.code_categories) == 8
    assert len(p.code_ranges) == 25
    assert p.code_ranges[0] == CodeRange("010000", "019999", "homicide")
    assert p.code_ranges[-1] == CodeRange("267000", "269999", "other")
    assert p.sensitive_patterns == (
        "DOMEST",
        "CHILD",
        "MINOR",
        "VIC<",
        "ELDER ABUSE",
        "INCEST",
    )
    # Every range is well-formed and as wide as the codes it matches.
    for r in p.code_ranges:
        assert len(r.start) == len(r.end) == p.code_width
        assert r.start <= r.end


def test_minimal_profile_gets_defaults(tmp_path):
    p = load_source_profile(write(tmp_path, MINIMAL))
    assert p.name == "test"
    assert p.kind == "report"
    assert p.columns == {"incident_id": ("Id",), "occurred_at": ("When",)}
    assert p.date_formats == {}
    assert p.earliest == "1950-01-01"
    assert p.crs is None
    assert p.missing_xy is None
    assert p.labels == {}
    assert p.reversals is False
    assert p.code_width == 0
    assert p.code_categories == {}
    assert p.code_ranges == ()
    assert p.sensitive_patterns == ()
    assert p.description == ""


def test_call_kind_labels_shorthand_and_pattern_case(tmp_path):
    text = (
        MINIMAL.replace('name = "test"', 'name = "cad"\nkind = "call"')
        + """
[labels]
beat = "Beat"
district = { column = "Dist", missing = [0, "NA"] }

[categories]
sensitive_patterns = ["domestic", "Child"]
"""
    )
    p = load_source_profile(write(tmp_path, text))
    assert p.kind == "call"
    assert p.labels == {
        "beat": LabelSpec("Beat", ()),
        "district": LabelSpec("Dist", ("0", "NA")),
    }
    assert p.sensitive_patterns == ("DOMESTIC", "CHILD")


# --- errors ---


def test_missing_profile_file_is_an_error(tmp_path):
    with pytest.raises(
        ConfigError,
        match=r"source profile .*absent\.toml does not exist; give the path of a "
        r"\.toml profile",
    ):
        load_source_profile(tmp_path / "absent.toml")


def test_invalid_toml_is_an_error_naming_the_file(tmp_path):
    path = write(tmp_path, "[source\nname = 'x'\n")
    with pytest.raises(ConfigError, match=r"profile\.toml is not valid TOML: "):
        load_source_profile(path)


def test_non_utf8_file_is_an_invalid_toml_error(tmp_path):
    path = tmp_path / "latin.toml"
    path.write_bytes(b'[source]\nname = "caf\xe9"\n')
    with pytest.raises(ConfigError, match=r"latin\.toml is not valid TOML"):
        load_source_profile(path)


def test_missing_source_section_is_an_error(tmp_path):
    path = write(tmp_path, '[columns]\nincident_id = "Id"\noccurred_at = "When"\n')
    with pytest.raises(ConfigError, match=r"profile\.toml: missing section \[source\]"):
        load_source_profile(path)


def test_source_that_is_not_a_table_is_an_error(tmp_path):
    path = write(tmp_path, 'source = "slmpd"\n')
    with pytest.raises(ConfigError, match=r"missing section \[source\]"):
        load_source_profile(path)


def test_missing_source_name_is_an_error(tmp_path):
    path = write(tmp_path, MINIMAL.replace('name = "test"', 'kind = "report"'))
    with pytest.raises(ConfigError, match=r"profile\.toml: \[source\] needs `name`"):
        load_source_profile(path)


def test_bad_kind_is_an_error_listing_the_choices(tmp_path):
    path = write(tmp_path, MINIMAL.replace('name = "test"', 'name = "t"\nkind = "x"'))
    with pytest.raises(
        ConfigError,
        match=r'\[source\] kind was "x" but is expected to be "report" or "call"',
    ):
        load_source_profile(path)


def test_missing_columns_section_is_an_error(tmp_path):
    path = write(tmp_path, '[source]\nname = "t"\n')
    with pytest.raises(ConfigError, match=r"missing section \[columns\]"):
        load_source_profile(path)


def test_unknown_columns_field_is_an_error_listing_known_fields(tmp_path):
    path = write(tmp_path, MINIMAL + 'complaint = "Complaint"\nxcoord = "X"\n')
    with pytest.raises(
        ConfigError,
        match=r"\[columns\] has unknown field\(s\) \['complaint', 'xcoord'\]; "
        r"expected some of \['incident_id', 'offense_code'",
    ):
        load_source_profile(path)


@pytest.mark.parametrize("required", ["incident_id", "occurred_at"])
def test_missing_required_column_mapping_is_an_error(tmp_path, required):
    lines = [ln for ln in MINIMAL.splitlines() if not ln.startswith(required)]
    path = write(tmp_path, "\n".join(lines))
    with pytest.raises(ConfigError, match=rf"\[columns\] needs `{required}`"):
        load_source_profile(path)


def test_label_without_column_is_an_error(tmp_path):
    path = write(tmp_path, MINIMAL + '\n[labels]\nbeat = { missing = ["0"] }\n')
    with pytest.raises(ConfigError, match=r"\[labels\] beat needs a `column`"):
        load_source_profile(path)


def test_unknown_category_in_a_range_is_an_error(tmp_path):
    text = (
        MINIMAL
        + """
[[categories.range]]
from = "010000"
to = "019999"
category = "homicide"

[[categories.range]]
from = "070000"
to = "079999"
category = "auto theft"
"""
    )
    with pytest.raises(
        ConfigError,
        match=r'\[\[categories\.range\]\] #2 category was "auto theft" but is '
        r"expected to be one of \['homicide'",
    ):
        load_source_profile(write(tmp_path, text))


def test_unknown_category_for_an_exact_code_is_an_error(tmp_path):
    text = MINIMAL + '\n[categories.codes]\n"091114" = "assault"\n'
    with pytest.raises(
        ConfigError, match=r'\[categories\.codes\] 091114 category was "assault"'
    ):
        load_source_profile(write(tmp_path, text))


def test_range_with_from_greater_than_to_is_an_error(tmp_path):
    text = (
        MINIMAL
        + """
[[categories.range]]
from = "039999"
to = "030000"
category = "robbery"
"""
    )
    with pytest.raises(
        ConfigError, match=r"\[\[categories\.range\]\] #1 has from > to"
    ):
        load_source_profile(write(tmp_path, text))


@pytest.mark.parametrize("key", ["from", "to", "category"])
def test_range_missing_a_key_is_an_error(tmp_path, key):
    entry = {"from": '"030000"', "to": '"039999"', "category": '"robbery"'}
    del entry[key]
    body = "\n".join(f"{k} = {v}" for k, v in entry.items())
    path = write(tmp_path, MINIMAL + f"\n[[categories.range]]\n{body}\n")
    with pytest.raises(
        ConfigError, match=rf"\[\[categories\.range\]\] #1 needs `{key}`"
    ):
        load_source_profile(path)
