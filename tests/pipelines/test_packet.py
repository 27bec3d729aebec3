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
    assert f"Data as of {packet.as_of}" in texts


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
