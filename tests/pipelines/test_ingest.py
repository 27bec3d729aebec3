"""Reading SLMPD exports and normalizing them to staged rows.

Covers ``pipelines/ingest/normalize/readers.py`` (``read_export``) and ``pipelines/ingest/normalize.py``
(``normalize_export``) on tiny hand-made files in the department's layout.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from pipelines import schema as s
from pipelines.errors import InputFileError
from pipelines.ingest.normalize import ISSUE, ISSUE_MESSAGE, normalize_export
from pipelines.ingest.readers import (
    LINE_COLUMN,
    PROBLEM_COLUMN,
    normalize_header,
    read_export,
)
from pipelines.ingest.source_profile import load_source_profile

REPO = Path(__file__).resolve().parents[2]
ANALYSIS = "EPSG:26996"
US_FOOT = 1200 / 3937  # metres per US survey foot

HEADER = (
    "Complaint,CodedMonth,DateOccur,FlagCrime,FlagUnfounded,FlagAdministrative,"
    "Count,FlagCleanup,Crime,District,Description,ILEADSAddress,ILEADSStreet,"
    "Neighborhood,LocationName,LocationComment,CADAddress,CADStreet,XCoord,YCoord"
)
MAY_2017_HEADER = (
    "Complaint,Coded Month,Date Occur,Flag Crime,Flag Unfounded,Flag Administrative,"
    "Count,Flag Cleanup,Crime,District,Description,ILEADS Address,ILEADS Street,"
    "Neighborhood,Location Name,Location Comment,CAD Address,CAD Street,X-Coord,"
    "Y-Coord,Beat"
)

# A real SLMPD point (June 2019 export): State Plane Missouri East, US feet.
X_FT, Y_FT = 905619.6, 1025285.0
NORMAL = (
    f"19-000001,2019-06,06/15/2019 14:30,Y, , ,1, , 31111,4,"
    f"ROBBERY-HIGHWAY  /FIREARM USED/SUCCESSFUL,1811,WARREN ST,60, , ,1811,WARREN,"
    f"{X_FT},{Y_FT:.0f}"
)
# Each entry: (file line, row text); the header is line 1.
ROWS = [
    (2, NORMAL),
    (
        3,
        "19-000002,2019-06,06/02/2019 12:00,Y, , ,1, , 21000,0,RAPE -- FORCIBLE,"
        "6000,ENRIGHT AVE,0, , ,6000,ENRIGHT,0,0",
    ),
    (
        4,
        "19-000003,2019-06,01/01/1900 00:00,Y, , ,1, , 51322,4,"
        "BURGLARY-RESDNCE/UNK TIM/UNLW EN/UNOCCUPIED,1811,WARREN ST,60, , ,1811,"
        "WARREN,905619.6,1025285",
    ),
    (
        5,
        "19-000004,2019-06,07/02/2019 10:00,Y, , ,1, , 64701,4,"
        "LARCENY-FROM MTR VEH UNDER $500,1811,WARREN ST,60, , ,1811,WARREN,"
        "905619.6,1025285",
    ),
    (
        6,
        "19-000005,2019-06,06/03/2019 09:00,Y, , ,1, ,999999,4,NO SUCH OFFENSE,"
        "1811,WARREN ST,60, , ,1811,WARREN,905619.6,1025285",
    ),
    (
        7,
        "19-000006,2019-06,06/04/2019 09:00,Y, , ,x, , 31111,4,ROBBERY,1811,"
        "WARREN ST,60, , ,1811,WARREN,905619.6,1025285",
    ),
    # A reversal of an unmapped code is not itself flagged unmapped.
    (
        8,
        "19-000007,2019-06,06/05/2019 09:00,Y, , ,-1, ,999999,4,NO SUCH OFFENSE,"
        "1811,WARREN ST,60, , ,1811,WARREN,905619.6,1025285",
    ),
    (
        9,
        "19-000008,2019-06,13/45/2019 25:00,Y, , ,1, , 31111,4,ROBBERY,1811,"
        "WARREN ST,60, , ,1811,WARREN,905619.6,1025285",
    ),
    (
        10,
        ",2019-06,06/06/2019 09:00,Y, , ,1, , 31111,4,ROBBERY,1811,WARREN ST,60,"
        " , ,1811,WARREN,905619.6,1025285",
    ),
    # Windows-1252 byte 0xC8 (as in the December 2019 export): "LUMIÈRE".
    (
        11,
        "19-000010,2019-06,06/30/2019 23:59,Y, , ,1, ,130000,4,"
        '"STOLEN PROPERTY-BUYING,RECEIVING,POSSESSING,ET",999,N 2ND ST,35,'
        "HOTEL LUMI\xc8RE, ,1200,2ND,910439.8,1019433",
    ),
    # Two problems: the bad count is found first.
    (
        12,
        "19-000011,2019-06,01/01/1900 00:00,Y, , ,2, , 31111,4,ROBBERY,1811,"
        "WARREN ST,60, , ,1811,WARREN,905619.6,1025285",
    ),
]


@pytest.fixture(scope="module")
def profile():
    return load_source_profile(REPO / "profiles" / "stlouis_slmpd.toml")


def write_export(
    path: Path,
    header: str,
    rows: list[str],
    *,
    bom: bool = False,
    encoding: str = "cp1252",
) -> Path:
    text = "\r\n".join([header, *rows]) + "\r\n"
    data = text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


@pytest.fixture(scope="module")
def export_path(tmp_path_factory):
    return write_export(
        tmp_path_factory.mktemp("ingest") / "june2019.csv", HEADER, [r for _, r in ROWS]
    )


@pytest.fixture(scope="module")
def staged(export_path, profile):
    table = read_export(export_path)
    return normalize_export(table, profile, ANALYSIS).set_index(s.LINE, drop=False)


# --- reading ---


def test_reader_keeps_text_cells_and_numbers_lines_from_two(export_path):
    table = read_export(export_path)
    assert table.file_name == "june2019.csv"
    assert table.encoding == "cp1252"
    assert table.sha256 == hashlib.sha256(export_path.read_bytes()).hexdigest()
    assert list(table.rows.columns) == [*HEADER.split(","), LINE_COLUMN, PROBLEM_COLUMN]
    assert table.rows[LINE_COLUMN].tolist() == [line for line, _ in ROWS]
    assert table.rows[PROBLEM_COLUMN].isna().all()
    assert table.rows["Crime"].iloc[0] == " 31111"  # cells are not stripped
    assert table.rows["LocationName"].iloc[9] == "HOTEL LUMIÈRE"


def test_reader_strips_utf8_bom_from_first_header(tmp_path):
    path = write_export(
        tmp_path / "may2018.csv", HEADER, [NORMAL], bom=True, encoding="utf-8"
    )
    table = read_export(path)
    assert table.encoding == "utf-8"
    assert table.rows.columns[0] == "Complaint"
    assert table.rows["Complaint"].tolist() == ["19-000001"]


def test_reader_reads_gzip_and_hashes_the_uncompressed_bytes(tmp_path):
    plain = write_export(tmp_path / "x.csv", HEADER, [NORMAL], encoding="utf-8")
    packed = tmp_path / "x.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    table = read_export(packed)
    assert table.file_name == "x.csv.gz"
    assert table.sha256 == hashlib.sha256(plain.read_bytes()).hexdigest()
    pd.testing.assert_frame_equal(table.rows, read_export(plain).rows)


def test_missing_export_is_an_error(tmp_path):
    with pytest.raises(
        InputFileError, match=r"gone\.csv: file not found; check the path"
    ):
        read_export(tmp_path / "gone.csv")


def test_corrupt_gzip_is_an_error(tmp_path):
    path = tmp_path / "bad.csv.gz"
    path.write_bytes(b"not gzip at all")
    with pytest.raises(InputFileError, match=r"bad\.csv\.gz: not a readable gzip file"):
        read_export(path)


@pytest.mark.parametrize("content", [b"", b"\r\n  \r\n", b"\xef\xbb\xbf"])
def test_empty_export_is_an_error(tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(
        InputFileError,
        match=r"empty\.csv: the file is empty; expected a CSV export with a header row",
    ):
        read_export(path)


def test_normalize_header_ignores_case_spaces_hyphens_underscores():
    assert normalize_header("X-Coord") == normalize_header("XCoord") == "xcoord"
    assert normalize_header("Date Occur") == normalize_header("date_occur")
    assert normalize_header("ILEADS Address") == "ileadsaddress"


# --- normalizing ---


def test_every_input_row_becomes_one_staged_row(staged):
    assert len(staged) == len(ROWS)
    assert staged[s.LINE].tolist() == [line for line, _ in ROWS]
    assert set(staged[s.FILE]) == {"june2019.csv"}
    assert set(staged[s.SOURCE]) == {"slmpd"}
    assert set(staged[s.KIND]) == {"report"}


def test_normal_row_is_parsed_into_canonical_fields(staged):
    row = staged.loc[2]
    assert pd.isna(row[ISSUE]) and pd.isna(row[ISSUE_MESSAGE])
    assert row[s.INCIDENT_ID] == "19-000001"
    assert row[s.OFFENSE_CODE] == "31111"
    assert row[s.OFFENSE_DESC] == "ROBBERY-HIGHWAY /FIREARM USED/SUCCESSFUL"
    assert row[s.BLOCK_ADDRESS] == "1811 WARREN ST"
    assert row[s.OCCURRED_AT] == pd.Timestamp(2019, 6, 15, 14, 30)
    assert row[s.REPORTED_AT] == pd.Timestamp(2019, 6, 1)
    assert row[s.COUNT] == 1
    assert row[s.CATEGORY] == "robbery"
    assert not row[s.SENSITIVE]
    assert row[s.label_column("neighborhood")] == "60"
    assert row[s.label_column("district")] == "4"
    assert row[s.RAW] == NORMAL
    assert all(row[c] is None for c in s.CALL_COLUMNS)


def test_state_plane_feet_convert_to_analysis_metres_and_lon_lat(staged):
    row = staged.loc[2]
    # Same NAD83 Missouri East projection in both CRSs, so only the unit changes.
    np.testing.assert_allclose(
        [row[s.X], row[s.Y]], [X_FT * US_FOOT, Y_FT * US_FOOT], atol=0.01
    )
    to_lonlat = Transformer.from_crs("ESRI:102696", "EPSG:4326", always_xy=True)
    lon, lat = to_lonlat.transform(X_FT, Y_FT)
    np.testing.assert_allclose([row[s.LON], row[s.LAT]], [lon, lat], atol=1e-9)
    assert -90.33 < row[s.LON] < -90.16 and 38.53 < row[s.LAT] < 38.78  # St. Louis
    assert row[s.LOCATED]


def test_zero_zero_coordinates_are_unlocated_not_an_issue(staged):
    row = staged.loc[3]
    assert not row[s.LOCATED]
    assert np.isnan([row[s.X], row[s.Y], row[s.LON], row[s.LAT]]).all()
    assert pd.isna(row[ISSUE])  # no_location is decided after area assignment
    assert pd.isna(row[s.label_column("neighborhood")])  # "0" means no label
    assert pd.isna(row[s.label_column("district")])
    assert row[s.CATEGORY] == "sex offense" and row[s.SENSITIVE]


@pytest.mark.parametrize(
    ("line", "issue", "message"),
    [
        (
            4,
            "bad_date",
            "date '01/01/1900 00:00' is before 1950-01-01, a placeholder for an "
            "unknown date",
        ),
        (5, "future_date", "date '07/02/2019 10:00' is after the record was reported"),
        (
            6,
            "unmapped_code",
            "offense code '999999' ('NO SUCH OFFENSE') matches no rule in the "
            "profile's [categories]; add it there",
        ),
        (7, "unparseable_row", "count was 'x'; expected 1 or -1"),
        (
            9,
            "bad_date",
            "date '13/45/2019 25:00' could not be read; expected %m/%d/%Y %H:%M",
        ),
        (10, "unparseable_row", "no incident id; expected a value in the id column"),
        (12, "unparseable_row", "count was '2'; expected 1 or -1"),
    ],
)
def test_problem_rows_carry_issue_and_message(staged, line, issue, message):
    assert staged.loc[line, ISSUE] == issue
    assert staged.loc[line, ISSUE_MESSAGE] == message


def test_rows_without_problems_have_no_issue(staged):
    assert staged[staged[ISSUE].isna()][s.LINE].tolist() == [2, 3, 8, 11]


def test_reversal_row_keeps_count_minus_one_and_no_issue(staged):
    row = staged.loc[8]
    assert row[s.COUNT] == -1
    assert row[s.CATEGORY] is None
    assert pd.isna(row[ISSUE])


def test_unreadable_count_is_missing(staged):
    assert pd.isna(staged.loc[7, s.COUNT])
    assert staged.loc[12, s.COUNT] == 2


def test_last_minute_of_coded_month_is_not_future(staged):
    assert staged.loc[11, s.OCCURRED_AT] == pd.Timestamp(2019, 6, 30, 23, 59)
    assert pd.isna(staged.loc[11, ISSUE])


def test_windows_1252_description_and_quoted_commas_are_read(staged):
    row = staged.loc[11]
    assert row[s.OFFENSE_DESC] == "STOLEN PROPERTY-BUYING,RECEIVING,POSSESSING,ET"
    assert row[s.CATEGORY] == "other"
    assert "HOTEL LUMIÈRE" in row[s.RAW]


def test_may_2017_header_layout_gives_the_same_rows(tmp_path, profile):
    standard = normalize_export(
        read_export(write_export(tmp_path / "a.csv", HEADER, [NORMAL])),
        profile,
        ANALYSIS,
    )
    may = normalize_export(
        read_export(
            write_export(tmp_path / "b.csv", MAY_2017_HEADER, [NORMAL + ",0611"])
        ),
        profile,
        ANALYSIS,
    )
    ignore = [s.FILE, s.RAW]
    pd.testing.assert_frame_equal(
        standard.drop(columns=ignore), may.drop(columns=ignore)
    )
    assert may.loc[0, s.INCIDENT_ID] == "19-000001"
    assert may.loc[0, s.LOCATED]


def test_bom_file_normalizes_like_the_plain_file(tmp_path, profile):
    plain = write_export(tmp_path / "p.csv", HEADER, [NORMAL], encoding="utf-8")
    bom = write_export(tmp_path / "q.csv", HEADER, [NORMAL], bom=True, encoding="utf-8")
    a = normalize_export(read_export(plain), profile, ANALYSIS).drop(columns=s.FILE)
    b = normalize_export(read_export(bom), profile, ANALYSIS).drop(columns=s.FILE)
    pd.testing.assert_frame_equal(a, b)


def test_header_only_file_gives_no_rows(tmp_path, profile):
    path = write_export(tmp_path / "none.csv", HEADER, [])
    out = normalize_export(read_export(path), profile, ANALYSIS)
    assert len(out) == 0
    assert {ISSUE, ISSUE_MESSAGE, s.X, s.LON, s.RAW} <= set(out.columns)


# --- errors ---


def drop_column(header: str, rows: list[str], name: str) -> tuple[str, list[str]]:
    names = header.split(",")
    k = names.index(name)
    keep = [i for i in range(len(names)) if i != k]
    cut = [",".join(r.split(",")[i] for i in keep) for r in rows]
    return ",".join(names[i] for i in keep), cut


def test_missing_required_column_names_it_and_lists_the_headers(tmp_path, profile):
    header, rows = drop_column(HEADER, [NORMAL], "Crime")
    path = write_export(tmp_path / "nocrime.csv", header, rows)
    with pytest.raises(InputFileError) as info:
        normalize_export(read_export(path), profile, ANALYSIS)
    message = str(info.value)
    assert message.startswith("nocrime.csv: column 'Crime' not found")
    assert str(header.split(",")) in message  # the file's headers, as a list
    assert "Fix the source profile's [columns] or [labels]" in message


def test_missing_label_column_is_an_error(tmp_path, profile):
    header, rows = drop_column(HEADER, [NORMAL], "Neighborhood")
    path = write_export(tmp_path / "nonhd.csv", header, rows)
    with pytest.raises(
        InputFileError,
        match=r"nonhd\.csv: column 'Neighborhood' not found \(headers are matched "
        r"ignoring case, spaces, hyphens and underscores\); the file has \['Complaint'",
    ):
        normalize_export(read_export(path), profile, ANALYSIS)


# --- reader edge cases ---


def test_line_numbers_count_file_lines_across_quoted_line_breaks(tmp_path):
    rows = [
        NORMAL.replace(
            "ROBBERY-HIGHWAY  /FIREARM USED/SUCCESSFUL", '"ROBBERY\nHIGHWAY"'
        ),
        NORMAL,
    ]
    table = read_export(write_export(tmp_path / "nl.csv", HEADER, rows))
    assert table.rows[LINE_COLUMN].tolist() == [2, 4]


def test_line_numbers_count_file_lines_across_blank_lines(tmp_path):
    table = read_export(
        write_export(tmp_path / "blank.csv", HEADER, [NORMAL, "", NORMAL])
    )
    assert table.rows[LINE_COLUMN].tolist() == [2, 4]


def test_rows_with_an_extra_trailing_field_are_not_shifted(tmp_path):
    path = write_export(tmp_path / "trailing.csv", HEADER, [NORMAL + ",", NORMAL + ","])
    try:
        table = read_export(path)
    except InputFileError:
        return  # refusing the file is acceptable; shifting columns is not
    assert table.rows["Complaint"].tolist() == ["19-000001", "19-000001"]


def test_row_with_too_many_fields_is_quarantined_not_fatal(tmp_path, profile):
    path = write_export(tmp_path / "ragged.csv", HEADER, [NORMAL, NORMAL + ",extra"])
    staged = normalize_export(read_export(path), profile, ANALYSIS)
    assert len(staged) == 2
    assert pd.isna(staged["issue"].iloc[0])
    assert staged["issue"].iloc[1] == "unparseable_row"
    assert staged["issue_message"].iloc[1] == (
        "row has 21 fields where the header has 20; expected one value per column"
    )
    assert staged["raw"].iloc[1].endswith(",extra")
    assert staged["line"].tolist() == [2, 3]
