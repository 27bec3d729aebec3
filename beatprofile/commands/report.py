"""``report packet`` and ``report watch-meeting``: printable reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from beatprofile.shared import (
    ConfigOption,
    StoreOption,
    audit_export,
    cli_settings,
    out,
    require_export,
)
from pipelines.errors import ConfigError

report_app = typer.Typer(help="Printable reports.")


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
    category: Annotated[
        list[str] | None,
        typer.Option(
            "--category",
            help="A category to count (repeat for several); default: all crimes.",
        ),
    ] = None,
    level: Annotated[
        str | None,
        typer.Option(
            "--level", help="Level to summarize by; default: the second level."
        ),
    ] = None,
    config: ConfigOption = None,
    store: StoreOption = None,
) -> None:
    """The commanders' weekly packet: one page per sector with its map, table, top
    ranked problems and workload, all as of the week's last day; page numbers
    and the as-of date on every page.

    Example: beatprofile report packet --week 2019-11-17 --category robbery
    --level district --out packet.pdf
    """
    import pandas as pd

    from pipelines.analysis.packet import assemble_packet
    from pipelines.render.packet_pdf import write_packet_pdf
    from pipelines.store import connect_read_only

    settings = cli_settings(config, store)
    require_export("export_packet", str(out_path))
    try:
        week_end = pd.Timestamp(week) if week else None
    except ValueError as exc:
        raise ConfigError(
            f"--week was '{week}'; expected a date like 2019-12-29"
        ) from exc
    con = connect_read_only(settings.store_path)
    try:
        packet = assemble_packet(
            con,
            week_end,
            tuple(category or ()),
            level,
            settings.analysis.rankings,
        )
    finally:
        con.close()
    path = write_packet_pdf(packet, out_path)
    audit_export(
        settings,
        "export_packet",
        str(path),
        pages=len(packet.pages),
        week_end=f"{packet.week_end:%Y-%m-%d}",
        categories=list(packet.categories),
        level=packet.pages[0].level if packet.pages else level,
    )
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

    settings = cli_settings(config, store)
    require_export("export_watch", str(out_path))
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
    audit_export(
        settings,
        "export_watch",
        str(written),
        level=report.level,
        area=report.area_id,
        problems=len(report.problems),
        months=len(report.monthly),
        suppressed=report.suppressed,
    )
    out.print(
        f"Watch meeting for {report.area_name}: written to {written}",
        markup=False,
        highlight=False,
    )
