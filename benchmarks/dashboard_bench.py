"""Benchmarks (c) and (d): dashboard server time per page and interaction with
``AppTest``, and the bytes of map payload each page sends."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import numpy as np

PROFILE_PAGE = "app_pages/area_profile.py"


def bench_dashboard(store: Path) -> dict:
    """Server time of each page and interaction with AppTest; map payload bytes."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from pipelines.catalog import DASHBOARD_APP

    previous = os.environ.get("BEATPROFILE_STORE")
    os.environ["BEATPROFILE_STORE"] = str(store)
    st.cache_data.clear()
    st.cache_resource.clear()
    runs: list[dict] = []
    try:
        at = AppTest.from_file(str(DASHBOARD_APP), default_timeout=900)
        last = _last_day(store)
        steps = _interactions(last, _top_area(store, last))
        for page, action, change in steps:
            if change is not None:
                change(at)
            runs.append(_measure(at, page, action, "first"))
            runs.append(_measure(at, page, action, "warm rerun"))
    finally:
        if previous is None:
            os.environ.pop("BEATPROFILE_STORE", None)
        else:
            os.environ["BEATPROFILE_STORE"] = previous
    after_change = [
        r["seconds"]
        for r in runs
        if r["run"] == "first" and r["action"] not in ("open", "switch page")
    ]
    return {
        "runs": runs,
        "max_first_run_after_filter_change_seconds": max(after_change, default=None),
        "max_warm_rerun_seconds": max(
            r["seconds"] for r in runs if r["run"] != "first"
        ),
        "max_map_payload_bytes": max(r["map_payload_bytes"] for r in runs),
        "exceptions": [r for r in runs if r["exception"]],
    }


def _interactions(last, area_id: str) -> list[tuple[str, str, Callable | None]]:
    """(page, action, change) in the order a user would make them."""
    quarter = (last - timedelta(days=89), last)
    profile_key = "profile.area.neighborhood"
    return [
        ("overview", "open", None),
        (
            "overview",
            "date range",
            lambda at: at.date_input(key="_w.dates").set_value(quarter),
        ),
        (
            "overview",
            "category",
            lambda at: at.multiselect(key="_w.categories").set_value(["burglary"]),
        ),
        (
            "overview",
            "measure",
            lambda at: at.radio(key="overview.measure").set_value("rate"),
        ),
        (
            "overview",
            "level",
            lambda at: at.selectbox(key="_w.level").set_value("district"),
        ),
        (
            "overview",
            "level back",
            lambda at: at.selectbox(key="_w.level").set_value("neighborhood"),
        ),
        ("area profile", "switch page", lambda at: at.switch_page(PROFILE_PAGE)),
        (
            "area profile",
            "select area",
            lambda at: at.selectbox(key=profile_key).set_value(area_id),
        ),
        (
            "area profile",
            "date range",
            lambda at: at.date_input(key="_w.dates").set_value(
                (last - timedelta(days=364), last)
            ),
        ),
        (
            "area profile",
            "category",
            lambda at: at.multiselect(key="_w.categories").set_value(
                ["burglary", "robbery"]
            ),
        ),
        *[
            (
                page.stem.replace("_", " "),
                "switch page",
                lambda at, page=page: at.switch_page(f"app_pages/{page.name}"),
            )
            for page in _other_pages()
        ],
    ]


def _other_pages() -> list[Path]:
    """Pages besides overview and area profile (timed on open only), in the
    router's navigation order; the admin pages need a signed-in admin."""
    from dashboard.access.router import CATALOGUE, PAGES_DIR

    return [
        PAGES_DIR / f"{spec.key}.py"
        for spec in CATALOGUE
        if spec.key not in ("overview", "area_profile", "audit", "users")
    ]


def _measure(at, page: str, action: str, run: str) -> dict:
    start = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - start
    maps = [el for el in at.main if el.type == "component_instance"]
    charts = [
        el for el in at.main if el.type in ("vega_lite_chart", "arrow_vega_lite_chart")
    ]
    return {
        "page": page,
        "action": action,
        "run": run,
        "seconds": seconds,
        "map_payload_bytes": sum(len(m.proto.json_args.encode()) for m in maps),
        "maps": len(maps),
        "chart_spec_bytes": sum(len(c.proto.spec.encode()) for c in charts),
        "exception": [str(e.value)[:300] for e in at.exception],
    }


def _last_day(store: Path):
    import duckdb

    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute("SELECT max(day) FROM daily_counts").fetchone()[0]


def _top_area(store: Path, last) -> str:
    import duckdb

    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute(
            "SELECT area_id FROM daily_counts WHERE level = 'neighborhood' "
            "GROUP BY area_id ORDER BY sum(n) DESC, area_id LIMIT 1"
        ).fetchone()[0]


def bench_payload_many_areas(n_areas: int, seed: int) -> dict:
    """Payload of the overview choropleth if the finest level had ``n_areas`` areas."""
    from benchmarks.areas import make_voronoi_areas
    from pipelines.render.base_map import map_payload_bytes
    from pipelines.render.maps import make_choropleth

    layer = make_voronoi_areas(n_areas, seed=seed)
    layer["name"] = "Area " + layer["area_id"]
    layer["n"] = np.random.default_rng(seed).poisson(500, len(layer))
    layer["rate_per_1000"] = layer["n"] / 3.0
    start = time.perf_counter()
    folium_map = make_choropleth(
        layer,
        "n",
        "name",
        "area_id",
        [
            ("area_id", "Area"),
            ("n", "Incidents"),
            ("rate_per_1000", "Per 1,000 residents"),
        ],
    )
    payload = map_payload_bytes(folium_map)
    return {
        "areas": len(layer),
        "map_payload_bytes": payload,
        "build_and_render_seconds": time.perf_counter() - start,
    }
