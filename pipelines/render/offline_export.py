"""Offline exports of public maps: one HTML file with Leaflet inlined.

``beatprofile report watch-meeting --out FILE.html|.png|.pdf`` calls
:func:`write_watch_meeting`. The HTML holds the public map
(:func:`pipelines.render.public_maps.make_public_map`) and the panels of
:func:`pipelines.render.watch_export.panels_html`; Leaflet's JS and CSS are copied
in from the installed ``django-js-lib-leaflet`` package, so the file opens on
a laptop with no network. PNG and PDF come from :mod:`pipelines.render.watch_export`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import cast

import folium

from pipelines.community import public
from pipelines.community.watch_report import WatchReport, WatchReportError
from pipelines.render.public_maps import make_public_map
from pipelines.render.watch_export import PANELS_CSS, panels_html, static_bytes

_INLINE_JS, _INLINE_CSS = "bp-inline:leaflet.js", "bp-inline:leaflet.css"


def standalone_html(
    m: folium.Map,
    title: str = "",
    body_top: str = "",
    body_bottom: str = "",
    head: str = "",
) -> str:
    """The map as one HTML file with Leaflet's JS and CSS inlined (no network).

    Parameters
    ----------
    m : folium.Map
        Built with the default (local) Leaflet URLs.
    title : str
        Plain text for ``<title>`` (escaped here).
    body_top, body_bottom, head : str
        Trusted HTML put before the map, after it, and into ``<head>``.

    Returns
    -------
    str
    """
    m.default_js = [("leaflet", _INLINE_JS)]
    m.default_css = [("leaflet_css", _INLINE_CSS)]
    page = cast(folium.Figure, m.get_root()).render()
    js, css = _script_safe(_leaflet_text("leaflet.js")), _leaflet_text("leaflet.css")
    page = page.replace(
        f'<script src="{_INLINE_JS}"></script>', f"<script>{js}</script>"
    )
    page = page.replace(
        f'<link rel="stylesheet" href="{_INLINE_CSS}"/>', f"<style>{css}</style>"
    )
    if _INLINE_JS in page or _INLINE_CSS in page:
        raise RuntimeError(
            "folium changed how it links scripts: Leaflet was not inlined"
        )
    page = page.replace(
        "<head>", f"<head><title>{public.escape(title)}</title>{head}", 1
    )
    page = page.replace("<body>", f"<body>{body_top}", 1)
    return page.replace("</body>", f"{body_bottom}</body>", 1)


def watch_meeting_html(report: WatchReport) -> str:
    """The public watch-meeting page as one offline HTML file (map and panels)."""
    m = make_public_map(report.areas, report.k)
    head = (
        f"<style>{PANELS_CSS} .bp-page {{ display: flex; gap: 24px; }}"
        ".bp-page .folium-map { width: 60vw !important; height: 86vh !important;"
        " flex: none; } html, body { height: auto !important; }</style>"
    )
    top = f'<h1>{public.escape(report.title)}</h1><div class="bp-page">'
    page = standalone_html(m, report.title, top, "", head)
    # The map div sits between ``top`` and here: the panels go beside it.
    return page.replace("</body>", f"<div>{panels_html(report)}</div></div></body>", 1)


def write_watch_meeting(report: WatchReport, out: Path) -> Path:
    """``beatprofile report watch-meeting``: write ``.html``, ``.png`` or ``.pdf``.

    Parameters
    ----------
    report : WatchReport
    out : Path
        The file to write; its suffix picks the format.

    Returns
    -------
    Path

    Raises
    ------
    WatchReportError
        If the suffix is not ``.html``, ``.png`` or ``.pdf``.

    Examples
    --------
    >>> write_watch_meeting(report, Path("tgs.html"))  # doctest: +SKIP
    PosixPath('tgs.html')
    """
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".html", ".png", ".pdf"):
        raise WatchReportError(
            f"--out was {str(out)!r} but is expected to end in .html, .png "
            "or .pdf, e.g. watch-meeting.pdf"
        )
    if suffix == ".html":
        out.write_text(watch_meeting_html(report), encoding="utf-8")
    else:
        out.write_bytes(static_bytes(report, suffix.lstrip(".")))
    return out


def strip_leaflet(page: str) -> str:
    """``page`` without the inlined Leaflet library text (for auditing our own text)."""
    for name in ("leaflet.js", "leaflet.css"):
        text = _leaflet_text(name)
        page = page.replace(_script_safe(text), "").replace(text, "")
    return page


def _script_safe(js: str) -> str:
    """JS text that cannot end its inline ``<script>`` element early."""
    return js.replace("</script", "<\\/script")


def _leaflet_text(name: str) -> str:
    root = resources.files("js_lib_leaflet").joinpath("static", "js_lib_leaflet")
    return root.joinpath(name).read_text(encoding="utf-8")
