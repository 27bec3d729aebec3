"""`--store` travels as an argument: settings, the Streamlit command, the app."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from beatprofile.server import streamlit_command
from beatprofile.shared import cli_settings
from dashboard.loaders import store_path
from pipelines.catalog import SAMPLE_CONFIG
from pipelines.settings import load_settings


def test_store_argument_beats_the_environment_and_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BEATPROFILE_STORE", str(tmp_path / "from_env.duckdb"))
    settings = load_settings(SAMPLE_CONFIG, store=tmp_path / "arg.duckdb")
    assert settings.store_path == tmp_path / "arg.duckdb"


def test_environment_still_works_for_users_who_set_it(tmp_path, monkeypatch):
    monkeypatch.setenv("BEATPROFILE_STORE", str(tmp_path / "from_env.duckdb"))
    assert load_settings(SAMPLE_CONFIG).store_path == tmp_path / "from_env.duckdb"


def test_relative_store_argument_is_relative_to_the_working_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("BEATPROFILE_STORE", raising=False)
    monkeypatch.chdir(tmp_path)
    settings = load_settings(SAMPLE_CONFIG, store=Path("here.duckdb"))
    assert settings.store_path == tmp_path.resolve() / "here.duckdb"


def test_the_cli_does_not_set_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("BEATPROFILE_STORE", raising=False)
    settings = cli_settings(None, tmp_path / "x.duckdb")
    assert settings.store_path == tmp_path / "x.duckdb"
    assert "BEATPROFILE_STORE" not in os.environ


def test_serve_hands_the_store_to_the_app_after_a_double_dash(tmp_path):
    command = streamlit_command(8599, store=tmp_path / "s.duckdb")
    assert command[-3:] == ["--", "--store", str(tmp_path / "s.duckdb")]
    assert "--" not in streamlit_command(8599)


@pytest.mark.parametrize(
    "argv", [["--store", "/a/s.duckdb"], ["x", "--store=/a/s.duckdb"]]
)
def test_app_reads_its_store_from_the_command_line(argv, monkeypatch):
    monkeypatch.setenv("BEATPROFILE_STORE", "/elsewhere.duckdb")
    assert store_path(argv) == Path("/a/s.duckdb")
    assert store_path(["-q"]) == Path("/elsewhere.duckdb")
