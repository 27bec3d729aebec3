"""Watch-meeting exports without a browser: panel HTML and a static PNG/PDF.

Everything here draws a :class:`~pipelines.community.watch_report.WatchReport`, whose
figures are already public-safe; text from data files is HTML-escaped in the
HTML. The static map is drawn with ``GeoDataFrame.plot`` (areas only, a label
at each area's representative point) so a laptop with no network can print
or project it. ``matplotlib`` must be a declared dependency (it is installed
with geopandas' plotting extras here).
"""

from __future__ import annotations

import io
from pathlib import Path

import mapclassify
import numpy as np
import pandas as pd

from pipelines.community import public
from pipelines.community.watch_report import TREND_WORDS, WatchReport

PUBLIC_PALETTE = ("#fdf3c4", "#f9c26b", "#ec7a3b", "#c83c3a", "#7a1747")
"""Light-to-dark ramp (lightness falls monotonically: safe for colour-blind
readers and in greyscale)."""
FEWER_COLOUR = "#ffffff"
MAX_CLASSES = 4
TREND_COLOURS = {
    "up": "#b2182b",
    "down": "#2166ac",
    "same": "#444444",
    "untested": "#444444",
}
STATIC_SIZE_IN = (19.2, 10.8)
STATIC_DPI = 100
_FORMATS = (".png", ".pdf")


def count_classes(values: pd.Series, k: int) -> tuple[list[str], list[tuple[str, str]]]:
    """A colour per area and the legend rows, with "fewer than k" as its own class.

    Parameters
    ----------
    values : Series
        Masked counts (``<NA>`` where suppressed), as from
        :func:`pipelines.community.public.public_counts`.
    k : int

    Returns
    -------
    colours : list of str
        One hex colour per value.
    legend : list of (str, str)
        ``(colour, label)`` rows, lowest first; labels never show a number
        below ``k``.

    Examples
    --------
    >>> count_classes(pd.Series([pd.NA, 10, 20], dtype="Int64"), 3)[1][0]
    ('#ffffff', 'fewer than 3')
    """
    shown = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    finite = shown[np.isfinite(shown)]
    colours = [FEWER_COLOUR] * len(shown)
    legend = []
    if np.isnan(shown).any():
        legend.append((FEWER_COLOUR, f"fewer than {k}"))
    if not len(finite):
        return colours, legend
    n_classes = min(MAX_CLASSES, np.unique(finite).size)
    bins = (
        np.array([finite.max()])
        if n_classes < 2
        else np.unique(mapclassify.Quantiles(finite, k=n_classes).bins)
    )
    palette = [
        PUBLIC_PALETTE[round(i)]
        for i in np.linspace(0, len(PUBLIC_PALETTE) - 1, len(bins))
    ]
    for i, value in enumerate(shown):
        if np.isfinite(value):
            colours[i] = palette[int(np.searchsorted(bins, value, side="left"))]
    low = int(finite.min())
    for i, upper in enumerate(bins):
        lower = low if i == 0 else int(bins[i - 1]) + 1
        label = f"{lower:,}" if lower >= int(upper) else f"{lower:,} – {int(upper):,}"
        legend.append((palette[i], label))
    return colours, legend


def panels_html(report: WatchReport) -> str:
    """The three panels and the withheld line as escaped HTML (no scripts)."""
    esc = public.escape
    problems = (
        "".join(
            f'<li><span class="bp-trend" style="color:{TREND_COLOURS[p.trend]}">'
            f"{p.marker}</span> <strong>{esc(p.label)}</strong>: "
            f"{public.mark_count(p.last28_text)} incidents in the last 28 days"
            + (
                f". {esc(p.coverage)}</li>"
                if p.trend == "untested"
                else ", against "
                f"{public.mark_count(p.prior28_text)} incidents in the 28 days "
                f"before: {esc(TREND_WORDS[p.trend])}.</li>"
            )
            for p in report.problems
        )
        or "<li>No incidents in the last 56 days.</li>"
    )
    rows = "".join(
        f"<tr><th>{esc(m.label)}</th><td class='bp-bar-cell'>"
        "<div class='bp-bar' style='width:"
        f"{_bar_share(m.n, report.monthly['n'])}%'></div></td>"
        f"<td>{public.mark_count(m.n_text)}</td></tr>"
        for m in report.monthly.itertuples(index=False)
    )
    rows += (
        "<tr class='bp-total'><th>12 months</th><td></td>"
        f"<td>{public.mark_count(report.total_text)}</td></tr>"
    )
    raised = "".join(
        f"<li><strong>{esc(r.label)}</strong> ({esc(r.status)}). {esc(r.since)}</li>"
        for r in report.raised
    )
    meeting = (
        f"Last meeting: {report.last_meeting:%d %b %Y}"
        if report.last_meeting
        else "No meeting recorded for this area yet."
    )
    return (
        '<section class="bp-panels">'
        f'<div class="bp-panel"><h2>Top problems</h2><ul>{problems}</ul></div>'
        f'<div class="bp-panel"><h2>Incidents per month, last 12 months</h2>'
        f'<table class="bp-months">{rows}</table></div>'
        '<div class="bp-panel"><h2>Raised at the last meeting</h2>'
        f"<p>{esc(meeting)}</p>"
        f"<ul>{raised}</ul></div></section>"
        f'<p class="bp-withheld">{esc(report.withheld)}</p>'
    )


PANELS_CSS = """
body { font-family: system-ui, sans-serif; color: #111; margin: 0 16px;
       font-size: 26px; }
h1 { font-size: 40px; margin: 12px 0; }
.bp-panel { margin-bottom: 12px; }
.bp-panel h2 { font-size: 30px; margin: 12px 0 6px; }
.bp-panel li, .bp-panel p, .bp-months { font-size: 26px; line-height: 1.3; }
.bp-months th { text-align: left; font-weight: 600; padding-right: 8px; }
.bp-months { width: 100%; border-collapse: collapse; }
.bp-months td { padding: 1px 6px; }
.bp-months td.bp-bar-cell { width: 60%; }
.bp-bar { height: 22px; background: #0072B2; min-width: 2px; }
.bp-withheld { font-size: 24px; color: #333; }
"""


def write_watch_meeting_static(report: WatchReport, path: Path) -> Path:
    """Draw the map and panels on one 1920x1080 page: ``.png`` or ``.pdf``.

    Raises
    ------
    ValueError
        If ``path`` ends in neither ``.png`` nor ``.pdf``.
    """
    path = Path(path)
    if path.suffix.lower() not in _FORMATS:
        raise ValueError(
            f"`path` was {str(path)!r} but is expected to end in one of "
            f"{list(_FORMATS)}"
        )
    path.write_bytes(static_bytes(report, path.suffix.lower().lstrip(".")))
    return path


def static_bytes(report: WatchReport, fmt: str = "png") -> bytes:
    """The static page as ``png`` or ``pdf`` bytes (one 1920x1080 page)."""
    if f".{fmt}" not in _FORMATS:
        raise ValueError(f"`fmt` was {fmt!r} but is expected to be 'png' or 'pdf'")
    out = io.BytesIO()
    static_figure(report).savefig(out, format=fmt, dpi=STATIC_DPI)
    return out.getvalue()


def static_figure(report: WatchReport):  # noqa: ANN201 - matplotlib Figure
    """The static page as a matplotlib figure (for saving, or auditing its text)."""
    from matplotlib.figure import Figure  # no pyplot: no global backend or state
    from matplotlib.patches import Patch

    fig = Figure(figsize=STATIC_SIZE_IN, dpi=STATIC_DPI)
    grid = fig.add_gridspec(
        3,
        2,
        width_ratios=[1.35, 1],
        height_ratios=[1, 1, 1],
        left=0.01,
        right=0.99,
        top=0.87,
        bottom=0.1,
        wspace=0.05,
        hspace=0.45,
    )
    fig.suptitle(report.title, fontsize=30, fontweight="bold", x=0.01, ha="left")
    ax = fig.add_subplot(grid[:, 0])
    areas = report.areas.to_crs(3857)
    colours, legend = count_classes(areas["n"], report.k)
    areas.plot(ax=ax, color=colours, edgecolor="#333333", linewidth=1.5)
    areas[areas["role"] == "selected"].boundary.plot(
        ax=ax, color="#000000", linewidth=5
    )
    minx, miny, maxx, maxy = areas.total_bounds
    ax.set_xlim(minx - 0.4 * (maxx - minx), maxx)  # room for the legend on the left
    ax.set_ylim(miny, maxy)
    _label_areas(ax, areas)
    ax.set_axis_off()
    ax.legend(
        handles=[
            Patch(facecolor=c, edgecolor="#333333", label=lab) for c, lab in legend
        ],
        title="Incidents, last 12 months",
        loc="lower left",
        fontsize=18,
        title_fontsize=18,
        framealpha=0.95,
    )
    _text_panel(
        fig.add_subplot(grid[0, 1]),
        "Top problems",
        [f"{p.marker} {p.label}: {p.sentence}" for p in report.problems],
    )
    _month_panel(fig.add_subplot(grid[1, 1]), report)
    raised = (
        [f"Last meeting {report.last_meeting:%d %b %Y}"]
        + [f"{r.label} ({r.status}). {r.since}" for r in report.raised]
        if report.last_meeting
        else ["No meeting recorded for this area yet."]
    )
    _text_panel(fig.add_subplot(grid[2, 1]), "Raised at the last meeting", raised)
    fig.text(0.01, 0.015, report.withheld, fontsize=18, wrap=True)
    return fig


def _label_areas(ax, areas) -> None:  # noqa: ANN001 - matplotlib Axes
    """Name and count of each area at a point inside it, never overlapping.

    The selected area is labelled first, then larger areas; a label that would
    overlap one already placed is left out (its area stays shaded), as on the
    dashboard's public map.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(ax.figure).get_renderer()
    ax.apply_aspect()  # final data-to-pixel scale before measuring labels
    order = areas.assign(
        _selected=areas["role"] == "selected", _size=areas.geometry.area
    ).sort_values(["_selected", "_size"], ascending=False)
    placed = []
    for row, point in zip(
        order.itertuples(), order.representative_point(), strict=True
    ):
        label = ax.annotate(
            f"{row.name}\n{row.n_text}",
            (point.x, point.y),
            ha="center",
            va="center",
            fontsize=18,
            bbox={"boxstyle": "round", "fc": "white", "ec": "#111111", "alpha": 0.9},
        )
        box = label.get_window_extent(renderer).expanded(1.15, 1.3)
        if any(box.overlaps(other) for other in placed):
            label.remove()
        else:
            placed.append(box)


def figure_texts(fig) -> list[str]:  # noqa: ANN001 - matplotlib Figure
    """Every text string drawn on a figure (for the privacy audit)."""
    from matplotlib.text import Text

    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def _text_panel(ax, title: str, lines: list[str]) -> None:  # noqa: ANN001
    """A titled block of wrapped lines."""
    import textwrap

    ax.set_axis_off()
    ax.set_title(title, fontsize=24, fontweight="bold", loc="left")
    body = "\n".join(textwrap.fill(line, 54) for line in lines) or "Nothing to show."
    ax.text(0, 1, body, va="top", ha="left", fontsize=18, transform=ax.transAxes)


def _month_panel(ax, report: WatchReport) -> None:  # noqa: ANN001
    """Bars of the public monthly counts; suppressed months labelled, not drawn."""
    monthly = report.monthly
    values = pd.to_numeric(monthly["n"], errors="coerce").fillna(0).to_numpy()
    ax.bar(range(len(values)), values, color="#0072B2")
    for i, text in enumerate(monthly["n_text"]):
        ax.text(
            i,
            values[i],
            text,
            ha="center",
            va="bottom",
            fontsize=18,
            rotation=90 if text.startswith("fewer") else 0,
        )
    ax.set_xticks(
        range(len(values)), [m.strftime("%b") for m in monthly["month"]], fontsize=18
    )
    ax.set_yticks([])
    ax.set_ylim(0, max(float(values.max()), 1.0) * 1.25)  # room for the numbers
    ax.set_title(
        f"Incidents per month, last 12 months: {report.total_text} in all",
        fontsize=24,
        fontweight="bold",
        loc="left",
    )
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)


def _bar_share(value: object, column: pd.Series) -> int:
    """Bar width in percent of the largest shown month (0 when suppressed)."""
    top = pd.to_numeric(column, errors="coerce").max()
    if value is pd.NA or value is None or not top or pd.isna(top):
        return 0
    return int(round(100 * float(value) / float(top)))  # type: ignore[arg-type]
