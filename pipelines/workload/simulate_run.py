"""``beatprofile simulate-cad``: simulate CAD calls from the store's incidents and
load them back through the ordinary ingest (replacing any earlier simulation)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipelines import store
from pipelines.build import BuildReport, Progress, run_build
from pipelines.catalog import REPO_ROOT
from pipelines.settings import Settings, SourceConfig
from pipelines.store import connect_read_only
from pipelines.workload.simulation.cad_csv import write_cad_csv
from pipelines.workload.simulation.config_file import load_simulation_config
from pipelines.workload.simulation.simulate import simulate_cad
from pipelines.workload.workload_tables import UNITS_TABLE

SIMULATED_PROFILE = REPO_ROOT / "profiles" / "simulated_cad.toml"


def simulate_into_store(
    settings: Settings,
    sim_config: Path | None,
    seed: int,
    out_csv: Path,
    progress: Progress | None = None,
) -> tuple[BuildReport, Path, int]:
    """Simulate, write the CAD CSV (labelled synthetic) and ingest it.

    Returns
    -------
    (report, csv_path, calls)
    """
    con = connect_read_only(settings.store_path)
    try:
        incidents = con.execute(f"SELECT * FROM {store.CRIMES}").df()
        areas = con.execute("SELECT * FROM areas").df()
    finally:
        con.close()
    result = simulate_cad(incidents, areas, load_simulation_config(sim_config), seed)
    path = write_cad_csv(result, out_csv)
    units = pd.DataFrame(result.units).assign(simulation_seed=seed)
    report = run_build(
        settings,
        extra_files=[(SourceConfig(profile=SIMULATED_PROFILE, files=()), path)],
        incremental=True,
        progress=progress,
        replace_sources=frozenset({result.source_name}),
        extra_tables={UNITS_TABLE: units},
    )
    return report, path, len(result.calls)
