"""``beatprofile report packet`` with the page's choices: category, week, level."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "beatprofile", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=600,
    )


def test_packet_for_robbery_in_a_november_week_by_district(sample_store, tmp_path):
    pdf = tmp_path / "packet.pdf"
    result = run_cli(
        "report", "packet", "--store", str(sample_store), "--out", str(pdf),
        "--week", "2019-11-20", "--category", "robbery", "--level", "district",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Packet: 6 pages, week ending 2019-11-17, ")
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--category", "robery"],
            "Error: category was 'robery'; expected one of homicide, sex offense, "
            "robbery, aggravated assault, simple assault, burglary, theft, theft "
            "from vehicle, motor vehicle theft, arson, vandalism, drugs, weapons, "
            "disorder, domestic, traffic, fraud, other\n",
        ),
        (
            ["--level", "beat"],
            "Error: level was 'beat'; expected one of neighborhood, district\n",
        ),
        (
            ["--week", "1990-01-03"],
            "Error: week was 1989-12-31 (its last day), outside the data (1 Jan "
            "2018 to 31 Dec 2019); pick a week ending between 2018-01-07 and "
            "2019-12-29\n",
        ),
    ],
)
def test_packet_choices_outside_the_store_are_errors(
    sample_store, tmp_path, args, message
):
    pdf = tmp_path / "packet.pdf"
    result = run_cli(
        "report", "packet", "--store", str(sample_store), "--out", str(pdf), *args
    )
    assert result.returncode == 1
    assert result.stderr == message
    assert not pdf.exists()
