"""Loading the simulation config: documented defaults, merging, and errors."""

from __future__ import annotations

import pytest

from pipelines import schema
from pipelines.errors import ConfigError
from pipelines.workload.simulation import DEFAULT_CONFIG_PATH, load_simulation_config


def _write(tmp_path, text: str):
    path = tmp_path / "sim.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_defaults_are_the_documented_sample_file():
    config = load_simulation_config()
    assert config.path == DEFAULT_CONFIG_PATH
    assert config.dispatch.hold_minutes == 30.0
    assert config.dispatch.emergency_priority == 1
    assert config.levels.names == ("neighborhood", "district")
    assert [s.name for s in config.shifts] == ["day", "evening", "night"]
    assert sum(s.hours for s in config.shifts) == 24
    assert set(schema.CATEGORIES) <= set(config.call_types)
    assert config.call_types["fraud"].report_share == 1.0
    assert config.call_types["robbery"].priority == 1
    assert {d.call_type for d in config.demand.call_only} == {
        "alarm",
        "disturbance",
        "traffic",
        "welfare check",
        "suspicious person",
    }
    assert config.source_name == "synthetic-cad"
    assert sum(config.demand.hour_shape) == pytest.approx(24.0)


def test_every_table_of_the_sample_file_explains_its_settings_in_comments():
    sections: dict[str, list[str]] = {}
    current = "(top)"
    for line in DEFAULT_CONFIG_PATH.read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            current = line
        sections.setdefault(current, []).append(line)
    undocumented = [
        header
        for header, lines in sections.items()
        if not any("#" in line for line in lines)
    ]
    assert undocumented == []


def test_a_user_file_only_names_what_it_changes(tmp_path):
    path = _write(
        tmp_path,
        """
[dispatch]
hold_minutes = 20
[call_types.theft]
priority = 2
[units.shifts.day]
units_per_beat = 2
[levels]
beat_level = "beat"
sector_level = "sector"
precinct_level = "precinct"
""",
    )
    config = load_simulation_config(path)
    assert config.dispatch.hold_minutes == 20.0
    assert config.call_types["theft"].priority == 2
    assert config.call_types["theft"].report_share == 0.4  # kept from the defaults
    assert {s.name: s.units_per_beat for s in config.shifts} == {
        "day": 2,
        "evening": 1,
        "night": 1,
    }
    assert config.levels.names == ("beat", "sector", "precinct")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[dispatch]\nhold_minuts = 20\n", r"unknown key `dispatch.hold_minuts`"),
        (
            "[dispatch]\nhold_minutes = -5\n",
            r"\[dispatch\] hold_minutes was -5 but is expected to be at least 0",
        ),
        (
            '[service]\ndistribution = "weibull"\n',
            r'distribution was "weibull" but is expected to be in '
            r"\[.lognormal., .gamma., .fixed.\]",
        ),
        (
            '[call_types.alarm]\nsources = "nosuchmix"\n',
            r'sources was "nosuchmix" but is expected to be one of the '
            r"\[source_mixes\]",
        ),
        (
            "[call_types.alarm]\nsources = { radio = 1.0 }\n",
            r"sources has \['radio'\]; expected some of",
        ),
        (
            '[call_types.alarm]\ncategory = "noise"\n',
            r'category was "noise" but is expected to be one of',
        ),
        (
            '[call_only."noise complaint"]\ndaily_rate_per_beat = 1\n',
            r"\[call_only\] 'noise complaint' is not a call type; "
            r"add it to \[call_types\]",
        ),
        ("[demand]\nhour_shape = [1, 2]\n", r"hour_shape has 2 values; expected 24"),
        (
            '[simulation]\nstart = "2019-13-01"\n',
            r"start was '2019-13-01' but is expected to be an ISO date",
        ),
        (
            "[dispatch]\nhold_minutes = inf\n",
            r"hold_minutes was inf but is expected to be a finite number",
        ),
        (
            "[travel]\nspeed_kmh = 0\n",
            r"speed_kmh was 0.0 but is expected to be above 0",
        ),
        ("[dispatch\n", r"is not valid TOML"),
    ],
)
def test_config_mistakes_are_errors_naming_the_file_and_key(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_simulation_config(_write(tmp_path, text))


def test_a_missing_config_file_names_the_default_to_start_from(tmp_path):
    with pytest.raises(
        ConfigError,
        match=r"does not exist; .*start from .*"
        r"cad_simulation.toml",
    ):
        load_simulation_config(tmp_path / "none.toml")
