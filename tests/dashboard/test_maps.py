"""Properties of the offline map builders, on a 3x3 grid of square areas."""

from __future__ import annotations

import re

import folium
import geopandas as gpd
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from pipelines.render.assets import LEAFLET_CSS_URL, LEAFLET_JS_URL
from pipelines.render.base_map import make_base_map, map_payload_bytes
from pipelines.render.maps import NO_DATA_COLOUR, make_choropleth, sequential_palette

SIZE = 0.01  # degrees per square side
ORIGIN = (-122.40, 37.70)


def make_squares(values: list[float] | None = None) -> gpd.GeoDataFrame:
    """Nine squares, row-major from the south-west, ids A0..A8, values 1..9."""
    values = list(range(1, 10)) if values is None else values
    x0, y0 = ORIGIN
    rows = []
    for i, value in enumerate(values):
        r, c = divmod(i, 3)
        rows.append(
            {
                "area_id": f"A{i}",
                "name": f"Area {i}",
                "incidents": value,
                "geometry": box(
                    x0 + c * SIZE,
                    y0 + r * SIZE,
                    x0 + (c + 1) * SIZE,
                    y0 + (r + 1) * SIZE,
                ),
            }
        )
    return gpd.GeoDataFrame(rows, crs="EPSG:4326")


def choropleth(areas: gpd.GeoDataFrame, **kwargs) -> folium.Map:
    return make_choropleth(
        areas,
        value_col="incidents",
        label_col="name",
        id_col="area_id",
        tooltip_fields=[("incidents", "Incidents")],
        **kwargs,
    )


def geojson_layer(m: folium.Map) -> folium.GeoJson:
    layers = [c for c in m._children.values() if isinstance(c, folium.GeoJson)]
    assert len(layers) == 1
    return layers[0]


def fill_colours(m: folium.Map) -> dict[str, str]:
    layer = geojson_layer(m)
    return {f["id"]: layer.style_function(f)["fillColor"] for f in features(m)}


def features(m: folium.Map) -> list[dict]:
    return geojson_layer(m).data["features"]


def external_links(rendered: str) -> list[str]:
    srcs = re.findall(r"<script[^>]*\bsrc=[\"']([^\"']+)", rendered, flags=re.I)
    hrefs = re.findall(r"<link[^>]*\bhref=[\"']([^\"']+)", rendered, flags=re.I)
    return [u for u in srcs + hrefs if re.match(r"(https?:)?//", u, flags=re.I)]


def test_one_feature_per_area():
    m = choropleth(make_squares())
    assert len(geojson_layer(m).data["features"]) == 9


def test_quantile_classes_get_palette_colours_in_order():
    m = choropleth(make_squares(), k=3)
    low, mid, high = sequential_palette(3)
    expected = [low, low, low, mid, mid, mid, high, high, high]
    assert fill_colours(m) == {f"A{i}": colour for i, colour in enumerate(expected)}


def test_five_quantiles_of_one_to_nine():
    # Quantile bounds of 1..9 are 2.6, 4.2, 5.8, 7.4, 9.
    colours = fill_colours(choropleth(make_squares(), k=5))
    palette = sequential_palette(5)
    classes = [0, 0, 1, 1, 2, 3, 3, 4, 4]
    assert colours == {f"A{i}": palette[c] for i, c in enumerate(classes)}


def test_missing_value_is_grey_and_listed_as_no_data():
    values = [1.0, 2.0, 3.0, 4.0, np.nan, 6.0, 7.0, 8.0, 9.0]
    m = choropleth(make_squares(values))
    assert fill_colours(m)["A4"] == NO_DATA_COLOUR
    props = {f["id"]: f["properties"] for f in features(m)}
    assert props["A4"]["t0"] == "no data"
    assert "no data" in m.get_root().render()


def test_legend_lists_title_and_one_row_per_class():
    html = choropleth(make_squares(), k=3, legend_title="Calls").get_root().render()
    pattern = r'<div id="bp_legend_[^"]+" class="bp-legend".*?\n\s*</div>'
    legend = re.search(pattern, html, re.S)
    assert legend is not None
    assert "<strong>Calls</strong>" in legend.group(0)
    for colour in sequential_palette(3):
        assert f"background:{colour}" in legend.group(0)
    assert 'L.control({position: "bottomright"})' in html


def test_legend_title_is_escaped():
    html = choropleth(make_squares(), legend_title="<b>x</b>").get_root().render()
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<b>x</b>" not in html


def test_only_local_leaflet_is_loaded():
    html = choropleth(make_squares()).get_root().render()
    assert external_links(html) == []
    assert f'src="{LEAFLET_JS_URL}"' in html
    assert f'href="{LEAFLET_CSS_URL}"' in html
    assert not re.search(r"https?://", html)
    for lib in ("jquery", "bootstrap", "awesome-markers", "fontawesome"):
        assert lib not in html.lower()


def test_base_map_overrides_do_not_leak_into_other_maps():
    make_base_map((0, 0, 1, 1))
    assert any("cdn" in url for _, url in folium.Map().default_js)


def test_script_in_a_name_is_escaped():
    areas = make_squares()
    areas.loc[4, "name"] = "<script>alert(1)</script>"
    m = choropleth(areas)
    props = {f["id"]: f["properties"] for f in features(m)}
    assert props["A4"]["label"] == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert "<script>alert(1)" not in m.get_root().render()


def test_tooltip_aliases_are_escaped():
    m = make_choropleth(
        make_squares(), "incidents", "name", "area_id", [("incidents", "<i>n</i>")]
    )
    tooltip = next(iter(geojson_layer(m)._children.values()))
    assert tooltip.aliases == ["", "&lt;i&gt;n&lt;/i&gt;"]


def test_missing_crs_raises_with_fix():
    areas = make_squares().set_crs(None, allow_override=True)
    with pytest.raises(ValueError, match=r"no CRS.*set_crs\('EPSG:4326'\)"):
        choropleth(areas)


def test_projected_areas_are_reprojected_to_lonlat():
    m = choropleth(make_squares().to_crs(3857))
    ring = geojson_layer(m).data["features"][0]["geometry"]["coordinates"][0]
    assert all(-123 < x < -122 and 37 < y < 38 for x, y in ring)


def test_coordinates_are_rounded_to_five_decimals():
    areas = make_squares()
    areas.geometry = areas.geometry.translate(1.23456789e-3, 0)
    ring = features(choropleth(areas))[0]["geometry"]["coordinates"][0]
    assert all(round(x, 5) == x and round(y, 5) == y for x, y in ring)


@pytest.mark.parametrize("value", [0.0, 7.0])
def test_all_equal_values_make_one_class(value):
    m = choropleth(make_squares([value] * 9))
    assert set(fill_colours(m).values()) == set(sequential_palette(1))
    assert "bp-legend" in m.get_root().render()


def test_all_missing_values_are_all_no_data():
    m = choropleth(make_squares([np.nan] * 9))
    assert set(fill_colours(m).values()) == {NO_DATA_COLOUR}


def test_fewer_distinct_values_than_k_uses_fewer_classes():
    m = choropleth(make_squares([0, 0, 0, 0, 0, 0, 0, 5, 5]), k=5)
    low, high = sequential_palette(2)
    assert sorted(set(fill_colours(m).values())) == sorted({low, high})


def test_highlighted_area_is_outlined_and_drawn_last():
    m = choropleth(make_squares(), highlight_id="A4")
    layer = geojson_layer(m)
    assert layer.data["features"][-1]["id"] == "A4"
    weights = {f["id"]: layer.style_function(f)["weight"] for f in features(m)}
    assert weights["A4"] > max(w for fid, w in weights.items() if fid != "A4")


def test_missing_column_is_named():
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['population'\]"):
        make_choropleth(make_squares(), "population", "name", "area_id", [])


def test_duplicate_ids_are_rejected():
    areas = make_squares()
    areas.loc[1, "area_id"] = "A0"
    with pytest.raises(ValueError, match="must be unique but repeats \\['A0'\\]"):
        choropleth(areas)


def test_unknown_scheme_is_rejected():
    with pytest.raises(ValueError, match="`scheme` was 'Jenks' but is expected"):
        choropleth(make_squares(), scheme="Jenks")


def test_tiles_need_a_template_and_attribution():
    with pytest.raises(ValueError, match="URL template"):
        make_base_map((0, 0, 1, 1), tiles="OpenStreetMap")
    with pytest.raises(ValueError, match="needs an attribution"):
        make_base_map((0, 0, 1, 1), tiles="http://127.0.0.1:8080/{z}/{x}/{y}.png")
    m = make_base_map(
        (0, 0, 1, 1), tiles="http://127.0.0.1:8080/{z}/{x}/{y}.png", attribution="local"
    )
    assert "127.0.0.1:8080" in m.get_root().render()


def test_payload_size_is_the_rendered_html():
    m = choropleth(make_squares())
    size = map_payload_bytes(m)
    assert map_payload_bytes(m) == size  # measuring does not change the map
    assert size == len(m.get_root().render().encode("utf-8"))
    assert size < 20_000


values_strategy = st.lists(
    st.one_of(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
        st.sampled_from([0.0, 1.0, np.nan]),
    ),
    min_size=9,
    max_size=9,
)


@settings(max_examples=40, deadline=None)
@given(
    values=values_strategy,
    k=st.integers(min_value=1, max_value=9),
    scheme=st.sampled_from(["Quantiles", "EqualInterval", "FisherJenks"]),
)
def test_every_area_gets_a_class_colour_that_rises_with_its_value(values, k, scheme):
    m = choropleth(make_squares(values), k=k, scheme=scheme)
    colours = fill_colours(m)
    assert len(colours) == 9
    finite = [(v, colours[f"A{i}"]) for i, v in enumerate(values) if np.isfinite(v)]
    missing = [f"A{i}" for i, v in enumerate(values) if np.isnan(v)]
    assert all(colours[fid] == NO_DATA_COLOUR for fid in missing)
    if not finite:
        return
    # Ties can merge classes, so the map may use fewer than min(k, distinct values).
    most = min(k, len({v for v, _ in finite}))
    fits = [
        n
        for n in range(1, most + 1)
        if all(c in sequential_palette(n) for _, c in finite)
    ]
    assert fits
    used = sequential_palette(fits[-1])
    ranks = sorted((v, used.index(c)) for v, c in finite)
    assert [r for _, r in ranks] == sorted(r for _, r in ranks)


def test_rebuilt_map_keeps_the_same_streamlit_folium_key():
    """streamlit-folium keys its component by a hash of the map script; a key that
    changed on every rerun would recreate the map and drop the user's click."""
    from streamlit_folium import _get_map_string, generate_js_hash

    first = choropleth(make_squares())
    second = choropleth(make_squares())
    assert generate_js_hash(_get_map_string(first), "k", False) == generate_js_hash(
        _get_map_string(second), "k", False
    )


def test_count_classes_have_whole_number_legend_labels():
    # Quantiles of 1..9 in 3 classes cut at 3.67 and 6.33: classes hold 1-3, 4-6, 7-9.
    html_text = choropleth(make_squares(), k=3).get_root().render()
    for label in ("1 – 3", "4 – 6", "7 – 9"):
        assert label in html_text
    assert "3.67" not in html_text
