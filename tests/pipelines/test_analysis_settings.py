"""The analysis sections of the config ([hotspots], [rankings.weights], [harm],
[backtest]) parsed once, by load_settings, into typed settings
(pipelines/analysis_settings.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.analysis_settings import (
    BACKTEST_CATEGORIES,
    DEFAULT_HARM_WEIGHTS,
    BacktestSettings,
    HotspotSettings,
    RankingWeights,
)
from pipelines.errors import ConfigError
from pipelines.settings import load_settings

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample" / "beatprofile.toml"


def sample_config(tmp_path: Path, extra: str) -> Path:
    """The bundled sample's config, with absolute paths, plus ``extra``."""
    sample = SAMPLE.parent
    text = (
        SAMPLE.read_text()
        .replace('"slmpd/*.csv.gz"', f'"{sample}/slmpd/june2019.csv.gz"')
        .replace('"../../profiles/', f'"{sample.parent.parent}/profiles/')
        .replace('"neighborhoods.geojson"', f'"{sample}/neighborhoods.geojson"')
        .replace(
            '"population_by_neighborhood.csv"',
            f'"{sample}/population_by_neighborhood.csv"',
        )
    )
    path = tmp_path / "beatprofile.toml"
    path.write_text(text + extra)
    return path


def test_the_sample_gets_the_typed_defaults():
    analysis = load_settings(SAMPLE).analysis
    assert analysis.hotspots == HotspotSettings()
    assert analysis.rankings.weights == RankingWeights()
    assert dict(analysis.rankings.harm) == DEFAULT_HARM_WEIGHTS
    assert analysis.backtest == BacktestSettings(categories=BACKTEST_CATEGORIES)
    assert analysis.backtest.methods is None  # the registry's, when it runs
    assert not analysis.backtest_periods_fixed


def test_values_are_typed_when_loaded(tmp_path):
    config = sample_config(
        tmp_path,
        "\n[hotspots]\ncell_size_m = 200\nemerging_categories = ['all', 'robbery']\n"
        "[rankings.weights]\nhotspot = 2\n[harm]\nburglary = 60\n"
        "[backtest]\nperiods = 6\nmethods = ['counts_12m']\n",
    )
    analysis = load_settings(config).analysis
    assert analysis.hotspots.cell_size_m == 200
    assert analysis.hotspots.emerging_categories == ("all", "robbery")
    assert analysis.rankings.weights.hotspot == 2
    assert dict(analysis.rankings.harm)["burglary"] == 60.0
    assert dict(analysis.rankings.harm)["homicide"] == 5475.0
    assert analysis.backtest.periods == 6 and analysis.backtest_periods_fixed
    assert analysis.backtest.methods == ("counts_12m",)


def test_backtest_can_be_switched_off(tmp_path):
    config = sample_config(tmp_path, "\n[backtest]\nenabled = false\n")
    assert load_settings(config).analysis.backtest is None


def test_a_text_cell_size_fails_when_the_config_is_loaded(tmp_path):
    config = sample_config(tmp_path, '\n[hotspots]\ncell_size_m = "big"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    assert str(caught.value) == (
        f"{config.resolve()}: [hotspots] `cell_size_m` must be a number like 150.0; "
        "found 'big'"
    )


def test_an_unknown_key_is_named_with_the_keys_expected(tmp_path):
    config = sample_config(tmp_path, "\n[backtest]\nperiod = 6\n")
    with pytest.raises(
        ConfigError,
        match=re.escape("[backtest] has unknown key(s) ['period']; expected some of ["),
    ):
        load_settings(config)


def test_a_wrong_methods_value_asks_for_a_list(tmp_path):
    config = sample_config(tmp_path, '\n[backtest]\nmethods = "kde_12m"\n')
    with pytest.raises(
        ConfigError, match=re.escape("[backtest] `methods` must be a list; found")
    ):
        load_settings(config)


def test_harm_errors_name_the_section(tmp_path):
    unknown = sample_config(tmp_path, "\n[harm]\nburglaries = 60\n")
    with pytest.raises(ConfigError, match=re.escape("[harm] has unknown categories")):
        load_settings(unknown)
    negative = sample_config(tmp_path, "\n[harm]\nburglary = -1\n")
    with pytest.raises(
        ConfigError,
        match=re.escape(
            '[harm] harm weight of "burglary" must be >= 0, got -1.0; set a weight '
            "of 0 or more (in days)"
        ),
    ):
        load_settings(negative)
    text = sample_config(tmp_path, '\n[harm]\ntheft = "high"\n')
    with pytest.raises(
        ConfigError, match=re.escape("[harm] `theft` must be a number; found 'high'")
    ):
        load_settings(text)


def test_a_section_that_is_not_a_table_is_an_error(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text(sample_config(tmp_path, "").read_text() + "\nbacktest = 3\n")
    config_text = config.read_text().replace("\nbacktest = 3\n", "")
    config.write_text("backtest = 3\n" + config_text)
    with pytest.raises(
        ConfigError, match=re.escape("[backtest] must be a table of settings; found 3")
    ):
        load_settings(config)
