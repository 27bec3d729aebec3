"""``simulate-cad``: synthetic CAD calls loaded like a real CAD export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from beatprofile.shared import (
    ConfigOption,
    StoreOption,
    cli_settings,
    out,
    print_report,
    progress_bar,
)
from pipelines.errors import ConfigError


def simulate_cad_command(
    config: ConfigOption = None,
    store: StoreOption = None,
    sim_config: Annotated[
        Path | None,
        typer.Option(
            "--sim-config",
            help="Simulation parameters TOML "
            "(default: data/sample/cad_simulation.toml).",
        ),
    ] = None,
    seed: Annotated[
        int, typer.Option(help="Random seed (recorded with the output).")
    ] = 20190101,
    out_csv: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Where the synthetic CAD CSV goes (default: next to the store).",
        ),
    ] = None,
) -> None:
    """Simulate CAD calls (labelled synthetic) from the store's incidents with a
    beat-integrity dispatch policy, and load them like a real CAD export.

    Example: beatprofile simulate-cad --seed 7
    """
    from pipelines.workload.simulate_run import simulate_into_store

    settings = cli_settings(config, store)
    if not settings.store_path.exists():
        raise ConfigError(
            f"no store at {settings.store_path}; run `beatprofile build` first"
        )
    target = out_csv or settings.store_path.with_name("simulated_cad.csv.gz")
    with progress_bar() as progress:
        report, path, calls = simulate_into_store(
            settings, sim_config, seed, target, progress
        )
    out.print(
        f"Simulated {calls:,} calls (seed {seed}) into {path}; synthetic, "
        "source 'synthetic-cad'.",
        markup=False,
        highlight=False,
    )
    print_report(report, None)
