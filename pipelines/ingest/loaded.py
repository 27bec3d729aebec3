"""Exports already in the store, recognised by content before anything is parsed.

An export's identity is the SHA-256 of its content (after gzip decompression,
so ``x.csv`` and ``x.csv.gz`` are the same export); the store's ``files`` table
keeps it with the file's name and load time. Looking it up costs a read of the
file and one query, so ``beatprofile ingest`` of a file loaded before returns
in well under a second: no staging, no derive, no new store file.

This module imports only the standard library and DuckDB on purpose (the CLI
calls it before it imports the analysis stack).
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.errors import InputFileError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedFile:
    """An export found in the store: under which name, and when it was loaded."""

    path: Path  # the file asked about
    loaded_as: str  # the name it had when it was loaded
    loaded_at: datetime
    rows: int  # rows read from it

    def describe(self) -> str:
        """``x.csv: already loaded on 2026-12-03 18:31 as x.csv; nothing to do``."""
        when = f"{self.loaded_at:%Y-%m-%d %H:%M}"
        if self.loaded_as == self.path.name:
            return f"{self.path.name}: already loaded on {when}; nothing to do"
        return (
            f"{self.path.name}: same content as {self.loaded_as}, already loaded "
            f"on {when} as {self.loaded_as}; nothing to do"
        )


def export_bytes(path: Path) -> bytes:
    """The content of an export, decompressed if it ends in ``.gz``.

    Raises
    ------
    InputFileError
        If the file is missing or is not readable gzip.
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
    return data


def content_hash(data: bytes) -> str:
    """SHA-256 (hex) of an export's content: what the store's ``files.sha256`` holds."""
    return hashlib.sha256(data).hexdigest()


def find_loaded(
    store_path: Path, profile_path: Path, files: list[Path]
) -> dict[Path, LoadedFile]:
    """Which of ``files`` the store already holds for the profile's source.

    Anything that cannot be decided quickly (no store yet, a store open for
    writing, an unreadable profile or file) counts as not loaded: the full
    ingest then reads it and reports any problem properly.

    Parameters
    ----------
    store_path : Path
        The store.
    profile_path : Path
        The source profile the files would be read with (its ``[source] name``
        is the source the store files them under).
    files : list of Path
        Exports to look up.

    Returns
    -------
    dict of Path to LoadedFile
        Only the files already loaded.

    Example
    -------
    >>> find_loaded(Path("store.duckdb"), Path("slmpd.toml"), [Path("june.csv")])
    """
    source = _source_name(profile_path)
    hashes = {path: _hash_or_none(path) for path in files}
    if source is None or not Path(store_path).is_file():
        return {}
    try:
        con = duckdb.connect(str(store_path), read_only=True)
    except duckdb.Error as exc:  # being written right now: decide the slow way
        log.info("cannot look up loaded files in %s (%s)", store_path, exc)
        return {}
    try:
        first = _first_loads(con, source)
    finally:
        con.close()
    return {
        path: LoadedFile(Path(path), *first[sha])
        for path, sha in hashes.items()
        if sha in first
    }


def _first_loads(
    con: duckdb.DuckDBPyConnection, source: str
) -> dict[str, tuple[str, datetime, int]]:
    """sha256 -> (file name, load time, rows) of each first load of a content.

    The whole (small: one row per export) table is read without query
    parameters: binding a parameter makes DuckDB import pandas, which alone
    costs more than the rest of the look-up.
    """
    try:
        rows = con.execute(
            "SELECT source, sha256, file, ingested_at, rows FROM files "
            "ORDER BY ingested_at DESC"
        ).fetchall()
    except duckdb.Error:  # not a beatprofile store: the full ingest says so
        return {}
    return {sha: (name, at, int(n)) for src, sha, name, at, n in rows if src == source}


def _hash_or_none(path: Path) -> str | None:
    """The file's content hash, or None if it cannot be read."""
    try:
        return content_hash(export_bytes(path))
    except (InputFileError, OSError):
        return None


def _source_name(profile_path: Path) -> str | None:
    """``[source] name`` of a profile, or None if it cannot be read."""
    try:
        with open(profile_path, "rb") as handle:
            name = tomllib.load(handle).get("source", {}).get("name")
    except (OSError, tomllib.TOMLDecodeError, AttributeError):
        return None
    return name if isinstance(name, str) else None
