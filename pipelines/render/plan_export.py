"""Beat-plan exports for the problem-solving team: escaped HTML and a PDF.

A plan holds analysis notes and response details, so these exports are
marked "not for public display"; the watch-meeting exports
(:mod:`pipelines.render.watch_export`) are the public ones. The map of the target,
buffer ring and control area is drawn with ``GeoDataFrame.plot`` and embedded
as a PNG, so both files open with no network. The PDF uses matplotlib's
``PdfPages``.
"""

from __future__ import annotations

import base64
import io
import textwrap
from pathlib import Path

from pipelines.community.beat_plans import BeatPlan, PlanAssessment
from pipelines.community.public import escape

ROLE_COLOURS = {"target": "#0072B2", "buffer": "#E69F00", "control": "#009E73"}
ROLE_LABELS = {
    "target": "Target area",
    "buffer": "Buffer ring",
    "control": "Control area",
}
NOT_PUBLIC = "For the problem-solving team: not for public display."


def plan_lines(
    plan: BeatPlan, assessment: PlanAssessment | None, area_name: str
) -> list[tuple[str, str]]:
    """The plan as ``(heading, text)`` pairs, shared by the HTML and the PDF."""
    responses = (
        "\n".join(
            f"{r.start_date:%d %b %Y}"
            + (f" to {r.end_date:%d %b %Y}" if r.end_date else " (ongoing)")
            + f": {r.description}"
            for r in plan.responses
        )
        or "No response recorded yet."
    )
    lines = [
        ("Area", f"{area_name} ({plan.level} {plan.area_id})"),
        ("Problems", ", ".join(plan.categories)),
        ("Analysis notes", plan.analysis_notes or "None."),
        ("Responses", responses),
    ]
    if assessment is None:
        return [*lines, ("Assessment", "Not assessed yet.")]
    counts = "\n".join(
        f"{ROLE_LABELS[role]}: {before} before, {after} after"
        for role, (before, after) in assessment.counts.items()
    )
    return [
        *lines,
        ("Assessment", assessment.sentence),
        ("Counts", counts),
        ("Displacement (WDQ)", assessment.wdq.interpretation),
    ]


def plan_html(plan: BeatPlan, assessment: PlanAssessment | None, area_name: str) -> str:
    """A standalone, escaped HTML page of the plan (with its map as a PNG).

    Examples
    --------
    >>> "<script>" in plan_html(plan, None, "<script>")  # doctest: +SKIP
    False
    """
    body = "".join(
        f"<h2>{escape(head)}</h2>"
        + "".join(f"<p>{escape(line)}</p>" for line in text.split("\n"))
        for head, text in plan_lines(plan, assessment, area_name)
    )
    image = ""
    if assessment is not None:
        png = base64.b64encode(assessment_png(assessment)).decode("ascii")
        image = (
            '<img alt="Target, buffer ring and control area" '
            f'src="data:image/png;base64,{png}">'
        )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{escape(plan.title)}</title><style>body{{font:18px/1.4 system-ui,"
        "sans-serif;max-width:60em;margin:2em auto;color:#111}img{max-width:100%}"
        ".bp-note{color:#a00}</style></head><body>"
        f"<h1>{escape(plan.title)}</h1><p class='bp-note'>{escape(NOT_PUBLIC)}</p>"
        f"{body}{image}</body></html>"
    )


def write_plan_html(
    plan: BeatPlan, assessment: PlanAssessment | None, area_name: str, path: Path
) -> Path:
    """Write :func:`plan_html` to ``path`` (UTF-8)."""
    path = Path(path)
    path.write_text(plan_html(plan, assessment, area_name), encoding="utf-8")
    return path


def write_plan_pdf(
    plan: BeatPlan, assessment: PlanAssessment | None, area_name: str, path: Path
) -> Path:
    """Write :func:`plan_pdf_bytes` to ``path``."""
    path = Path(path)
    path.write_bytes(plan_pdf_bytes(plan, assessment, area_name))
    return path


def plan_pdf_bytes(
    plan: BeatPlan, assessment: PlanAssessment | None, area_name: str
) -> bytes:
    """The plan as a PDF: a text page, then the assessment map if any."""
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    out = io.BytesIO()
    with PdfPages(out) as pdf:
        page = Figure(figsize=(8.27, 11.69))
        y = 0.95
        page.text(0.06, y, plan.title, fontsize=18, fontweight="bold", va="top")
        y -= 0.04
        page.text(0.06, y, NOT_PUBLIC, fontsize=10, color="#aa0000", va="top")
        for head, text in plan_lines(plan, assessment, area_name):
            y -= 0.035
            page.text(0.06, y, head, fontsize=12, fontweight="bold", va="top")
            wrapped = "\n".join(textwrap.fill(line, 95) for line in text.split("\n"))
            y -= 0.025
            page.text(0.06, y, wrapped, fontsize=10, va="top")
            y -= 0.018 * (wrapped.count("\n") + 1)
        pdf.savefig(page)
        if assessment is not None:
            pdf.savefig(_assessment_figure(assessment))
    return out.getvalue()


def assessment_png(assessment: PlanAssessment) -> bytes:
    """The target / buffer / control map as PNG bytes."""
    buffer = io.BytesIO()
    _assessment_figure(assessment).savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def _assessment_figure(assessment: PlanAssessment):  # noqa: ANN202 - matplotlib Figure
    """The three assessment areas drawn with their roles' colours and a legend."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    fig = Figure(figsize=(8, 6))
    ax = fig.add_subplot()
    shapes = assessment.geometries.to_crs(3857)
    shapes.plot(
        ax=ax,
        color=[ROLE_COLOURS[r] for r in shapes["role"]],
        alpha=0.6,
        edgecolor="#222222",
        linewidth=1,
    )
    ax.set_axis_off()
    ax.legend(
        handles=[
            Patch(facecolor=c, alpha=0.6, label=ROLE_LABELS[r])
            for r, c in ROLE_COLOURS.items()
        ],
        loc="lower left",
        fontsize=12,
    )
    ax.set_title("Target area, buffer ring and control area", fontsize=14)
    return fig
