"""Commands that read exports: ``build``, ``ingest`` and ``check``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from beatprofile.shared import (
    AllowLowOption,
    ConfigOption,
    StoreOption,
    cli_settings,
    err,
    out,
    print_report,
    progress_bar,
)
from pipelines.build import run_build
from pipelines.settings import SourceConfig


def build(
    config: ConfigOption = None,
    store: StoreOption = None,
    report_json: Annotated[
        Path | None,
        typer.Option("--report-json", help="Write the build figures as JSON."),
    ] = None,
    allow_low_agreement: AllowLowOption = False,
) -> None:
    """Build the store from the configured exports (the bundled sample by default).

    Example: beatprofile build --config mydept/beatprofile.toml --report-json build.json
    """
    settings = cli_settings(config, store)
    with progress_bar() as progress:
        report = run_build(
            settings, progress=progress, allow_low_agreement=allow_low_agreement
        )
    print_report(report, report_json)


def ingest(
    files: Annotated[list[Path], typer.Argument(help="Export files to add.")],
    profile: Annotated[
        Path,
        typer.Option("--profile", help="Source profile TOML describing the files."),
    ],
    config: ConfigOption = None,
    store: StoreOption = None,
    report_json: Annotated[Path | None, typer.Option("--report-json")] = None,
    allow_low_agreement: AllowLowOption = False,
) -> None:
    """Add exports to the store (created if there is none yet); a file already
    loaded changes nothing, and reversals net across files.

    Example: beatprofile ingest january2020.csv --profile profiles/stlouis_slmpd.toml
    """
    settings = cli_settings(config, store)
    source = SourceConfig(profile=profile.resolve(), files=())
    with progress_bar() as progress:
        report = run_build(
            settings,
            extra_files=[(source, f.resolve()) for f in files],
            incremental=True,
            progress=progress,
            allow_low_agreement=allow_low_agreement,
        )
    if report.unchanged:
        for leftover in report.leftovers_removed:
            out.print(f"Removed {leftover}.", markup=False, highlight=False)
        names = ", ".join(f.name for f in files)
        out.print(
            f"{names}: already loaded, nothing changed (store {report.store}).",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        if report_json:
            report_json.parent.mkdir(parents=True, exist_ok=True)
            report_json.write_text(json.dumps(report.as_dict(), indent=2) + "\n")
        return
    print_report(report, report_json)


def check(
    profile: Annotated[Path, typer.Argument(help="Source profile TOML to test.")],
    files: Annotated[list[Path], typer.Argument(help="Export files to read with it.")],
    config: ConfigOption = None,
) -> None:
    """Dry run: read exports with a profile against the config's area layers and
    print the quality report. Writes nothing.

    Example: beatprofile check profiles/stlouis_slmpd.toml june2019.csv
    """
    from pipelines.ingest.check import check_exports, used_layers_lines
    from pipelines.ingest.quality import format_quality_report
    from pipelines.store import stale_builds

    settings = cli_settings(config, None)
    for leftover in stale_builds(settings.store_path):
        out.print(
            f"Found {leftover.describe()}; the next build removes it.",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if config is None:
        err.print(
            "Warning: no --config given: checking against the bundled St. Louis "
            "sample's areas; pass --config mydept/beatprofile.toml for yours",
            markup=False,
            highlight=False,
        )
    report = check_exports(profile, files, settings)
    for line in used_layers_lines(settings):
        out.print(line, markup=False, highlight=False)
    out.print(format_quality_report(report), markup=False, highlight=False)
