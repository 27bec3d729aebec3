"""What every command shares: the consoles, the common options, the settings
loader, the progress bars and the build report's printing."""

from __future__ import annotations

import getpass
import importlib
import json
import os
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from pipelines.access import policy
from pipelines.schema import FILTERED_REASON

if TYPE_CHECKING:
    from pipelines.build import BuildReport
    from pipelines.settings import Settings


class LazyModule(ModuleType):
    """A module imported on first attribute access.

    The command modules name the heavy libraries (pandas, geopandas, scipy
    through ``pipelines.build``) this way, so that a quick command such as
    ``ingest`` of a file already loaded starts in a fraction of a second
    instead of importing the whole analysis stack first.
    """

    def __init__(self, name: str) -> None:
        super().__init__(name)

    def __getattr__(self, attr: str) -> object:
        return getattr(importlib.import_module(self.__name__), attr)


audit = LazyModule("pipelines.access.audit")
# pipelines.catalog.SAMPLE_CONFIG, without importing geopandas with the catalog
SAMPLE_CONFIG = (
    Path(__file__).resolve().parents[1] / "data" / "sample" / "beatprofile.toml"
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


def cli_settings(config: Path | None, store: Path | None) -> Settings:
    # A --store typed on the command line is relative to where it was typed.
    from pipelines.settings import load_settings

    return load_settings(config or SAMPLE_CONFIG, store=store)


def os_user() -> str:
    """The operating-system user running the command (for the audit trail)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def require_export(action: str, target: str) -> None:
    """Check a CLI export against the policy (the CLI runs as ``CLI_ROLE``)."""
    policy.require(policy.CLI_ROLE, action, target)


def audit_export(
    settings: Settings, action: str, target: str, **detail: object
) -> None:
    """Write the ``export`` audit row of a CLI export, with its counts."""
    audit.record(
        settings.audit_path,
        "export",
        os_user(),
        policy.CLI_ROLE,
        target=target,
        detail={"action": action, "via": "cli", **detail},
    )


@contextmanager
def progress_bar():
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
        # "Bar: stage" moves the one bar "Bar" and shows the stage it is in.
        name, _, stage = step.partition(": ")
        if not tasks:
            bar.start()
        if name not in tasks:
            tasks[name] = bar.add_task(name, total=total)
        label = f"{name}: {'done' if done >= total else stage}" if stage else name
        bar.update(tasks[name], completed=done, total=total, description=label)

    try:
        yield update
    finally:
        if tasks:
            bar.stop()


def print_report(report: BuildReport, report_json: Path | None) -> None:
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
    print_agreement(report)
    if report_json:
        report_json.parent.mkdir(parents=True, exist_ok=True)
        report_json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


def print_agreement(report: BuildReport) -> None:
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
