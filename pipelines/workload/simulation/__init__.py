"""Seeded discrete-event simulation of CAD calls for a beat-integrity department.

Real incidents plus configurable call-only demand become calls; units per beat
and shift answer them under the beat-integrity dispatch policy (emergencies at
once, other calls held up to 30 minutes for the beat's own unit, insurance
reports taken by phone/online report entry). The output is labelled synthetic
and written in the CAD layout the ingest already reads.

Example
-------
>>> config = load_simulation_config("data/sample/cad_simulation.toml")
>>> result = simulate_cad(incidents, areas, config, seed=20190101)
>>> write_cad_csv(result, "simulated_cad.csv")
"""

from pipelines.catalog import REPO_ROOT
from pipelines.workload.simulation.cad_csv import to_cad_layout, write_cad_csv
from pipelines.workload.simulation.config import DEFAULT_CONFIG_PATH, SimulationConfig
from pipelines.workload.simulation.config_file import load_simulation_config
from pipelines.workload.simulation.simulate import SimulationResult, simulate_cad

SIMULATED_CAD_PROFILE = REPO_ROOT / "profiles" / "simulated_cad.toml"
"""Source profile that reads :func:`write_cad_csv` output, extra columns included."""

__all__ = [
    "DEFAULT_CONFIG_PATH",
    "SIMULATED_CAD_PROFILE",
    "SimulationConfig",
    "SimulationResult",
    "load_simulation_config",
    "simulate_cad",
    "to_cad_layout",
    "write_cad_csv",
]
