"""Beat plans on a 3x3 grid of 1 km square areas with incidents placed by hand."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import duckdb
import geopandas as gpd
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from shapely.geometry import box

from pipelines import store
from pipelines.community import beat_plans as bp
from pipelines.render.plan_export import plan_html, plan_pdf_bytes

CRS = "EPSG:26996"
X0, Y0 = 270_000.0, 310_000.0  # inside EPSG:26996's area of use
START = date(2019, 7, 1)


def _grid() -> gpd.GeoDataFrame:
    """Areas "1".."9", row by row from the south-west; "5" is the centre."""
    cells = [
        (
            str(3 * r + c + 1),
            box(X0 + c * 1000, Y0 + r * 1000, X0 + (c + 1) * 1000, Y0 + (r + 1) * 1000),
        )
        for r in range(3)
        for c in range(3)
    ]
    return gpd.GeoDataFrame(
        {"area_id": [c[0] for c in cells], "name": [f"Area {c[0]}" for c in cells]},
        geometry=[c[1] for c in cells],
        crs=CRS,
    )


def _incidents(con: duckdb.DuckDBPyConnection) -> None:
    """Target (centre) 10 before / 4 after, buffer 5 / 7, control 20 / 20, noise."""
    rows = []

    def put(
        n: int,
        x: float,
        y: float,
        day: date,
        category: str = "burglary",
        located: bool = True,
    ) -> None:
        rows.extend(
            [
                (
                    "report",
                    located,
                    category,
                    X0 + x,
                    Y0 + y,
                    datetime.combine(day, datetime.min.time()) + timedelta(hours=12),
                )
            ]
            * n
        )

    before, after = START - timedelta(days=10), START + timedelta(days=10)
    put(10, 1500, 1500, before)
    put(4, 1500, 1500, after)
    put(5, 2200, 1500, before)  # 200 m east of the target: in the 400 m ring
    put(7, 1500, 2300, after)  # 300 m north of the target
    put(20, 2800, 2800, before)  # far corner: control
    put(20, 200, 200, after)
    put(9, 1500, 1500, after, category="theft")  # not a plan category
    put(9, 1500, 1500, START - timedelta(days=90))  # outside the 30-day windows
    put(9, 1500, 1500, after, located=False)
    put(1, 1500, 1500, date(2019, 1, 1), category="theft")  # first day of data
    frame = pd.DataFrame(
        rows, columns=["kind", "located", "category", "x", "y", "occurred_at"]
    )
    con.register("incident_rows", frame)
    con.execute("CREATE TABLE incidents AS SELECT * FROM incident_rows")
    store.create_crimes_view(con)  # as every built store has


@pytest.fixture
def con():
    with duckdb.connect() as c:
        _incidents(c)
        yield c


@pytest.fixture
def plan(con) -> bp.BeatPlan:
    plan = bp.add_plan(
        con,
        "neighborhood",
        "5",
        "Break-ins in the centre",
        ["burglary"],
        "Hot cell on <b>Main</b> & 1st",
    )
    bp.add_response(con, plan.plan_id, "Directed patrols", START)
    return bp.read_plans(con, "neighborhood", "5")[0]


def test_buffer_ring_is_400_m_around_the_area_minus_the_area():
    shapes = bp.assessment_areas(_grid(), "5", CRS).set_index("role")
    ring = shapes.geometry["buffer"]
    # A 1 km square buffered by 400 m: 1 + 4 * 0.4 + pi * 0.4**2 km2; minus the square.
    assert_allclose(ring.area / 1e6, 4 * 0.4 + math.pi * 0.16, rtol=2e-3)
    assert ring.intersection(shapes.geometry["target"]).area < 1e-6
    # Without parents the control is every other area minus the target's reach.
    assert_allclose(
        shapes.geometry["control"].area / 1e6,
        9 - 1 - 4 * 0.4 - math.pi * 0.16,
        rtol=2e-3,
    )
    assert shapes.geometry["control"].intersection(ring).area < 1e-6


def test_control_is_the_other_areas_of_the_same_parent():
    parents = gpd.GeoDataFrame(
        {"area_id": ["west", "east"]},
        geometry=[
            box(X0, Y0, X0 + 2000, Y0 + 3000),
            box(X0 + 2000, Y0, X0 + 3000, Y0 + 3000),
        ],
        crs=CRS,
    )
    shapes = bp.assessment_areas(_grid(), "5", CRS, parents=parents).set_index("role")
    control = shapes.geometry["control"]
    # Areas 1, 2, 4, 7, 8 (the west parent minus the centre) = 5 km2, minus the
    # reach: three 0.4 km2 edge strips (2, 4, 8) and two quarter discs (1, 7).
    assert control.within(box(X0, Y0, X0 + 2000, Y0 + 3000).buffer(1e-6))
    assert_allclose(control.area / 1e6, 5 - 3 * 0.4 - 2 * math.pi * 0.16 / 4, rtol=2e-3)
    # An explicit control: area 9 touches the centre at a corner (a quarter disc).
    chosen = bp.assessment_areas(_grid(), "5", CRS, control_ids=["9"]).set_index("role")
    assert_allclose(
        chosen.geometry["control"].area / 1e6, 1 - math.pi * 0.16 / 4, rtol=2e-3
    )


def test_assessment_counts_test_and_wdq_match_the_hand_computation(con, plan):
    shapes = bp.assessment_areas(_grid(), "5", CRS)
    result = bp.assess_plan(con, plan, shapes, date(2019, 12, 31), window_days=30)
    assert result.counts == {"target": (10, 4), "buffer": (5, 7), "control": (20, 20)}
    assert result.before == (date(2019, 6, 1), date(2019, 6, 30))
    assert result.after == (date(2019, 7, 1), date(2019, 7, 30))
    # SM = 4/20 - 10/20 = -0.3; BDM = 7/20 - 5/20 = 0.1; WDQ = 0.1 / -0.3 = -1/3.
    assert_allclose(
        [result.wdq.success_measure, result.wdq.buffer_measure, result.wdq.wdq],
        [-0.3, 0.1, -1 / 3],
    )
    assert "some displacement" in result.wdq.interpretation
    assert "4 after the start against 10 before" in result.sentence
    assert "exact Poisson test" in result.sentence
    assert result.geometries.crs.to_epsg() == 4326


def test_default_window_is_as_long_as_the_data_allow(con, plan):
    result = bp.assess_plan(
        con, plan, bp.assessment_areas(_grid(), "5", CRS), date(2019, 12, 31)
    )
    assert result.window_days == (START - date(2019, 1, 1)).days  # 181 days before


def test_plans_without_responses_or_data_after_the_start_are_refused(con, plan):
    empty = bp.add_plan(con, "neighborhood", "5", "Later", ["theft"])
    shapes = bp.assessment_areas(_grid(), "5", CRS)
    with pytest.raises(bp.PlanError, match=r"plan 'Later' has no response yet"):
        bp.assess_plan(con, empty, shapes, date(2019, 12, 31))
    with pytest.raises(bp.PlanError, match=r"too early to assess: 5 day\(s\) of data"):
        bp.assess_plan(con, plan, shapes, START + timedelta(days=4))


def test_plan_input_errors_say_what_is_expected(con, plan):
    with pytest.raises(bp.PlanError, match=r"categories were \['burglery'\] but are "):
        bp.add_plan(con, "neighborhood", "5", "x", ["burglery"])
    with pytest.raises(bp.PlanError, match="a plan needs a title"):
        bp.add_plan(con, "neighborhood", "5", " ", ["theft"])
    with pytest.raises(
        bp.PlanError, match=r"response end 2019-06-01 is before its start"
    ):
        bp.add_response(con, plan.plan_id, "x", START, date(2019, 6, 1))
    with pytest.raises(bp.PlanError, match=r"no beat plan with id 'nope'"):
        bp.add_response(con, "nope", "x", START)
    with pytest.raises(bp.PlanError, match="a response needs a description"):
        bp.add_response(con, plan.plan_id, "  ", START)
    with pytest.raises(
        bp.PlanError, match=r"area '42' is not one of the level's areas"
    ):
        bp.assessment_areas(_grid(), "42", CRS)


def test_plan_exports_escape_text_and_make_a_pdf(con, plan):
    result = bp.assess_plan(
        con,
        plan,
        bp.assessment_areas(_grid(), "5", CRS),
        date(2019, 12, 31),
        window_days=30,
    )
    page = plan_html(plan, result, "<script>alert(1)</script>")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)" in page
    assert "Hot cell on &lt;b&gt;Main&lt;/b&gt; &amp; 1st" in page
    assert "not for public display" in page and "data:image/png;base64," in page
    assert "http" not in page.replace("http-equiv", "")
    pdf = plan_pdf_bytes(plan, result, "Area 5")
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 2
