"""The public store: a separate DuckDB file of aggregates only (``publish``)."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb

from pipelines.errors import StoreError
from pipelines.store import _remove, fresh_build_file

log = logging.getLogger(__name__)

PUBLIC_KIND = "public"
"""``meta.kind`` of a public store (:mod:`pipelines.community.publish`)."""


@contextlib.contextmanager
def building_public(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a connection to a fresh public-store file; swap it in on success.

    As :func:`building`: written beside ``path`` and renamed over it only when
    the block ends without an error, so a failed publish (a privacy audit that
    fails) leaves the previous public store as it was.

    Raises
    ------
    StoreError
        If the folder cannot be created.
    """
    path = Path(path)
    tmp = fresh_build_file(path, "the folder")
    con = duckdb.connect(str(tmp))
    try:
        yield con
        con.execute("CHECKPOINT")
        con.close()
        os.replace(tmp, path)
        log.info("public store written to %s", path)
    except BaseException:
        con.close()
        _remove(tmp)
        raise


def connect_public_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """Open a public store (never the full store) for reading.

    Raises
    ------
    StoreError
        If the file is missing, or is not a public store (a full store is
        refused: the public server must never read incidents).
    """
    path = Path(path)
    if not path.is_file():
        raise StoreError(
            f"no public store at {path}; write one with `beatprofile publish`"
        )
    try:
        con = duckdb.connect(str(path), read_only=True)
        kind = con.execute("SELECT value FROM meta WHERE key = 'kind'").fetchone()
    except duckdb.Error as exc:
        raise StoreError(f"{path} is not a beatprofile public store ({exc})") from exc
    if not kind or kind[0] != PUBLIC_KIND:
        con.close()
        raise StoreError(
            f"{path} is not a public store (meta.kind is "
            f"{kind[0] if kind else 'missing'!r}, expected {PUBLIC_KIND!r}); "
            "the public view reads only a file written by `beatprofile publish`"
        )
    return con
