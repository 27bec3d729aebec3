"""Placeholder-coordinate rules on hand-made columns (answers checked by hand)."""

import numpy as np
import pytest

from geo.placeholders import PlaceholderSettings, find_placeholders, stacked_points

BOX = (0.0, 0.0, 10_000.0, 10_000.0)  # the area layer: a 10 km square


def _rows(points: list[tuple[float, float]]):
    """x/y inside the box, with made-up plausible lon/lat."""
    xy = np.array(points, dtype="float64").reshape(-1, 2)
    return -90.0 + xy[:, 0] / 1e5, 38.0 + xy[:, 1] / 1e5, xy[:, 0], xy[:, 1]


def _city(n_families: int = 50, per_family: int = 3) -> list[tuple[float, float]]:
    """``n_families`` addresses with ``per_family`` rows each, plus 500 singletons."""
    points = [
        (100.0 + 150 * i, 200.0) for i in range(n_families) for _ in range(per_family)
    ]
    points += [(50.0 + 19 * i, 5_000.0 + (i % 7)) for i in range(500)]
    return points


def test_raw_zero_xy_fires_at_the_image_of_the_source_origin():
    lon, lat, x, y = _rows([(5.0, 5.0), (6.0, 6.0)])
    lon[0], lat[0] = -96.5, 35.8  # the source CRS's 0, 0 seen in lon/lat
    origins = np.array([[-96.5, 35.8], [-96.5, 35.8]])
    rule = find_placeholders(lon, lat, x, y, BOX, origins)
    assert list(rule) == ["zero_xy", None]


def test_lon_lat_zero_is_null_island_even_when_not_far():
    lon, lat, x, y = _rows([(5.0, 5.0), (6.0, 6.0)])
    lon[1], lat[1] = 0.0, 0.0
    x[1], y[1] = np.nan, np.nan  # a transform that failed: still null island
    assert list(find_placeholders(lon, lat, x, y, BOX)) == [None, "null_island"]


def test_point_60_km_outside_the_box_fires_and_10_km_does_not():
    lon, lat, x, y = _rows(
        [(70_000.0, 5_000.0), (20_000.0, 5_000.0), (-5_000.0, -5_000.0)]
    )
    rule = find_placeholders(lon, lat, x, y, BOX)
    # 60 km east; 10 km east; 7.07 km south-west (diagonal distance to the corner)
    assert list(rule) == ["far_outside", None, None]


def test_diagonal_distance_counts_not_each_axis():
    # 40 km beyond the corner on each axis: 56.6 km from the box
    lon, lat, x, y = _rows([(50_000.0, 50_000.0)])
    assert list(find_placeholders(lon, lat, x, y, BOX)) == ["far_outside"]


def test_stacked_point_with_implausible_share_fires():
    points = _city() + [(4_321.0, 1_234.0)] * 400
    lon, lat, x, y = _rows(points)
    rule = find_placeholders(lon, lat, x, y, BOX)
    # median of the top-100 repeated pairs is 3 -> limit max(1% of 1,050, 150) = 150
    assert (rule == "stacked_point").sum() == 400
    assert set(np.flatnonzero(rule == "stacked_point")) == set(range(650, 1050))


def test_busy_real_address_with_a_plausible_share_does_not_fire():
    # a jail with 120 rows: 40x the median family of 3, 10% of rows but under 150
    points = _city() + [(4_321.0, 1_234.0)] * 120
    lon, lat, x, y = _rows(points)
    assert pd_none(find_placeholders(lon, lat, x, y, BOX))


def test_share_floor_protects_a_busy_address_when_repeats_are_rare():
    # only two repeated pairs (2 rows each): median 2 -> 50x = 100; 1% of 20,000 = 200
    points = [(float(i % 9_000), float(i // 9_000)) for i in range(20_000)]
    points[:4] = [(1.0, 1.0), (1.0, 1.0), (2.0, 2.0), (2.0, 2.0)]
    points += [(3.0, 3.0)] * 150
    lon, lat, x, y = _rows(points)
    assert pd_none(find_placeholders(lon, lat, x, y, BOX))
    points += [(3.0, 3.0)] * 60  # now 210 rows > 200
    lon, lat, x, y = _rows(points)
    assert (find_placeholders(lon, lat, x, y, BOX) == "stacked_point").sum() == 210


def test_no_repeated_point_means_no_stack():
    lon, lat, x, y = _rows([(float(i), 1.0) for i in range(10)])
    assert not stacked_points(x, y, np.ones(10, dtype=bool)).any()


def test_rules_apply_in_order_and_thresholds_are_settings():
    lon, lat, x, y = _rows([(70_000.0, 5_000.0)])
    assert list(find_placeholders(lon, lat, x, y, BOX)) == ["far_outside"]
    wide = PlaceholderSettings(far_m=100_000.0)
    assert list(find_placeholders(lon, lat, x, y, BOX, settings=wide)) == [None]


def pd_none(rule: np.ndarray) -> bool:
    return all(r is None for r in rule)


@pytest.mark.parametrize("value", [1e-3, -1e-3])
def test_a_point_near_but_not_at_null_island_is_left_to_the_distance_rule(value):
    lon, lat, x, y = _rows([(5.0, 5.0)])
    lon[0], lat[0] = value, value
    assert list(find_placeholders(lon, lat, x, y, BOX)) == [None]
