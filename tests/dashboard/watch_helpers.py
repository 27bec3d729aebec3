"""Running the watch-meeting page under AppTest and collecting what it sends out."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
from streamlit.testing.v1 import AppTest

from pipelines.catalog import DASHBOARD_APP
from pipelines.community import public_audit

WATCH_PAGE = DASHBOARD_APP.parent / "app_pages" / "watch_meeting.py"
_ADD_PAGE = (
    'PAGES.setdefault("Watch meetings", []).append(st.Page(\n'
    '    "app_pages/watch_meeting.py", title="Watch meeting",\n'
    '    icon=":material/groups:"))\n'
)


def watch_router(folder: Path) -> Path:
    """The app's router with the watch page: app.py itself once the lead wired it,
    else a copy in ``folder`` that adds the page, next to links to the app's
    ``app_pages/`` and ``static/`` so every relative path still works."""
    source = DASHBOARD_APP.read_text(encoding="utf-8")
    if "watch_meeting.py" in source or "access import router" in source:
        return DASHBOARD_APP
    if "st.navigation(PAGES)" not in source:
        raise AssertionError("dashboard/app.py no longer calls st.navigation(PAGES)")
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("app_pages", "static"):
        link = folder / name
        if not link.exists():
            link.symlink_to(DASHBOARD_APP.parent / name, target_is_directory=True)
    router = folder / "app.py"
    router.write_text(
        source.replace("st.navigation(PAGES)", _ADD_PAGE + "st.navigation(PAGES)", 1),
        encoding="utf-8",
    )
    return router


def open_watch_page(router: Path, query: dict[str, str]) -> AppTest:
    """Run the router, then the watch page with ``query`` as its query string."""
    at = AppTest.from_file(str(router), default_timeout=120)
    at.query_params.update(query)
    at.run()
    at.switch_page(str(Path(router).parent / "app_pages" / "watch_meeting.py")).run()
    return at


@dataclass
class Payloads:
    """What one page run sends to the browser, by kind."""

    maps: list[str] = field(default_factory=list)
    markdown: list[str] = field(default_factory=list)
    chart_specs: list[str] = field(default_factory=list)
    chart_data: list[pd.DataFrame] = field(default_factory=list)
    frames: list[pd.DataFrame] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


def page_payloads(at: AppTest) -> Payloads:
    """Map HTML/script, markdown, chart specs and data, tables of a finished run."""
    out = Payloads()
    for el in _walk(at.main):
        if el.type == "component_instance":
            args = json.loads(el.proto.json_args)
            out.maps.append(args["header"] + args["html"] + args["script"])
            out.links += list(args.get("css_links", [])) + list(
                args.get("js_links", [])
            )
        elif el.type == "markdown":
            out.markdown.append(el.value)
        elif el.type in ("vega_lite_chart", "arrow_vega_lite_chart"):
            out.chart_specs.append(el.proto.spec)
            out.chart_data += [
                pa.ipc.open_stream(d.data.data).read_all().to_pandas()
                for d in el.proto.datasets
            ]
        elif el.type in ("dataframe", "arrow_data_frame"):
            out.frames.append(el.value)
    return out


def _walk(node):  # noqa: ANN001, ANN202 - AppTest element tree
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def forbidden_from_store(store: Path) -> list[str]:
    """Every block address in the store (and quarantine), minus public area names."""
    with duckdb.connect(str(store), read_only=True) as con:
        values = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT block_address FROM incidents"
            ).fetchall()
        ]
        names = [
            r[0] for r in con.execute("SELECT DISTINCT name FROM areas").fetchall()
        ]
    return public_audit.forbidden_strings(values, allowed=names)


def data_strings(store: Path) -> list[str]:
    """Strings from data files that public pages show: area names."""
    with duckdb.connect(str(store), read_only=True) as con:
        return [r[0] for r in con.execute("SELECT DISTINCT name FROM areas").fetchall()]


def strip_css(text: str) -> str:
    """Text without <style> blocks (static CSS injected by the page)."""
    return re.sub(r"<style>.*?</style>", "", text, flags=re.S)
