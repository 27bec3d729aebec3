"""The drop folder: ``ingest --from-dir DIR`` (one pass) and ``watch DIR`` (a loop)."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from beatprofile.shared import ConfigOption, LazyModule, StoreOption, cli_settings, out
from pipelines.errors import ConfigError

if TYPE_CHECKING:
    from pipelines.settings import Settings, SourceConfig

drop_folder = LazyModule("pipelines.ingest.drop_folder")
pipelines_build = LazyModule("pipelines.build")

DEFAULT_SETTLE = 30.0
SettleOption = Annotated[
    float,
    typer.Option(
        "--settle",
        help="A dropped file changed in the last SECONDS is still being written "
        "and is left for the next pass.",
    ),
]


def run_drop_folder(
    settings: Settings,
    folder: Path,
    settle: float,
    wait: float,
    allow_low_agreement: bool = False,
) -> list:
    """One pass over the drop folder; print one line per file; return the results."""

    def load(source: SourceConfig, path: Path) -> None:
        pipelines_build.run_build(
            settings,
            extra_files=[(source, path.resolve())],
            incremental=True,
            allow_low_agreement=allow_low_agreement,
            wait_seconds=wait,
        )

    results = drop_folder.ingest_folder(folder, settings, load, settle)
    for result in results:
        out.print(result.log_line(), markup=False, highlight=False, soft_wrap=True)
    return results


def rejected_error(folder: Path, results: list) -> ConfigError | None:
    """The error a one-pass run ends with when it rejected files (for cron mail)."""
    rejected = [r for r in results if r.outcome == "rejected"]
    if not rejected:
        return None
    return ConfigError(
        f"{len(rejected)} of {len(results)} files in {folder} were rejected; each "
        f"one's reason is in {folder / 'rejected'}/<file>.reason.txt"
    )


def watch(
    folder: Annotated[Path, typer.Argument(help="The department's export folder.")],
    config: ConfigOption = None,
    store: StoreOption = None,
    interval: Annotated[
        float, typer.Option("--interval", help="Seconds between two looks.")
    ] = 60.0,
    settle: SettleOption = DEFAULT_SETTLE,
    wait: Annotated[
        float,
        typer.Option("--wait", help="Seconds to wait for another update of the store."),
    ] = 60.0,
    passes: Annotated[
        int | None,
        typer.Option("--passes", help="Stop after this many looks (default: never)."),
    ] = None,
) -> None:
    """Watch a drop folder: load each new export as it appears, moving it to
    loaded/ or (with a .reason.txt) rejected/; one log line per file.

    Example: beatprofile watch /srv/exports --config mydept/beatprofile.toml
    """
    settings = cli_settings(config, store)
    # systemd stops a service with SIGTERM: end like Ctrl-C (the update in
    # progress is abandoned; the store keeps its last committed state).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    done = 0
    try:
        while passes is None or done < passes:
            run_drop_folder(settings, folder, settle, wait)
            done += 1
            if passes is None or done < passes:
                time.sleep(interval)
    except KeyboardInterrupt:
        out.print("Stopped watching.", markup=False, highlight=False)
