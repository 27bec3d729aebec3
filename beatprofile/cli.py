"""Command line: a thin layer over the pipelines library.

Domain errors become ``Error: <message>`` on standard error and exit status 1.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from pipelines.build import BuildReport, run_build
from pipelines.catalog import SAMPLE_CONFIG
from pipelines.errors import BeatprofileError, ConfigError
from pipelines.schema import FILTERED_REASON
from pipelines.settings import Settings, SourceConfig, load_settings

app = typer.Typer(
    help="beatprofile: beat and neighborhood profiles for community policing.\n\n"
    "Example: beatprofile demo",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="Department config TOML (default: bundled sample)."),
]
StoreOption = Annotated[
    Path | None, typer.Option("--store", help="Store file (overrides the config).")
]


def main() -> None:
    """Entry point of the ``beatprofile`` console script."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        app()
    except BeatprofileError as exc:
        err.print(f"Error: {exc}", markup=False, highlight=False)
        sys.exit(1)


def _settings(config: Path | None, store: Path | None) -> Settings:
    # A --store typed on the command line is relative to where it was typed.
    return load_settings(config or SAMPLE_CONFIG, store=store)


@contextmanager
def _progress_bar():
    """Yield a progress callback drawing one rich bar per step.

    The bars start on the first update, so an early error prints nothing else.
    """
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )
    tasks: dict[str, int] = {}

    def update(step: str, done: int, total: int) -> None:
        if not tasks:
            bar.start()
        if step not in tasks:
            tasks[step] = bar.add_task(step, total=total)
        bar.update(tasks[step], completed=done, total=total)

    try:
        yield update
    finally:
        if tasks:
            bar.stop()


def _print_report(report: BuildReport, report_json: Path | None) -> None:
    figures = report.as_dict()
    for leftover in report.leftovers_removed:
        out.print(f"Removed {leftover}.", markup=False, highlight=False)
    out.print(
        f"Store {figures['store']}: read {report.read:,} rows = kept {report.kept:,} "
        f"+ quarantined {report.quarantined:,} + filtered {report.filtered:,}; "
        f"{report.net_crimes:,} crimes after "
        f"netting reversals{f' and {report.calls:,} calls for service' if report.calls else ''}"
        f"; data up to {report.as_of}.",
        markup=False,
        highlight=False,
    )
    for reason, n in report.quarantined_by_reason.items():
        out.print(f"  quarantined {reason}: {n:,}", markup=False, highlight=False)
    if report.filtered:
        out.print(
            f"  filtered {FILTERED_REASON} (the source profile's [filter]): "
            f"{report.filtered:,}",
            markup=False,
            highlight=False,
        )
    for rule, n in report.placeholders.items():
        out.print(
            f"  placeholder coordinates, {rule}: {n:,} rows treated as unlocated",
            markup=False,
            highlight=False,
        )
    for gap in report.gaps:
        if gap["granularity"] == "month":
            out.print(
                f"  data gap {gap['period_start'][:7]}: {gap['observed']:,} "
                f"incidents, expected about {gap['expected']:,.0f}",
                markup=False,
                highlight=False,
            )
    _print_agreement(report)
    if report_json:
        report_json.parent.mkdir(parents=True, exist_ok=True)
        report_json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


def _print_agreement(report: BuildReport) -> None:
    from pipelines.ingest.agreement import agreement_lines

    table = report.agreement_table
    if table is not None:
        sources = sorted(set(table["source"]) - {"all"})
        for source in sources if len(sources) > 1 else ["all"]:
            suffix = f" ({source})" if source != "all" else ""
            for line in agreement_lines(table, source):
                out.print(f"  {line}{suffix}", markup=False, highlight=False)
    for warning in report.agreement_warnings:
        err.print(
            f"WARNING (--allow-low-agreement): {warning}. The Data quality page "
            "shows this warning; do not publish these figures until it is fixed.",
            markup=False,
            highlight=False,
        )


AllowLowOption = Annotated[
    bool,
    typer.Option(
        "--allow-low-agreement",
        help="Build even when a level is empty or its label agreement is below "
        "[assignment] min_label_agreement; warns instead of failing.",
    ),
]


@app.command()
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
    settings = _settings(config, store)
    with _progress_bar() as progress:
        report = run_build(
            settings, progress=progress, allow_low_agreement=allow_low_agreement
        )
    _print_report(report, report_json)


@app.command()
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
    settings = _settings(config, store)
    source = SourceConfig(profile=profile.resolve(), files=())
    with _progress_bar() as progress:
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
    _print_report(report, report_json)


profile_app = typer.Typer(help="Source profiles: how one export maps to beatprofile.")
app.add_typer(profile_app, name="profile")


@profile_app.command("init")
def profile_init(
    file: Annotated[
        Path, typer.Argument(help="An export (CSV) to draft a profile for.")
    ],
    areas: Annotated[
        Path | None,
        typer.Option(
            "--areas",
            help="Polygons of your finest level: checks the CRS "
            "and finds the area-label column.",
        ),
    ] = None,
    out_path: Annotated[
        Path | None,
        typer.Option("--out", help="Write the draft here (default: print)."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Your existing beatprofile.toml; without it, one is drafted "
            "beside --out (with --areas).",
        ),
    ] = None,
) -> None:
    """Draft a source profile for an unseen export: guessed columns, date formats,
    CRS and offense categories, each with a comment to check.

    Example: beatprofile profile init export.csv --areas beats.geojson --out mydept.toml
    """
    import geopandas as gpd

    from pipelines.ingest.draft.profile import draft_profile
    from pipelines.ingest.readers import read_export

    layer = None
    if areas is not None:
        if not areas.exists():
            raise ConfigError(f"area layer {areas} does not exist; check the path")
        layer = gpd.read_file(areas)
    draft = draft_profile(read_export(file), layer)
    for warning in draft.warnings:
        err.print(f"Warning: {warning}", markup=False, highlight=False)
    if out_path is None:
        out.print(draft.toml, markup=False, highlight=False, soft_wrap=True)
        return
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(draft.toml, encoding="utf-8")
    if config is None and layer is not None:
        config = _draft_config(draft, layer, areas, file, out_path)  # type: ignore[arg-type]
    flag = f" --config {config}" if config else ""
    out.print(
        f"Draft profile written to {out_path}; check the lines marked CHECK, "
        f"then run `beatprofile check {out_path} {file}{flag}` and "
        f"`beatprofile build{flag}`.",
        markup=False,
        highlight=False,
    )
    if config is None:
        err.print(
            "Warning: without --areas no config was drafted; write one (see README) "
            "and pass it as --config, or check runs against the bundled sample",
            markup=False,
            highlight=False,
        )


def _draft_config(draft, layer, areas: Path, file: Path, profile: Path) -> Path:
    """Write beatprofile.toml beside the profile (never over an existing one)."""
    from pipelines.ingest.draft.config import draft_config

    target = profile.parent / "beatprofile.toml"
    if target.exists():
        err.print(
            f"Warning: {target} exists and was not overwritten; check it names "
            f"{profile} and {areas}",
            markup=False,
            highlight=False,
        )
        return target
    target.write_text(
        draft_config(draft, layer, areas, file, profile, target), encoding="utf-8"
    )
    out.print(
        f"Draft config written to {target}; check the lines marked CHECK.",
        markup=False,
        highlight=False,
    )
    return target


@app.command()
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

    settings = _settings(config, None)
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


@app.command("simulate-cad")
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

    settings = _settings(config, store)
    if not settings.store_path.exists():
        raise ConfigError(
            f"no store at {settings.store_path}; run `beatprofile build` first"
        )
    target = out_csv or settings.store_path.with_name("simulated_cad.csv.gz")
    with _progress_bar() as progress:
        report, path, calls = simulate_into_store(
            settings, sim_config, seed, target, progress
        )
    out.print(
        f"Simulated {calls:,} calls (seed {seed}) into {path}; synthetic, "
        "source 'synthetic-cad'.",
        markup=False,
        highlight=False,
    )
    _print_report(report, None)


report_app = typer.Typer(help="Printable reports.")
app.add_typer(report_app, name="report")


@report_app.command("packet")
def report_packet(
    out_path: Annotated[Path, typer.Option("--out", help="PDF file to write.")],
    week: Annotated[
        str | None,
        typer.Option(
            "--week",
            help="A day of the week wanted (YYYY-MM-DD); "
            "default: the latest complete week.",
        ),
    ] = None,
    config: ConfigOption = None,
    store: StoreOption = None,
) -> None:
    """The commanders' weekly packet: one page per sector with its map, table, top
    ranked problems and workload; page numbers and the as-of date on every page.

    Example: beatprofile report packet --week 2019-12-29 --out packet.pdf
    """
    import pandas as pd

    from pipelines.analysis.packet import assemble_packet
    from pipelines.render.packet_pdf import write_packet_pdf
    from pipelines.store import connect_read_only

    settings = _settings(config, store)
    try:
        week_end = pd.Timestamp(week) if week else None
    except ValueError as exc:
        raise ConfigError(
            f"--week was '{week}'; expected a date like 2019-12-29"
        ) from exc
    con = connect_read_only(settings.store_path)
    try:
        packet = assemble_packet(con, week_end)
    finally:
        con.close()
    path = write_packet_pdf(packet, out_path)
    out.print(
        f"Packet: {len(packet.pages)} pages, week ending {packet.week_end:%Y-%m-%d}, "
        f"written to {path}",
        markup=False,
        highlight=False,
    )


@report_app.command("watch-meeting")
def report_watch_meeting(
    area: Annotated[
        str,
        typer.Option(
            "--area", help="Area id or name (e.g. 15 or 'Tower Grove South')."
        ),
    ],
    out_path: Annotated[Path, typer.Option("--out", help=".html, .png or .pdf")],
    level: Annotated[str | None, typer.Option("--level", help="Area level.")] = None,
    config: ConfigOption = None,
    store: StoreOption = None,
) -> None:
    """The public-safe watch-meeting map and panels for printing or projecting
    from a laptop with no network (HTML with Leaflet inlined, PNG or PDF).

    Example: beatprofile report watch-meeting --area 15 --out tower-grove-south.pdf
    """
    from pipelines.community.watch_report import build_watch_report
    from pipelines.render.offline_export import write_watch_meeting
    from pipelines.store import connect_read_only

    settings = _settings(config, store)
    con = connect_read_only(settings.store_path)
    try:
        from pipelines.ingest.label_match import find_area
        from pipelines.queries import read_areas

        chosen = level or settings.level_names[0]
        area_id = find_area(read_areas(con, chosen), area, chosen)
        report = build_watch_report(con, chosen, area_id)
    finally:
        con.close()
    written = write_watch_meeting(report, out_path)
    out.print(
        f"Watch meeting for {report.area_name}: written to {written}",
        markup=False,
        highlight=False,
    )


priorities_app = typer.Typer(help="Residents' priorities raised at watch meetings.")
app.add_typer(priorities_app, name="priorities")


@priorities_app.command("import")
def priorities_import(
    file: Annotated[Path, typer.Argument(help="CSV of concerns raised at meetings.")],
    config: ConfigOption = None,
    store: StoreOption = None,
) -> None:
    """Record watch-meeting concerns from a CSV (date, area, category, note,
    status); they feed the rankings' community-priority component.

    Example: beatprofile priorities import november.csv
    """
    from pipelines.community.priorities import import_concerns_csv

    settings = _settings(config, store)
    added = import_concerns_csv(settings.store_path, file)
    out.print(
        f"{added} new concern(s) in {settings.store_path}; the ranking uses them "
        "from the next `beatprofile build`.",
        markup=False,
        highlight=False,
    )


@app.command()
def serve(
    config: ConfigOption = None,
    store: StoreOption = None,
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8501,
    address: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
) -> None:
    """Start the dashboard on an existing store.

    Example: beatprofile serve --port 8501
    """
    settings = _settings(config, store)
    if not settings.store_path.exists():
        raise ConfigError(
            f"no store at {settings.store_path}; run `beatprofile build` first"
        )
    _run_streamlit(settings, port, address)


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8501,
    address: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    rebuild: Annotated[
        bool, typer.Option(help="Rebuild the sample store first.")
    ] = False,
) -> None:
    """Build the bundled St. Louis sample (if not built yet) and open the dashboard.

    Example: beatprofile demo
    """
    settings = _settings(None, None)
    if rebuild or not settings.store_path.exists():
        with _progress_bar() as progress:
            report = run_build(settings, progress=progress)
        _print_report(report, None)
    _run_streamlit(settings, port, address)


def _run_streamlit(settings: Settings, port: int, address: str) -> None:
    from beatprofile.server import streamlit_command
    from pipelines.render.assets import ensure_map_assets

    ensure_map_assets()
    env = dict(os.environ)
    command = streamlit_command(port, address, store=settings.store_path)
    out.print(f"Dashboard: http://{address}:{port}  (Ctrl+C to stop)", markup=False)
    _exec(command, env)


def _exec(
    command: list[str], env: dict[str, str], runner: Callable = subprocess.call
) -> None:
    try:
        code = runner(command, env=env)
    except KeyboardInterrupt:
        code = 0
    if code:
        raise SystemExit(code)
