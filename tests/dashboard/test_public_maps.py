"""Public map builders and the watch-meeting export, on small hand-made areas."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point, box

from pipelines.community import public, public_audit
from pipelines.community.watch_report import WatchReportError
from pipelines.render.map_labels import label_point, label_points
from pipelines.render.offline_export import (
    standalone_html,
    strip_leaflet,
    write_watch_meeting,
)
from pipelines.render.public_maps import make_assessment_map, make_public_map


def _areas(names=("North", "South<b>", "O'Hare")) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {
            "area_id": ["1", "2", "3"],
            "name": list(names),
            "n": [120, 2, 45],
            "role": ["selected", "neighbour", "neighbour"],
        },
        geometry=[
            box(-90.3, 38.6, -90.29, 38.61),
            box(-90.3, 38.59, -90.29, 38.6),
            box(-90.29, 38.6, -90.28, 38.61),
        ],
        crs="EPSG:4326",
    )
    return public.public_counts(frame, 3)


def _features(m) -> list[dict]:
    html = m.get_root().render()
    found = re.search(r"_add\((\{\"features\".*?\})\);", html, re.S)
    assert found
    return json.loads(found.group(1))["features"]


def test_public_map_has_one_polygon_and_one_escaped_label_per_area():
    features = _features(make_public_map(_areas(), 3))
    assert [f["geometry"]["type"] for f in features] == ["Polygon"] * 3
    labels = {f["id"]: f["properties"]["label"] for f in features}
    assert labels["2"] == "South&lt;b&gt;<br>fewer than 3"
    assert labels["3"] == 'O&#x27;Hare<br><span class="bp-count">45</span>'
    assert features[-1]["properties"]["selected"]  # the selected area drawn last
    for f in features:
        lat, lon = f["properties"]["label_at"]
        assert shapely.geometry.shape(f["geometry"]).contains(Point(lon, lat))


def test_public_map_legend_is_large_and_never_shows_a_small_count():
    html = make_public_map(_areas(), 3).get_root().render()
    assert "font-size: 26px" in html and "fewer than 3" in html
    legend = re.search(r'class="bp-legend".*?</div>\s*</div>', html, re.S).group(0)
    assert public_audit.audit_public_payload(legend, [], 3) == []


def test_public_map_refuses_points():
    points = gpd.GeoDataFrame(
        {
            "area_id": ["1"],
            "name": ["x"],
            "n": [5],
            "n_text": ["5"],
            "role": ["selected"],
        },
        geometry=[Point(0, 0)],
        crs="EPSG:4326",
    )
    with pytest.raises(
        ValueError,
        match=r"public maps draw areas only, but `areas` has "
        r"\['Point'\] geometries",
    ):
        make_public_map(points, 3)
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['n_text'\]"):
        make_public_map(points.drop(columns="n_text"), 3)


def test_label_point_falls_inside_a_crescent():
    crescent = box(0, 0, 3, 3).difference(box(1, 1, 3, 3))  # an L shape
    lat, lon = label_point(crescent)
    assert crescent.contains(Point(lon, lat))


def test_label_points_are_inside_the_area_distinct_and_start_at_the_centroid():
    crescent = box(0, 0, 3, 3).difference(box(1, 1, 3, 3))
    spots = label_points(crescent)
    assert spots[0] == label_point(crescent)
    assert 10 <= len(spots) <= 40 and len({tuple(s) for s in spots}) == len(spots)
    assert all(crescent.contains(Point(lon, lat)) for lat, lon in spots)
    assert label_points(box(0, 0, 2, 1), limit=3) == [
        [0.5, 1.0],
        [0.5, 0.5],  # the pole of inaccessibility
        [0.38889, 1.0],  # then the lattice, nearest the centroid first
    ]


def test_labels_are_placed_selected_first_then_larger_areas_with_alternatives():
    features = _features(make_public_map(_areas(), 3))
    ranks = {f["id"]: f["properties"]["label_rank"] for f in features}
    assert ranks["1"] == 0 and sorted(ranks.values()) == [0, 1, 2]
    for f in features:
        area = shapely.geometry.shape(f["geometry"])
        alts = f["properties"]["label_alts"]
        assert alts and all(area.contains(Point(lon, lat)) for lat, lon in alts)


def test_maps_fit_only_once_they_have_a_size():
    """A map drawn in a closed expander must not call fitBounds at 0 px (NaN zoom)."""
    for m in (make_public_map(_areas(), 3), make_assessment_map(_roles())):
        script = m.get_root().render()
        # folium's FitBounds calls map_<id>.fitBounds(...) at once; ours wait.
        assert set(re.findall(r"(\w+)\.fitBounds\(", script)) == {"map"}
        assert "size.x <= tl[0] + br[0]" in script


def test_standalone_html_inlines_leaflet_and_links_nothing_remote():
    page = standalone_html(make_public_map(_areas(), 3), "A <title>")
    assert "<title>A &lt;title&gt;</title>" in page
    assert "<script src=" not in page and '<link rel="stylesheet"' not in page
    assert "L.map" in page and len(page) > 100_000
    ours = strip_leaflet(page)
    assert not re.search(r"(src|href)=\"https?://", ours)


def _roles() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"role": ["target", "buffer", "control"]},
        geometry=[
            box(0, 0, 1, 1),
            box(-1, -1, 2, 2).difference(box(0, 0, 1, 1)),
            box(3, 0, 4, 1),
        ],
        crs="EPSG:4326",
    )


def test_assessment_map_shows_target_buffer_and_control():
    html = make_assessment_map(_roles()).get_root().render()
    for label in ("Target area", "Buffer ring", "Control area"):
        assert label in html


def test_write_watch_meeting_picks_the_format_from_the_suffix(tmp_path, monkeypatch):
    import pipelines.render.offline_export as pm

    monkeypatch.setattr(pm, "watch_meeting_html", lambda report: "<html></html>")
    monkeypatch.setattr(pm, "static_bytes", lambda report, fmt: fmt.encode())
    assert write_watch_meeting(None, tmp_path / "a.html").read_text() == "<html></html>"
    assert write_watch_meeting(None, tmp_path / "a.PDF").read_bytes() == b"pdf"
    assert write_watch_meeting(None, tmp_path / "a.png").read_bytes() == b"png"
    with pytest.raises(
        WatchReportError,
        match=r"--out was '.*a.svg' but is expected to end in "
        r"\.html, \.png or \.pdf",
    ):
        write_watch_meeting(None, tmp_path / "a.svg")
