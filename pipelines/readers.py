"""Reading department exports from disk into frames of text, one row per record.

All export file I/O lives here; later steps take frames.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipelines.errors import InputFileError

log = logging.getLogger(__name__)

# Let one huge field be read (and quarantined) rather than fail the whole file.
csv.field_size_limit(64 * 2**20)
MAX_FIELD_CHARS = 2**20

LINE_COLUMN = "__line__"
PROBLEM_COLUMN = "__problem__"
_BOM = b"\xef\xbb\xbf"


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
    if not path.is_file():
        raise InputFileError(f"{path}: file not found; check the path")
    data = path.read_bytes()
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise InputFileError(f"{path}: not a readable gzip file ({exc})") from exc
    sha = hashlib.sha256(data).hexdigest()
    text, encoding = _decode(data, path)
    if not text.strip():
        raise InputFileError(
            f"{path}: the file is empty; expected a CSV export with a header row"
        )
    frame = _parse_csv(text, path)
    return ExportTable(file_name=path.name, sha256=sha, encoding=encoding, rows=frame)


def _parse_csv(text: str, path: Path) -> pd.DataFrame:
    """Cells as text with the file line each record starts on.

    Python's csv module is used (not pandas) because it reports physical line
    numbers across quoted line breaks and blank lines, and lets a ragged row be
    flagged instead of shifting or failing the whole file. Two export quirks are
    undone: a whole row wrapped in one pair of quotes, with its own quotes
    doubled (as some spreadsheet copies write it), is parsed again as a row, and a leading unnamed index
    column (pandas ``to_csv`` output) is dropped. Extra trailing fields that are
    empty (a trailing comma) are dropped; any other field-count mismatch is
    recorded in ``__problem__`` and the row becomes ``unparseable_row``.
    """
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
    if (
        width == 1
        and records
        and "," not in header[0]
        and any(d in header[0] for d in ";\t|")
    ):
        raise InputFileError(
            f"{path}: the header has one column ('{header[0][:60]}'); the file seems "
            "to use another delimiter than a comma. Save it as comma-separated CSV"
        )
    frame = pd.DataFrame(records, columns=header, dtype=object)
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
