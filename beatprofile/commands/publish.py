"""``publish``: write the public store (aggregates only) beside the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from beatprofile.shared import ConfigOption, LazyModule, StoreOption, cli_settings, out

publishing = LazyModule("pipelines.community.publish")


def publish(
    config: ConfigOption = None,
    store: StoreOption = None,
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Public store to write (default: <store stem>-public.duckdb "
            "beside the store).",
        ),
    ] = None,
) -> None:
    """Write the public store: area aggregates only, audited before it is written.

    Example: beatprofile publish --out /srv/beatprofile/public.duckdb
    """
    settings = cli_settings(config, store)
    target = out_path or publishing.default_public_path(settings.store_path)
    report = publishing.publish_public_store(
        settings.store_path, target, settings.min_count_public
    )
    out.print(f"Public store written to {report.path} (k = {report.k})", markup=False)
    for name, rows in report.tables.items():
        out.print(f"  {name}: {rows:,} rows", markup=False)
    withheld = ", ".join(f"{t} {n:,}" for t, n in report.withheld.items()) or "none"
    out.print(f"  withheld cells: {withheld}", markup=False)
    for level, why in report.left_out.items():
        out.print(f"Note: level {level} not published: {why}", markup=False)
