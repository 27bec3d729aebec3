"""The commanders' weekly packet on the real sample store."""

from __future__ import annotations

import re

import duckdb
import pandas as pd

from pipelines.analysis.compstat import NO_TEST
from pipelines.analysis.packet import assemble_packet
from pipelines.render.packet_pdf import _draw_page, write_packet_pdf


def test_packet_has_one_page_per_district_with_its_areas(sample_store):
    with duckdb.connect(str(sample_store), read_only=True) as con:
        packet = assemble_packet(con, pd.Timestamp("2019-12-31"))
        districts = con.execute(
            "SELECT count(*) FROM areas WHERE level = 'district'"
        ).fetchone()[0]
    assert packet.week_end == pd.Timestamp("2019-12-29")
    assert len(packet.pages) == districts
    children = sum(len(page.table) - 1 for page in packet.pages)
    assert children == 88  # every neighborhood on exactly one district's page
    assert all(page.problems for page in packet.pages)
    assert all(page.workload == {} for page in packet.pages)  # no CAD in the sample


def test_every_pdf_page_has_its_number_and_the_as_of_date(sample_store, tmp_path):
    with duckdb.connect(str(sample_store), read_only=True) as con:
        packet = assemble_packet(con)
    path = write_packet_pdf(packet, tmp_path / "packet.pdf")
    pages = len(re.findall(rb"/Type\s*/Page\b", path.read_bytes()))
    assert pages == len(packet.pages)
    figure = _draw_page(packet, packet.pages[1], 2, len(packet.pages))
    texts = [t.get_text() for t in figure.texts]
    assert f"Page 2 of {len(packet.pages)}" in texts
    assert any(f"data loaded through {packet.as_of}" in t for t in texts)


def test_packet_for_a_week_before_the_data_refuses_its_comparisons(sample_store):
    with duckdb.connect(str(sample_store), read_only=True) as con:
        packet = assemble_packet(con, pd.Timestamp("2018-01-07"))
    assert any(
        n.startswith("No comparison: the 7 days before (25 Dec 2017")
        for n in packet.notes
    )
    flags = pd.concat([page.table for page in packet.pages])
    assert (flags["7d_flag_prior"] == NO_TEST).all()
    assert flags["7d_prior"].isna().all()
    figure = _draw_page(packet, packet.pages[0], 1, len(packet.pages))
    texts = " ".join(t.get_text() for t in figure.texts)
    assert "No comparison: the 7 days before" in texts


def _drawn_text(figure) -> str:
    """Every string drawn on a packet page (titles, table cells, map labels)."""
    from matplotlib.table import Table
    from matplotlib.text import Text

    texts = [t.get_text() for t in figure.findobj(Text)]
    for table in figure.findobj(Table):
        texts += [cell.get_text().get_text() for cell in table.get_celld().values()]
    return "\n".join(texts)


def test_packet_follows_the_chosen_category_week_and_level(sample_store):
    week = pd.Timestamp("2019-11-17")  # a Sunday in November
    with duckdb.connect(str(sample_store), read_only=True) as con:
        packet = assemble_packet(con, week, categories=("robbery",), level="district")
        robbery_week = con.execute(
            "SELECT sum(n) FROM daily_counts WHERE level = 'district' AND "
            "category = 'robbery' AND day BETWEEN DATE '2019-11-11' AND "
            "DATE '2019-11-17'"
        ).fetchone()[0]
        recent = dict(
            con.execute(
                "SELECT area_id, sum(n) FROM daily_counts WHERE level = "
                "'neighborhood' AND category = 'robbery' AND day BETWEEN "
                "DATE '2019-10-21' AND DATE '2019-11-17' GROUP BY area_id"
            ).fetchall()
        )
    assert packet.week_end == week and packet.categories == ("robbery",)
    assert sum(int(page.table.iloc[0]["7d"]) for page in packet.pages) == robbery_week
    problems = [p for page in packet.pages for p in page.problems]
    assert problems and all(p.startswith("Robbery in ") for p in problems)
    assert not any("hot cell" in p for p in problems)  # none found as of this week
    # the ranked problems count the 28 days ending on the packet's week, not the
    # last day of the data: "Robbery in 39 (Name): 7 in the last 28 days ..."
    for problem in problems:
        area_id = problem.split(" in ", 1)[1].split(" ", 1)[0]
        count = int(problem.split(": ", 1)[1].split(" ", 1)[0])
        assert count == recent.get(area_id, 0)
    text = _drawn_text(_draw_page(packet, packet.pages[0], 1, len(packet.pages)))
    assert "Robbery" in text and "all crimes" not in text.lower()
    assert "Week 11 Nov to 17 Nov 2019" in text
    assert "Figures as of 17 Nov 2019" in text
    kids = packet.pages[0].children
    first = kids.iloc[0]
    assert f"{first['area_id']} — {first['name']}" in text  # the table
    # the map: the id over the name (wrapped narrow so neighbours do not collide)
    assert f"{first['area_id']}\n{first['name'].split()[0]}" in text


def test_packet_refuses_an_unknown_category_or_level(sample_store):
    import pytest

    from pipelines.errors import ConfigError

    with duckdb.connect(str(sample_store), read_only=True) as con:
        with pytest.raises(ConfigError, match="category was 'robery'; expected one"):
            assemble_packet(con, categories=("robery",))
        with pytest.raises(ConfigError, match="level was 'beat'; expected one of"):
            assemble_packet(con, level="beat")


def test_a_long_sector_shows_its_own_row_and_twelve_areas_as_its_note_says(
    sample_store,
):
    from pipelines.render.packet_pdf import MAX_ROWS

    with duckdb.connect(str(sample_store), read_only=True) as con:
        packet = assemble_packet(con)
    page = max(packet.pages, key=lambda p: len(p.table))
    assert len(page.table) > MAX_ROWS  # a district with more than 12 neighborhoods
    figure = _draw_page(packet, page, 1, len(packet.pages))
    (table,) = [t for ax in figure.axes for t in ax.tables]
    body_rows = {row for row, _ in table.get_celld() if row > 0}
    assert len(body_rows) == MAX_ROWS
    note = f"first {MAX_ROWS - 1} of {len(page.table) - 1} areas"
    assert note in _drawn_text(figure)
