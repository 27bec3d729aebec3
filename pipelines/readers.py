"""Reading department exports from disk into frames of text, one row per record.

All export file I/O lives here; later steps take frames.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipelines.errors import InputFileError

log = logging.getLogger(__name__)

LINE_COLUMN = "__line__"
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
    text, encoding = _decode(data)
    if not text.strip():
        raise InputFileError(
            f"{path}: the file is empty; expected a CSV export with a header row"
        )
    frame = pd.read_csv(
        io.StringIO(text),
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        skipinitialspace=False,
    )
    frame.columns = [str(c).strip() for c in frame.columns]
    frame[LINE_COLUMN] = pd.RangeIndex(2, len(frame) + 2)
    return ExportTable(file_name=path.name, sha256=sha, encoding=encoding, rows=frame)


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def normalize_header(name: str) -> str:
    """Header key ignoring case, spaces, hyphens and underscores."""
    return "".join(ch for ch in name.lower() if ch.isalnum())
