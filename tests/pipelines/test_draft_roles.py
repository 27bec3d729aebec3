"""Issue 11: date roles, export kind and missing required roles in drafted profiles.

Hand-made columns whose right answers are obvious: a Boston-style
``OCCURRED_ON_DATE`` with two-digit years, a report export whose only date is
a dispatch date (Philadelphia), a CAD export that keeps ``dispatched_at``, and
an export with no date at all, whose draft must warn at ``init`` and fail at
``check`` with an ``Error:`` naming the profile line to fill in.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from pipelines import schema as s
from pipelines.errors import ConfigError
from pipelines.ingest.draft.profile import detect_date_formats, draft_profile
from pipelines.ingest.normalize import normalize_export
from pipelines.ingest.source_profile import load_source_profile
from tests.pipelines.test_profile_draft import make_table

REPO = Path(__file__).resolve().parents[2]
MISSOURI_EAST_M = "EPSG:26996"


def lonlat(n: int) -> dict[str, list[str]]:
    """Points in St. Louis (no area layer needed: lon/lat are in range)."""
    return {
        "Longitude": [f"{-90.295 + 0.001 * (i % 9):.6f}" for i in range(n)],
        "Latitude": [f"{38.605 + 0.001 * (i % 7):.6f}" for i in range(n)],
    }


def boston_like(n: int = 10) -> dict[str, list[str]]:
    """Boston's 2017 layout: ``OCCURRED_ON_DATE`` as ``12/31/17 23:34``."""
    stamps = [f"12/{31 - i}/17 {(23 - i) % 24}:{34 - i:02d}" for i in range(n)]
    return {
        "INCIDENT_NUMBER": [f"I17{i:07d}" for i in range(n)],
        "OFFENSE_DESCRIPTION": ["LARCENY ALL OTHERS", "VANDALISM"] * (n // 2),
        "OCCURRED_ON_DATE": stamps,
        "YEAR": ["2017"] * n,
        **lonlat(n),
    }


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "draft.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- two-digit years ----------------------------------------------------------------


def test_two_digit_year_dates_are_month_first_when_a_day_exceeds_twelve():
    formats, share = detect_date_formats(pd.Series(["12/31/17 23:34", "1/2/18 3:04"]))
    assert formats == ("%m/%d/%y %H:%M",)
    assert share == 1.0


def test_two_digit_year_dates_are_day_first_when_a_month_exceeds_twelve():
    formats, _ = detect_date_formats(pd.Series(["31/12/17 23:34", "1/2/18 3:04"]))
    assert formats == ("%d/%m/%y %H:%M",)


def test_four_digit_years_are_not_read_as_two_digit_years():
    formats, _ = detect_date_formats(pd.Series(["12/31/2017 23:34"]))
    assert formats == ("%m/%d/%Y %H:%M",)


def test_occurred_on_date_with_two_digit_years_is_occurred_at(tmp_path):
    table = make_table(boston_like())
    draft = draft_profile(table)
    g = draft.guesses
    assert g["occurred_at"].value == "OCCURRED_ON_DATE"
    assert g["dates.occurred_at"].value == ("%m/%d/%y %H:%M",)
    assert not [w for w in draft.warnings if "occurred_at" in w]
    out = normalize_export(
        table, load_source_profile(write(tmp_path, draft.toml)), MISSOURI_EAST_M
    )
    assert out[s.OCCURRED_AT].iloc[0] == pd.Timestamp("2017-12-31 23:34")
    assert out[s.OCCURRED_AT].notna().all()


def test_dates_no_sampled_value_can_tell_apart_are_marked_check():
    table = make_table(
        {
            "Case": ["A", "B", "C"],
            "Date Occurred": ["01/02/19 10:00", "03/04/19 11:00", "05/06/19 12:00"],
            **lonlat(3),
        }
    )
    draft = draft_profile(table)
    evidence = draft.guesses["dates.occurred_at"]
    assert evidence.value == ("%m/%d/%y %H:%M",)
    assert evidence.confidence < 0.6
    assert "%d/%m/%y %H:%M" in evidence.evidence
    assert "CHECK: " in draft.toml.split("[dates]")[1].split("[location]")[0]


# --- dispatch dates in a report export versus a CAD export -------------------------


def philadelphia_like(n: int = 6) -> dict[str, list[str]]:
    """A crime (RMS) export whose only dates are dispatch date and time."""
    return {
        "dc_key": [f"2025150014{i:02d}.0" for i in range(n)],
        "text_general_code": ["Thefts", "Other Assaults"] * (n // 2),
        "dispatch_date_time": [f"2025-01-{i + 7:02d} 02:45:00+00" for i in range(n)],
        "dispatch_date": [f"2025-01-{i + 6:02d}" for i in range(n)],
        "dispatch_time": ["21:45:00"] * n,
        **lonlat(n),
    }


def test_report_export_dispatch_date_and_time_become_occurred_at(tmp_path):
    table = make_table(philadelphia_like())
    draft = draft_profile(table)
    g = draft.guesses
    assert g["kind"].value == "report"
    assert g["occurred_at"].value == ("dispatch_date", "dispatch_time")
    assert g["dates.occurred_at"].value == ("%Y-%m-%d %H:%M:%S",)
    assert "dispatched_at" not in g
    columns = draft.toml.split("[columns]")[1].split("[dates]")[0]
    assert "CHECK: " in columns and "dispatch" in columns
    assert "\ndispatched_at = " not in columns
    profile = load_source_profile(write(tmp_path, draft.toml))
    out = normalize_export(table, profile, MISSOURI_EAST_M)
    assert out[s.OCCURRED_AT].iloc[0] == pd.Timestamp("2025-01-06 21:45")


def test_report_export_with_one_dispatch_date_column_uses_it_for_occurred_at():
    table = make_table(
        {
            "Case": ["A", "B"],
            "dispatch_date_time": ["2025-01-07 02:45:00", "2025-01-08 03:00:00"],
            **lonlat(2),
        }
    )
    g = draft_profile(table).guesses
    assert g["kind"].value == "report"
    assert g["occurred_at"].value == "dispatch_date_time"
    assert g["occurred_at"].confidence < 0.6
    assert "dispatched_at" not in g


def test_cad_export_keeps_dispatched_at():
    n = 6
    table = make_table(
        {
            "CAD Event Number": [str(2023000000 + i) for i in range(n)],
            "Priority": [str(1 + i % 3) for i in range(n)],
            "Call Type": ["911", "ONVIEW"] * (n // 2),
            "Time Queued": ["11/04/2023 6:08:26 PM"] * n,
            "Dispatch Time": ["11/04/2023 6:20:00 PM"] * n,
            "Arrived Time": ["11/04/2023 6:51:06 PM"] * n,
            **lonlat(n),
        }
    )
    g = draft_profile(table).guesses
    assert g["kind"].value == "call"
    assert g["dispatched_at"].value == "Dispatch Time"
    assert g["occurred_at"].value == g["queued_at"].value == "Time Queued"


# --- a required role that cannot be found ---------------------------------------------


def no_date_export(n: int = 4) -> dict[str, list[str]]:
    return {
        "Case Number": [f"C{i}" for i in range(n)],
        "Offense": ["ROBBERY", "BURGLARY"] * (n // 2),
        "Report Date": ["not known"] * n,
        "End Date": ["01/02/2019"] * n,
        **lonlat(n),
    }


def test_missing_occurred_at_warns_naming_the_columns_considered_and_why():
    draft = draft_profile(make_table(no_date_export()))
    [warning] = [w for w in draft.warnings if "occurred_at" in w]
    assert warning.startswith("REQUIRED: no column found for occurred_at")
    assert "`Report Date` (no value looks like a date" in warning
    assert "`End Date` (the header says it is an end or last time" in warning
    assert '[columns] occurred_at = "TODO"' in warning


def test_missing_coordinates_warn_and_leave_placeholders():
    columns = no_date_export()
    del columns["Longitude"], columns["Latitude"]
    columns["Lat"] = ["north"] * 4
    draft = draft_profile(make_table(columns))
    [warning] = [w for w in draft.warnings if "coordinates" in w]
    assert warning.startswith("REQUIRED: no coordinate columns found")
    assert "`Lat` (not numbers" in warning
    doc = tomllib.loads(draft.toml)
    assert doc["columns"]["lon"] == doc["columns"]["lat"] == "TODO"


def test_profile_with_a_todo_placeholder_is_an_error_naming_the_line(tmp_path):
    draft = draft_profile(make_table(no_date_export()))
    path = write(tmp_path, draft.toml)
    line = draft.toml.splitlines().index('occurred_at = "TODO"') + 1
    with pytest.raises(
        ConfigError,
        match=rf"{path}:{line}: \[columns\] occurred_at is still the draft\'s "
        r'placeholder "TODO"; name the export\'s column for occurred_at',
    ):
        load_source_profile(path)


def test_check_on_a_draft_with_a_missing_role_fails_with_the_line(tmp_path):
    export = tmp_path / "export.csv"
    pd.DataFrame(no_date_export()).to_csv(export, index=False)
    profile = tmp_path / "draft.toml"
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "beatprofile", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )

    init = cli("profile", "init", str(export), "--out", str(profile))
    assert init.returncode == 0, init.stderr
    assert "Warning: REQUIRED: no column found for occurred_at" in init.stderr
    line = profile.read_text().splitlines().index('occurred_at = "TODO"') + 1
    check = cli("check", str(profile), str(export))
    assert check.returncode == 1
    errors = [ln for ln in check.stderr.splitlines() if ln.startswith("Error:")]
    assert errors and errors[0].startswith(
        f"Error: {profile}:{line}: [columns] occurred_at is still the draft's "
        'placeholder "TODO"'
    ), check.stderr
    assert "Traceback" not in check.stderr


# --- Carto layout (Philadelphia): the department's key and its offense text ----------


def test_carto_row_id_loses_to_the_departments_key_and_text_is_the_description():
    table = make_table(
        {
            "cartodb_id": ["1", "2", "3", "4"],
            "objectid": ["11", "12", "13", "14"],
            "dc_key": [
                "202515001499.0",
                "202515001500.0",
                "202515001501.0",
                "202515001501.0",
            ],
            "ucr_general": ["600", "800", "600", "1400"],
            "text_general_code": ["Thefts", "Other Assaults", "Thefts", "Vandalism"],
            "dispatch_date_time": ["2025-01-07 02:45:00"] * 4,
            **lonlat(4),
        }
    )
    g = draft_profile(table).guesses
    assert g["incident_id"].value == "dc_key"
    assert g["offense_code"].value == "ucr_general"
    assert g["offense_desc"].value == "text_general_code"
