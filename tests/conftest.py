"""Shared fixtures: the bundled sample built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.build import BuildReport, run_build
from pipelines.catalog import REPO_ROOT, SAMPLE_CONFIG
from pipelines.settings import Settings, load_settings

SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


def settings_with_store(config: Path, store: Path) -> Settings:
    """Load a config with its store redirected (as the CLI's --store does)."""
    return load_settings(config, store=store)


def sample_store_with_calls(
    sample_store: Path, folder: Path, start: str, end: str
) -> Path:
    """A copy of the sample store in ``folder`` with synthetic CAD calls from
    the bundled simulation between ``start`` and ``end`` (seed 7)."""
    import shutil

    from pipelines.catalog import SAMPLE_DIR
    from pipelines.workload.simulate_run import simulate_into_store

    path = folder / "store.duckdb"
    shutil.copyfile(sample_store, path)
    sim = folder / "sim.toml"
    sim.write_text(
        (SAMPLE_DIR / "cad_simulation.toml")
        .read_text()
        .replace('start = ""', f'start = "{start}"')
        .replace('end = ""', f'end = "{end}"')
    )
    settings = settings_with_store(SAMPLE_DIR / "beatprofile.toml", path)
    _, _, calls = simulate_into_store(settings, sim, 7, folder / "sim.csv.gz")
    assert calls > 0
    return path


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> tuple[Settings, BuildReport]:
    """The bundled 2018-2019 St. Louis sample, built into a temporary store."""
    store = tmp_path_factory.mktemp("sample") / "beatprofile.duckdb"
    settings = settings_with_store(SAMPLE_CONFIG, store)
    return settings, run_build(settings)


@pytest.fixture(scope="session")
def sample_store(sample_build) -> Path:
    return sample_build[0].store_path


def requires_shared_data() -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        not SHARED_DATA.is_dir(), reason=f"real data folder {SHARED_DATA} not present"
    )
