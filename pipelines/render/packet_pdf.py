"""Render the weekly packet to PDF with matplotlib: black-and-white friendly
(grey shades and hatching, not colour), page numbers and the data's as-of date
on every page."""

from __future__ import annotations

import functools
import tempfile
import textwrap
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure  # no pyplot: no global backend or state
from shapely.geometry import Point

from pipelines.analysis.compstat import FLAG_LEGEND, WORKLOAD_COLUMNS
from pipelines.analysis.packet import Packet, PacketPage, assemble_packet

PAGE = (8.5, 11.0)  # US letter, portrait
MAX_ROWS = 13  # the sector's own row and 12 of its areas
# Lines wrapped to a fixed width before drawing: matplotlib's own wrap=True
# measures the text again at every save and took a third of the packet's time.
WRAP_PROBLEM, WRAP_NOTE = 150, 170
_COLUMNS = [
    ("name", "Area"),
    ("7d", "7 days"),
    ("7d_flag_prior", ""),
    ("7d_prior", "prior"),
    ("28d", "28 days"),
    ("28d_flag_prior", ""),
    ("28d_prior", "prior"),
    ("ytd", "YTD"),
    ("ytd_flag_last_year", ""),
    ("ytd_last_year", "last yr"),
]
_FLAG_TEXT = {"▲": "UP", "▼": "DOWN", "•": "-", "n/a": "n/a"}


def write_packet_pdf(packet: Packet, path: Path) -> Path:
    """Write one page per sector to ``path`` (a PDF)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    total = len(packet.pages)
    with PdfPages(path) as pdf:
        for number, page in enumerate(packet.pages, start=1):
            figure = _draw_page(packet, page, number, total)
            pdf.savefig(figure)
    return path


def packet_pdf_bytes(
    con: duckdb.DuckDBPyConnection,
    week_end=None,
    categories: tuple[str, ...] = (),
    level: str | None = None,
) -> bytes:
    """The packet as PDF bytes (for the dashboard's download button)."""
    packet = assemble_packet(con, week_end, categories, level)
    with tempfile.TemporaryDirectory() as folder:
        path = write_packet_pdf(packet, Path(folder) / "p.pdf")
        return path.read_bytes()


def _draw_page(packet: Packet, page: PacketPage, number: int, total: int):
    figure = Figure(figsize=PAGE)
    week = packet.week_end
    figure.text(0.06, 0.965, _title(page), fontsize=20, weight="bold", va="top")
    figure.text(
        0.06,
        0.935,
        f"Week {week - _days(6):%-d %b} to {week:%-d %b %Y}: "
        f"{packet.category_words.capitalize()}. {packet.department}",
        fontsize=9,
        va="top",
    )
    if packet.notes:
        figure.text(
            0.06,
            0.918,
            "\n".join(textwrap.fill(n, WRAP_NOTE) for n in packet.notes),
            fontsize=6.5,
            va="top",
        )
    height = 0.22 if packet.notes else 0.28  # room for the notes above the map
    _map(figure.add_axes([0.06, 0.60, 0.40, height]), page)
    _workload(figure.add_axes([0.52, 0.60, 0.42, height]), page)
    _table(figure.add_axes([0.06, 0.30, 0.88, 0.29]), page)
    _problems(figure.add_axes([0.06, 0.10, 0.88, 0.16]), page, packet.ranking_note)
    legend = "\n".join(f"{_FLAG_TEXT[k]} = {v}" for k, v in FLAG_LEGEND.items())
    figure.text(0.06, 0.085, legend, fontsize=6.5, va="top")
    figure.text(
        0.06,
        0.018,
        f"Figures as of {week:%-d %b %Y}, the end of the week; "
        f"data loaded through {packet.as_of}",
        fontsize=8,
    )
    figure.text(0.94, 0.018, f"Page {number} of {total}", fontsize=8, ha="right")
    return figure


def _title(page: PacketPage) -> str:
    """``District 4`` when the name already says it, else ``District 4 — Name``."""
    level = page.level.capitalize()
    if page.name in ("", "nan", page.area_id) or page.name == f"{level} {page.area_id}":
        return f"{level} {page.area_id}"
    return f"{level} {_label(page.area_id, page.name)}"


def _label(area_id, name) -> str:
    """``"39 — Forest Park South East"``: the id and the name together."""
    name = str(name)
    if name in ("", "nan", str(area_id)):
        return str(area_id)
    return f"{area_id} — {name}"


def _map_label(area_id, name) -> str:
    """The id over the name, wrapped narrow: small areas' labels do not run
    into their neighbours' (the table below says ``id — name`` on one line)."""
    name = str(name)
    if name in ("", "nan", str(area_id)):
        return str(area_id)
    return f"{area_id}\n" + textwrap.fill(name, 12)


@functools.lru_cache(maxsize=8)
def _utm_for(lon: float, lat: float):
    return gpd.GeoSeries([Point(lon, lat)], crs="EPSG:4326").estimate_utm_crs()


def _utm(shapes):
    """One metric CRS per place (estimating it per page took a tenth of the
    packet): the UTM zone of the areas' centre, rounded to a degree."""
    west, south, east, north = shapes.to_crs("EPSG:4326").total_bounds
    return _utm_for(round((west + east) / 2), round((south + north) / 2))


def _days(n: int):
    return pd.Timedelta(days=n)


def _map(ax, page: PacketPage) -> None:
    ax.set_axis_off()
    ax.set_title(
        f"{page.children_level.capitalize()}s, incidents in the last 28 days",
        fontsize=9,
        loc="left",
    )
    if page.children.empty:
        ax.text(0.5, 0.5, "no areas", ha="center")
        return
    shapes = page.children.to_crs(_utm(page.children))
    shapes["28d"] = pd.to_numeric(shapes["28d"], errors="coerce").astype("float64")
    if shapes["28d"].isna().all():  # the 28 days are not inside the data
        shapes.plot(ax=ax, color="white", edgecolor="black", linewidth=0.6)
        ax.set_title(
            f"{page.children_level.capitalize()}s (the 28 days are not all in the "
            "data: no counts)",
            fontsize=9,
            loc="left",
        )
    else:
        shapes.plot(
            ax=ax,
            column="28d",
            cmap="Greys",
            edgecolor="black",
            linewidth=0.6,
            legend=True,
            legend_kwds={"shrink": 0.6, "label": "28 days"},
        )
    for _, row in shapes.iterrows():
        point = row.geometry.representative_point()
        ax.annotate(
            _map_label(row["area_id"], row["name"]),
            (point.x, point.y),
            ha="center",
            fontsize=4.5,
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "lw": 0, "alpha": 0.8},
        )


def _workload(ax, page: PacketPage) -> None:
    ax.set_axis_off()
    ax.set_title("Calls and response (CAD)", fontsize=9, loc="left")
    if not page.workload:
        ax.text(0, 0.8, "No CAD calls in the store.", fontsize=9)
        return
    lines = []
    for key, label in WORKLOAD_COLUMNS.items():
        value = page.workload.get(key)
        if value is None or value != value:
            text = "n/a"
        elif key.endswith("_share") or key == "utilization":
            text = f"{value:.0%}"
        elif key == "calls":
            text = f"{value:,.0f}"
        else:
            text = f"{value:.1f}"
        lines.append((label, text))
    for i, (label, text) in enumerate(lines):
        y = 0.9 - i * 0.11
        ax.text(0, y, label, fontsize=8.5)
        ax.text(1, y, text, fontsize=8.5, ha="right", weight="bold")


def _table(ax, page: PacketPage) -> None:
    ax.set_axis_off()
    rows = [
        [_label(row["area_id"], row["name"])[:34]]
        + [_cell(row[c]) for c, _ in _COLUMNS[1:]]
        for _, row in page.table.iterrows()
    ]
    widths = [0.30] + [0.069] * (len(_COLUMNS) - 1)
    table = ax.table(
        cellText=rows[:MAX_ROWS],
        colLabels=[h for _, h in _COLUMNS],
        colWidths=widths,
        loc="upper left",
        cellLoc="right",
        colLoc="right",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(7.5)
    table.scale(1, 1.25)
    for column in range(len(_COLUMNS)):
        table[(1, column)].set_text_props(weight="bold")  # the sector's own row
    if len(rows) > MAX_ROWS:
        ax.text(
            1,
            1.02,
            f"first {MAX_ROWS - 1} of {len(rows) - 1} areas; all of them on the "
            "Sector summary page",
            fontsize=7,
            ha="right",
            transform=ax.transAxes,
        )


def _cell(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return "n/a"  # a comparison outside the data: not a zero
    if isinstance(value, str):
        return _FLAG_TEXT.get(value, value)[:22]
    return f"{value:,}" if isinstance(value, int) else str(value)[:22]


def _problems(ax, page: PacketPage, note: str = "") -> None:
    ax.set_axis_off()
    ax.set_title(
        f"Top ranked problems in its {page.children_level}s", fontsize=9, loc="left"
    )
    if note:
        ax.text(
            0,
            0.0,
            textwrap.fill(note, WRAP_NOTE),
            fontsize=6,
            va="bottom",
            style="italic",
        )
    if not page.problems:
        ax.text(0, 0.85, "No incidents of these categories to rank.", fontsize=8.5)
        return
    # Each item starts below the last line of the one before (items wrap to
    # one or two lines), in axes fractions of a line of 7.5 pt type.
    line = 7.5 * 1.3 / (ax.get_position().height * PAGE[1] * 72)
    top = 0.95
    for i, reason in enumerate(page.problems):
        text = textwrap.fill(f"{i + 1}. {reason}", WRAP_PROBLEM)
        ax.text(0, top, text, fontsize=7.5, va="top")
        top -= (text.count("\n") + 1) * line + 0.4 * line
