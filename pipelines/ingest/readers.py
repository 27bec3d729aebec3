"""Reading department exports from disk into frames of text, one row per record.

All export file I/O lives here; later steps take frames.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from pipelines.errors import InputFileError
from pipelines.ingest.loaded import content_hash, export_bytes

log = logging.getLogger(__name__)

# Let one huge field be read (and quarantined) rather than fail the whole file.
csv.field_size_limit(64 * 2**20)
MAX_FIELD_CHARS = 2**20

LINE_COLUMN = "__line__"
PROBLEM_COLUMN = "__problem__"
_BOM = b"\xef\xbb\xbf"
# pandas' default text dtype (Arrow-backed from pandas 3 on): cells are kept in it.
TEXT_DTYPE = pd.Series(dtype="str").dtype
# A line (with its line break) of whole fields: unquoted ones without quotes,
# quoted ones with "" for a quote inside.
_FIELD = r'(?:"(?:[^"]|"")*"|[^",\r\n]*)'
_PLAIN_LINE = rf"^{_FIELD}(?:,{_FIELD})*\r?\n?$"


@dataclass(frozen=True)
class ExportTable:
    """The text of one export: cells as strings, with 1-based file line numbers."""

    file_name: str
    sha256: str
    encoding: str
    rows: pd.DataFrame


def read_export(path: str | Path) -> ExportTable:
    """Read a CSV export (optionally gzip-compressed) as text cells.

    Byte-order marks are removed; text that is not UTF-8 is read as
    Windows-1252 (what the exports this project has seen fall back to).

    Raises
    ------
    InputFileError
        If the file is missing, empty, or has no header row.

    Example
    -------
    >>> read_export("data/sample/slmpd/june2019.csv.gz").rows.shape[0]
    """
    path = Path(path)
    data = export_bytes(path)
    sha = content_hash(data)
    text, encoding = _decode(data, path)
    if not text.strip():
        raise InputFileError(
            f"{path}: the file is empty; expected a CSV export with a header row"
        )
    frame = _parse_csv(text, path)
    return ExportTable(file_name=path.name, sha256=sha, encoding=encoding, rows=frame)


# header, one text array per column, record start lines, per-record problem
_Parsed = tuple[list[str], list, list[int] | np.ndarray, list[str | None]]


def _parse_csv(text: str, path: Path) -> pd.DataFrame:
    """Cells as text with the file line each record starts on.

    Python's csv module is used (not pandas) because it reports physical line
    numbers across quoted line breaks and blank lines, and lets a ragged row be
    flagged instead of shifting or failing the whole file. Two export quirks are
    undone: a whole row wrapped in one pair of quotes, with its own quotes
    doubled (as some spreadsheet copies write it), is parsed again as a row, and a
    leading unnamed index column (pandas ``to_csv`` output) is dropped. Extra
    trailing fields that are empty (a trailing comma) are dropped; any other
    field-count mismatch is recorded in ``__problem__`` and the row becomes
    ``unparseable_row``.

    A file where every record is one well-formed line of the header's width (the
    usual case) is read by Arrow's CSV reader instead: the same frame, several
    times faster. Anything else takes the csv-module path.
    """
    return _to_frame(_parse_plain_csv(text) or _parse_any_csv(text, path), path)


def _to_frame(parsed: _Parsed, path: Path) -> pd.DataFrame:
    """The frame of a parsed file, after checking its header."""
    header, columns, lines, problems = parsed
    if (
        len(header) == 1
        and len(lines)
        and "," not in header[0]
        and any(d in header[0] for d in ";\t|")
    ):
        raise InputFileError(
            f"{path}: the header has one column ('{header[0][:60]}'); the file seems "
            "to use another delimiter than a comma. Save it as comma-separated CSV"
        )
    frame = pd.DataFrame(dict(enumerate(columns)), index=pd.RangeIndex(len(lines)))
    frame.columns = pd.Index(header)
    if header and header[0] == "":
        frame = frame.iloc[:, 1:]  # unnamed index column
    names = list(frame.columns)
    if len(set(names)) != len(names):
        duplicated = sorted({h for h in names if names.count(h) > 1})
        raise InputFileError(
            f"{path}: the header repeats column name(s) {duplicated}; each column "
            "needs its own name"
        )
    frame[LINE_COLUMN] = pd.array(lines, dtype="int64")
    frame[PROBLEM_COLUMN] = pd.array(problems, dtype=object)
    return frame


def _parse_any_csv(text: str, path: Path) -> _Parsed:
    """The csv-module reader: any quoting, ragged rows flagged (see ``_parse_csv``)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
        width = len(header)
        records: list[list[str]] = []
        lines: list[int] = []
        problems: list[str | None] = []
        last_line = reader.line_num
        for fields in reader:
            start, last_line = last_line + 1, reader.line_num
            if not fields or fields == [""]:
                continue  # a blank line is not a record
            fields, problem = _fit_fields(fields, width)
            records.append(fields)
            lines.append(start)
            problems.append(problem)
    except csv.Error as exc:
        raise InputFileError(
            f"{path}: line {reader.line_num}: not readable as CSV ({exc}); check the "
            "delimiter and quoting"
        ) from exc
    columns = [
        pd.array([r[i] for r in records], dtype=TEXT_DTYPE) for i in range(width)
    ]
    return header, columns, lines, problems


def _parse_plain_csv(text: str) -> _Parsed | None:
    """Arrow's CSV reader, or None unless it surely gives what ``_parse_any_csv`` does.

    That holds when every record is one line of exactly the header's width (no
    quoted line break, no ragged or whole-quoted row, no huge field), every quote
    opens or closes a field, and lines end in LF or CRLF: then both readers split
    lines and fields alike, and records start on the non-blank lines.
    """
    if "\x00" in text:
        return None
    data = text.encode("utf-8")
    buf = np.frombuffer(data, dtype=np.uint8)
    returns = np.flatnonzero(buf == ord("\r"))
    if len(returns) and not (buf[np.minimum(returns + 1, len(buf) - 1)] == 10).all():
        return None  # a lone CR ends a line for the csv module only
    breaks = np.flatnonzero(buf == ord("\n"))
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [len(buf)]))
    ends = ends - ((ends > starts) & (buf[np.maximum(ends - 1, 0)] == ord("\r")))
    if ends[0] == starts[0] or (ends - starts).max() > MAX_FIELD_CHARS:
        return None
    if not _quotes_are_plain(data, buf, starts):
        return None
    first = data[starts[0] : ends[0]].decode("utf-8")
    header = [h.strip() for h in next(csv.reader([first]))]
    width = len(header)
    if width < 2:
        return None  # a one-column file may have '""' lines the csv module skips
    lines = np.flatnonzero(ends > starts)[1:] + 1
    table = _read_arrow_csv(data, width)
    if table is None or table.num_rows != len(lines):
        return None
    columns = [pd.array(table.column(i), dtype=TEXT_DTYPE) for i in range(width)]
    return header, columns, lines, [None] * len(lines)


def _quotes_are_plain(data: bytes, buf: np.ndarray, starts: np.ndarray) -> bool:
    """Whether every line with a quote is a row of whole fields, quoted or not."""
    quoted = np.unique(
        np.searchsorted(starts, np.flatnonzero(buf == ord('"')), side="right") - 1
    )
    if not len(quoted):
        return True
    offsets = np.append(starts, len(buf)).astype(np.int64)
    lines = pa.LargeStringArray.from_buffers(
        len(starts), pa.py_buffer(offsets), pa.py_buffer(data)
    )
    plain = pc.match_substring_regex(lines.take(pa.array(quoted)), _PLAIN_LINE)
    return bool(pc.all(plain).as_py())


def _read_arrow_csv(data: bytes, width: int) -> pa.Table | None:
    """All cells as text after the header line; None if any row is ragged."""
    names = [f"c{i}" for i in range(width)]
    ragged = []

    def note_ragged(row: pa_csv.InvalidRow) -> str:
        ragged.append(row.number)
        return "skip"

    try:
        table = pa_csv.read_csv(
            io.BytesIO(data),
            read_options=pa_csv.ReadOptions(
                column_names=names, skip_rows=1, block_size=1 << 24
            ),
            parse_options=pa_csv.ParseOptions(invalid_row_handler=note_ragged),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowException:
        return None
    return None if ragged else table


def _fit_fields(fields: list[str], width: int) -> tuple[list[str], str | None]:
    """Unwrap a quoted whole row, drop empty trailing fields, pad or flag the rest."""
    if len(fields) == 1 and width > 1 and "," in fields[0]:
        inner = next(csv.reader([fields[0]]), fields)
        if len(inner) > 1:
            fields = inner
    while len(fields) > width and fields[-1] == "":
        fields = fields[:-1]
    longest = max((len(f) for f in fields), default=0)
    if len(fields) == width and longest > MAX_FIELD_CHARS:
        return fields, f"a field of {longest:,} characters (over {MAX_FIELD_CHARS:,})"
    if len(fields) == width:
        return fields, None
    problem = f"{len(fields)} fields where the header has {width}"
    if len(fields) < width:
        return fields + [""] * (width - len(fields)), problem
    return fields[: width - 1] + [",".join(fields[width - 1 :])], problem


def _decode(data: bytes, path: Path) -> tuple[str, str]:
    if data.startswith(b"PK\x03\x04"):
        raise InputFileError(
            f"{path}: this is a zip archive, not a CSV export; unzip it and load the "
            "CSV inside"
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputFileError(
            f"{path}: the file is UTF-16 encoded; expected UTF-8 (or Windows-1252) "
            "text. Save it again as 'CSV UTF-8'"
        )
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def normalize_header(name: str) -> str:
    """Header key ignoring case, spaces, hyphens and underscores."""
    return "".join(ch for ch in name.lower() if ch.isalnum())
