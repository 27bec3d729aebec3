"""``profile init``: draft a source profile (and a config) for an unseen export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from beatprofile.shared import (
    err,
    out,
)
from pipelines.errors import ConfigError

profile_app = typer.Typer(help="Source profiles: how one export maps to beatprofile.")


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
