"""``priorities import``: residents' concerns raised at watch meetings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from beatprofile.shared import (
    ConfigOption,
    StoreOption,
    cli_settings,
    out,
)

priorities_app = typer.Typer(help="Residents' priorities raised at watch meetings.")


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

    settings = cli_settings(config, store)
    added = import_concerns_csv(settings.store_path, file)
    out.print(
        f"{added} new concern(s) in {settings.store_path}; the ranking uses them "
        "from the next `beatprofile build`.",
        markup=False,
        highlight=False,
    )
