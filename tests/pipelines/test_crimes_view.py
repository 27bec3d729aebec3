"""Crime panels count crime reports only, never CAD calls (issue 13, item 2).

A copy of the sample store gets a month of simulated CAD calls; the area
profile's hour x weekday panel and the sector drill-down's child areas must
give the same answers as before the calls were loaded.
"""

from __future__ import annotations

from datetime import date

import pytest

from pipelines import queries, store
from pipelines.queries import Filters
from tests.conftest import sample_store_with_calls

DECEMBER = Filters("neighborhood", date(2019, 12, 1), date(2019, 12, 31))


@pytest.fixture(scope="module")
def stores(sample_store, tmp_path_factory):
    """(store without calls, store with a December of simulated calls)."""
    folder = tmp_path_factory.mktemp("with_calls")
    with_calls = sample_store_with_calls(
        sample_store, folder, "2019-12-01", "2019-12-31"
    )
    return sample_store, with_calls


def _busiest_area(path) -> str:
    con = store.connect_read_only(path)
    try:
        return con.execute(
            "SELECT area_neighborhood FROM incidents WHERE kind = 'call' "
            "GROUP BY ALL ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
    finally:
        con.close()


def test_hour_weekday_panel_counts_crimes_not_calls(stores):
    without, with_calls = stores
    area = _busiest_area(with_calls)
    panels = []
    for path in (without, with_calls):
        con = store.connect_read_only(path)
        try:
            panel = queries.hour_weekday_counts(con, DECEMBER, area)
        finally:
            con.close()
        panels.append(panel.sort_values(["weekday", "hour"]).reset_index(drop=True))
    assert panels[0]["n"].sum() > 0
    assert panels[1].equals(panels[0])


def test_child_areas_come_from_crimes_not_calls(stores):
    without, with_calls = stores
    answers = []
    for path in (without, with_calls):
        con = store.connect_read_only(path)
        try:
            answers.append(
                {
                    d: queries.child_areas(con, "neighborhood", "district", d)
                    for d in ("1", "2", "3", "4", "5", "6")
                }
            )
        finally:
            con.close()
    assert answers[1] == answers[0]
