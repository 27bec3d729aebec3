"""Privacy audit: every public page and export of the sample obeys DESIGN's rules.

Public outputs: the watch-meeting page in presentation mode (map HTML from the
component's ``json_args``, markdown, chart specs and data), the offline HTML
export and the static PNG/PDF (the text drawn on the figure). The audit store
is the sample with concerns and a plan added, ``k`` raised to 40 so that many
figures are masked, and one neighbour renamed to hostile HTML.

Each payload must have: only polygon features, with every label position
inside its area (the centroid and the alternatives used to avoid overlaps);
no block address from the store; no count below k; no sensitive category
named; every area name escaped; no organiser's note.
The last tests feed deliberately unsafe payloads and check the audit fails.
"""

from __future__ import annotations

import json
import re

import duckdb
import pandas as pd
import pytest
import shapely
from shapely.geometry import shape

from pipelines.community import public_audit
from pipelines.community.watch_report import build_watch_report
from pipelines.render.offline_export import watch_meeting_html
from pipelines.render.watch_export import figure_texts, static_figure
from tests.dashboard.watch_helpers import (
    Payloads,
    data_strings,
    forbidden_from_store,
    open_watch_page,
    page_payloads,
    strip_css,
    watch_router,
)
from tests.pipelines.watch_helpers import AREA, SECRET_NOTE, make_watch_store

K = 40
HOSTILE = '<img src=x onerror=alert(1)> Park & "Co"'
HOSTILE_ID = "81"  # Tower Grove Park, a neighbour of Tower Grove South
PUBLIC_VIEWS = [
    ("neighborhood", AREA),
    ("neighborhood", "68"),  # O'Fallon
    ("neighborhood", "35"),
    ("district", "3"),
]
_FEATURES = re.compile(r"_add\((\{\"features\".*?\})\);", re.S)
_GEOMETRY_TYPES = re.compile(r'"type":\s*"(\w+)"')


@pytest.fixture(scope="module")
def store(sample_store, tmp_path_factory):
    path = make_watch_store(sample_store, tmp_path_factory.mktemp("audit") / "s.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute(
            "UPDATE areas SET name = ? WHERE level = 'neighborhood' AND area_id = ?",
            [HOSTILE, HOSTILE_ID],
        )
        con.execute(
            "UPDATE meta SET value = ? WHERE key = 'min_count_public'", [str(K)]
        )
    return path


@pytest.fixture(scope="module")
def rules(store):
    return forbidden_from_store(store), data_strings(store)


@pytest.fixture
def router(store, tmp_path, monkeypatch):
    monkeypatch.setenv("BEATPROFILE_STORE", str(store))
    return watch_router(tmp_path / "router")


def audit_payloads(
    p: Payloads, forbidden: list[str], names: list[str], k: int
) -> list[str]:
    """Every rule broken by one page's payloads (empty list: public-safe)."""
    problems = []
    for html in p.maps:
        problems += public_audit.audit_public_payload(
            html, forbidden, k, data_strings=names
        )
        problems += audit_map_features(html)
    for text in p.markdown:
        problems += public_audit.audit_public_payload(
            strip_css(text), forbidden, k, data_strings=names, context="markdown"
        )
    for spec in p.chart_specs:
        problems += public_audit.audit_public_payload(
            spec, forbidden, k, data_strings=names
        )
    for frame in [*p.chart_data, *p.frames]:
        problems += public_audit.audit_frame(frame.select_dtypes("number"), k)
        text = frame.select_dtypes(exclude="number").to_csv(index=False)
        problems += public_audit.audit_public_payload(
            text, forbidden, k, context="markdown"
        )
    problems += [
        f"remote asset {u}" for u in p.links if u.startswith(("http:", "https:"))
    ]
    everything = "".join(p.maps + p.markdown + p.chart_specs)
    problems += (
        [f"organiser's note shown: {SECRET_NOTE!r}"]
        if SECRET_NOTE in everything
        else []
    )
    return problems


def audit_map_features(html: str) -> list[str]:
    """Only polygons; each label point lies inside its own polygon."""
    problems = []
    collections = [json.loads(m.group(1)) for m in _FEATURES.finditer(html)]
    if not collections:
        return ["no GeoJSON found in the map payload"]
    for collection in collections:
        for feature in collection["features"]:
            geometry = shape(feature["geometry"])
            if geometry.geom_type not in ("Polygon", "MultiPolygon"):
                problems.append(f"{geometry.geom_type} feature {feature.get('id')}")
            spots = [feature["properties"].get("label_at")]
            spots += feature["properties"].get("label_alts", [])
            for at in filter(None, spots):
                if not geometry.buffer(1e-9).contains(shapely.Point(at[1], at[0])):
                    problems.append(f"label of {feature.get('id')} outside its area")
    kinds = set(_GEOMETRY_TYPES.findall(html)) - {
        "FeatureCollection",
        "Feature",
        "Polygon",
        "MultiPolygon",
    }
    return problems + [f"geometry type {k} in the map" for k in sorted(kinds)]


@pytest.mark.parametrize(("level", "area_id"), PUBLIC_VIEWS)
def test_presentation_mode_is_public_safe(router, rules, level, area_id):
    at = open_watch_page(router, {"mode": "present", "level": level, "area": area_id})
    assert not at.exception
    payloads = page_payloads(at)
    assert payloads.maps and payloads.markdown and payloads.chart_data
    forbidden, names = rules
    assert audit_payloads(payloads, forbidden, names, K) == []


def test_the_audit_store_really_masks_escapes_and_hides(router, rules):
    """The passing audit above is not vacuous on this store."""
    p = page_payloads(
        open_watch_page(
            router, {"mode": "present", "level": "neighborhood", "area": AREA}
        )
    )
    html = public_audit.decode_script_text(p.maps[0])
    assert "&lt;img src=x onerror=alert(1)&gt; Park &amp; &quot;Co&quot;" in html
    assert "fewer than 40" in html
    assert any("fewer than 40" in m for m in p.markdown)
    assert (p.chart_data[0]["n"].dropna() >= K).all()
    assert len(rules[0]) > 10_000  # thousands of block addresses checked


@pytest.mark.parametrize(("level", "area_id"), PUBLIC_VIEWS)
def test_exports_are_public_safe(store, rules, level, area_id):
    forbidden, names = rules
    with duckdb.connect(str(store), read_only=True) as con:
        report = build_watch_report(con, level, area_id)
    assert report.k == K
    page = watch_meeting_html(report)
    assert (
        public_audit.audit_public_payload(page, forbidden, K, data_strings=names) == []
    )
    assert audit_map_features(page) == []
    assert SECRET_NOTE not in page and "https://unpkg" not in page
    texts = "\n".join(figure_texts(static_figure(report)))
    assert public_audit.audit_public_payload(texts, forbidden, K, context="text") == []
    assert report.withheld in texts


# --- Tests of the test: deliberately unsafe output must fail the audit. ---------


@pytest.fixture(scope="module")
def safe_payloads(store, tmp_path_factory):
    """Real, audited payloads of one page, to be made unsafe one way at a time."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BEATPROFILE_STORE", str(store))
        router = watch_router(tmp_path_factory.mktemp("router"))
        return page_payloads(
            open_watch_page(
                router, {"mode": "present", "level": "neighborhood", "area": AREA}
            )
        )


def _with_point(html: str) -> str:
    point = (
        '{"type": "Feature", "id": "x", "properties": {}, '
        '"geometry": {"type": "Point", "coordinates": [-90.25, 38.6]}}, '
    )
    return html.replace('"features": [', '"features": [' + point, 1)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda p: p.maps.__setitem__(0, _with_point(p.maps[0])), "Point"),
        (lambda p: p.markdown.append("Stolen car at 4000 N NEWSTEAD AVE"), "address"),
        (lambda p: p.markdown.append("1 incident in the last 28 days"), "count below"),
        (
            lambda p: p.chart_data.append(pd.DataFrame({"label": ["Jan"], "n": [1]})),
            "counts below",
        ),
        (
            lambda p: p.markdown.append("Sex offense: 12 incidents"),
            "sensitive category",
        ),
        (lambda p: p.maps.__setitem__(0, p.maps[0] + HOSTILE), "unescaped"),
        (lambda p: p.markdown.append(SECRET_NOTE), "organiser's note"),
    ],
)
def test_the_audit_fails_on_deliberately_unsafe_output(
    safe_payloads, rules, change, expected
):
    forbidden, names = rules
    assert audit_payloads(safe_payloads, forbidden, names, K) == []
    unsafe = Payloads(
        list(safe_payloads.maps),
        list(safe_payloads.markdown),
        list(safe_payloads.chart_specs),
        list(safe_payloads.chart_data),
        list(safe_payloads.frames),
        list(safe_payloads.links),
    )
    change(unsafe)
    problems = audit_payloads(unsafe, forbidden, names, K)
    assert any(expected in p for p in problems), problems


def test_the_audit_fails_a_map_payload_with_all_four_faults_at_once(
    safe_payloads, rules
):
    forbidden, names = rules
    unsafe = _with_point(safe_payloads.maps[0]).replace(
        '"label": "Tower Grove South',
        '"label": "4000 N NEWSTEAD AVE, Tower Grove South',
    )
    assert unsafe.count("NEWSTEAD") == 1
    unsafe += '<span class="bp-count">1</span> sex offense'
    problems = "\n".join(audit_payloads(Payloads(maps=[unsafe]), forbidden, names, K))
    for expected in (
        "Point",
        "address or location name",
        "count below 40",
        "sensitive category named: 'sex offense'",
    ):
        assert expected in problems
