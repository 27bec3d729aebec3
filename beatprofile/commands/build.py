"""Commands that read exports: ``build``, ``ingest`` and ``check``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from beatprofile.commands.watch import (
    DEFAULT_SETTLE,
    SettleOption,
    rejected_error,
    run_drop_folder,
)
from beatprofile.shared import (
    SAMPLE_CONFIG,
    AllowLowOption,
    ConfigOption,
    LazyModule,
    StoreOption,
    cli_settings,
    err,
    out,
    print_report,
    progress_bar,
)
from pipelines.errors import ConfigError

pipelines_build = LazyModule("pipelines.build")


WaitOption = Annotated[
    float,
    typer.Option(
        "--wait",
        help="Seconds to wait for another update of the same store to finish "
        "before giving up with an error.",
    ),
]
DEFAULT_WAIT = 10.0


def build(
    config: ConfigOption = None,
    store: StoreOption = None,
    report_json: Annotated[
        Path | None,
        typer.Option("--report-json", help="Write the build figures as JSON."),
    ] = None,
    allow_low_agreement: AllowLowOption = False,
    wait: WaitOption = DEFAULT_WAIT,
) -> None:
    """Build the store from the configured exports (the bundled sample by default).

    Example: beatprofile build --config mydept/beatprofile.toml --report-json build.json
    """
    settings = cli_settings(config, store)
    with progress_bar() as progress:
        report = pipelines_build.run_build(
            settings,
            progress=progress,
            allow_low_agreement=allow_low_agreement,
            wait_seconds=wait,
        )
    print_report(report, report_json)


def ingest(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Export files to add.")
    ] = None,
    profile: Annotated[
        Path | None,
        typer.Option("--profile", help="Source profile TOML describing the files."),
    ] = None,
    from_dir: Annotated[
        Path | None,
        typer.Option(
            "--from-dir",
            help="Load every new file of this drop folder once (profile chosen by "
            "the config's [[sources]] file patterns), moving each to loaded/ or "
            "rejected/; for a systemd timer or cron.",
        ),
    ] = None,
    config: ConfigOption = None,
    store: StoreOption = None,
    report_json: Annotated[Path | None, typer.Option("--report-json")] = None,
    allow_low_agreement: AllowLowOption = False,
    wait: WaitOption = DEFAULT_WAIT,
    settle: SettleOption = DEFAULT_SETTLE,
) -> None:
    """Add exports to the store (created if there is none yet); a file already
    loaded (same content, under any name) changes nothing, and reversals net
    across files.

    Example: beatprofile ingest january2020.csv --profile profiles/stlouis_slmpd.toml
    """
    if from_dir is not None:
        if files:
            raise ConfigError("give either export files or --from-dir DIR, not both")
        settings = cli_settings(config, store)
        results = run_drop_folder(settings, from_dir, settle, wait, allow_low_agreement)
        error = rejected_error(from_dir, results)
        if error is not None:
            raise error
        return
    if not files or profile is None:
        raise ConfigError(
            "name the export files and their --profile (e.g. beatprofile ingest "
            "january2020.csv --profile profiles/stlouis_slmpd.toml), or give "
            "--from-dir DIR"
        )
    # With --report-json the full path runs, so the JSON holds the store's figures.
    new_files = files if report_json else _report_loaded(config, store, profile, files)
    if not new_files:
        return
    settings = cli_settings(config, store)
    _ingest_files(settings, profile, new_files, report_json, allow_low_agreement, wait)


def _report_loaded(
    config: Path | None, store: Path | None, profile: Path, files: list[Path]
) -> list[Path]:
    """Say which files are already loaded (by content); return the others.

    Decided before the configuration is loaded in full (that imports the CRS
    and analysis libraries): this is what keeps a repeated ingest under a second.
    """
    from pipelines.ingest.loaded import find_loaded
    from pipelines.store.location import configured_store_path

    store_path = configured_store_path(config or SAMPLE_CONFIG, store)
    loaded = find_loaded(store_path, profile, files)
    for known in loaded.values():
        out.print(known.describe() + ".", markup=False, highlight=False, soft_wrap=True)
    return [f for f in files if f not in loaded]


def _ingest_files(
    settings,
    profile: Path,
    files: list[Path],
    report_json: Path | None,
    allow_low_agreement: bool,
    wait: float,
) -> None:
    """The full ingest: stage the new files, derive, swap the new store in."""
    from pipelines.settings import SourceConfig

    source = SourceConfig(profile=profile.resolve(), files=())
    with progress_bar() as progress:
        report = pipelines_build.run_build(
            settings,
            extra_files=[(source, f.resolve()) for f in files],
            incremental=True,
            progress=progress,
            allow_low_agreement=allow_low_agreement,
            wait_seconds=wait,
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
