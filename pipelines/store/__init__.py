"""The embedded store: one DuckDB file, written atomically.

A build writes a new file next to the store and renames it over the old one
only when everything succeeded, so a crash leaves the last good store intact.
All database writes live here; read queries live in ``pipelines.queries``.
"""

from __future__ import annotations

import contextlib
import glob
import json
import logging
import os
import shutil
import time

try:  # POSIX; elsewhere writes and swaps are not serialised by a lock
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipelines.errors import StoreError
from pipelines.identity import UNIQUE_ID, RecordIdentity

if TYPE_CHECKING:  # pandas and pyarrow are imported where used, so that a quick
    # command (``ingest`` of a file already loaded) does not pay for them
    import pandas as pd
    import pyarrow as pa

log = logging.getLogger(__name__)

CRIMES = "crimes"
"""The view of ``incidents`` holding crime reports only (no CAD calls): every
crime count, panel, hotspot and public figure reads it."""
_CRIMES_DDL = (
    f"CREATE OR REPLACE VIEW {CRIMES} AS SELECT * FROM incidents WHERE kind = 'report'"
)

SCHEMA_VERSION = "2"  # 2: `filtered` table; incidents.classified
BUILD_MEMORY = "3GB"

# Tables whose layout is fixed (others are created from frames).
_FIXED_DDL = {
    "meta": "CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    "files": (
        "CREATE TABLE files (source VARCHAR, file VARCHAR, sha256 VARCHAR, "
        "rows BIGINT, encoding VARCHAR, ingested_at TIMESTAMP)"
    ),
    "sources": (
        "CREATE TABLE sources (source VARCHAR PRIMARY KEY, kind VARCHAR, "
        "unique_ids BOOLEAN, profile VARCHAR, identity VARCHAR)"
    ),
}


@contextlib.contextmanager
def user_tables_lock(store_path: Path) -> Iterator[None]:
    """Hold the store's write lock (``.<name>.lock`` beside it) for a moment.

    Organisers' writes (concerns, plans, responses) and the last step of a
    build (copying those tables into the new file and swapping it in) both take
    it, so a write lands either in the old store before the copy or in the new
    one after the swap, never in a file about to be replaced. Blocks until free.
    """
    store_path = Path(store_path)
    lock_path = store_path.with_name(f".{store_path.name}.lock")
    with open(lock_path, "a+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def building(
    store_path: Path,
    start_from_existing: bool = False,
    before_swap: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a connection to a fresh build file; swap it in on success.

    Parameters
    ----------
    store_path : Path
        Final location of the store.
    start_from_existing : bool
        Copy the current store first (incremental ingest) instead of starting
        empty.
    before_swap : callable, optional
        Run on the new file under :func:`user_tables_lock`, just before the
        swap (the build copies the organisers' tables there, so none written
        during the build is lost).

    Raises
    ------
    StoreError
        If the store's folder cannot be created or written.
    """
    store_path = Path(store_path)
    tmp = fresh_build_file(store_path, "the store folder")
    if start_from_existing and store_path.exists():
        shutil.copyfile(store_path, tmp)
    con = duckdb.connect(str(tmp))
    # A build holds DuckDB's working memory to BUILD_MEMORY (it spills to a
    # temporary folder beyond it), so pandas steps keep room on an 8 GB budget.
    con.execute(f"SET memory_limit = '{BUILD_MEMORY}'")
    con.execute("SET enable_progress_bar = false")
    try:
        if not start_from_existing or not store_path.exists():
            for ddl in _FIXED_DDL.values():
                con.execute(ddl)
        # Stores built before record identities existed lack the column.
        con.execute("ALTER TABLE sources ADD COLUMN IF NOT EXISTS identity VARCHAR")
        yield con
        con.execute("CHECKPOINT")
        with user_tables_lock(store_path):
            if before_swap is not None:
                before_swap(con)
                con.execute("CHECKPOINT")
            con.close()
            os.replace(tmp, store_path)
        log.info("store written to %s", store_path)
    except BaseException:
        con.close()
        _remove(tmp)
        raise


def fresh_build_file(path: Path, folder: str) -> Path:
    """Where a new version of ``path`` is written before it replaces ``path``.

    Creates ``path``'s folder (``folder`` names it in the error) and removes a
    leftover build file of this process. Used by every atomic write here.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create {folder} {path.parent}: {exc}") from exc
    tmp = path.with_name(f".{path.name}.building-{os.getpid()}")
    _remove(tmp)
    return tmp


@dataclass(frozen=True)
class Leftover:
    """A build file (and WAL) whose build process is gone (crash, ``kill -9``)."""

    path: Path
    pid: int
    has_wal: bool
    size_bytes: int

    def describe(self) -> str:
        """``.x.building-12 and its WAL (1.5 kB), left by build process 12, ...``."""
        wal = " and its WAL" if self.has_wal else ""
        return (
            f"{self.path.name}{wal} ({_size(self.size_bytes)}), left by build process "
            f"{self.pid}, which ended without finishing"
        )


def stale_builds(store_path: Path) -> list[Leftover]:
    """Build files next to the store whose process no longer runs.

    A file of a running process (another build in progress) is not listed.
    """
    store_path = Path(store_path)
    prefix = f".{store_path.name}.building-"
    found = []
    if not store_path.parent.is_dir():
        return found
    for path in sorted(store_path.parent.glob(f"{glob.escape(prefix)}*")):
        pid_text = path.name[len(prefix) :]
        if not pid_text.isdigit() or _process_alive(int(pid_text)):
            continue  # a WAL is handled with its file; a live build is not ours
        wal = Path(str(path) + ".wal")
        size = path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
        found.append(Leftover(path, int(pid_text), wal.exists(), size))
    return found


def remove_stale_builds(store_path: Path) -> list[Leftover]:
    """Delete the :func:`stale_builds` of a store; return what was removed."""
    leftovers = stale_builds(store_path)
    for leftover in leftovers:
        _remove(leftover.path)
        log.warning("removed %s", leftover.describe())
    return leftovers


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB"):
        if n < 1000:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


def _remove(path: Path) -> None:
    for candidate in (path, Path(str(path) + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            candidate.unlink()


def connect_read_only(store_path: Path) -> duckdb.DuckDBPyConnection:
    """Open an existing store for reading, checking it is a beatprofile store.

    Raises
    ------
    StoreError
        If the file does not exist or is not a store of this version.
    """
    store_path = Path(store_path)
    if not store_path.is_file():
        raise StoreError(
            f"no store at {store_path}; build one with `beatprofile build` "
            "(or `beatprofile demo` for the bundled sample)"
        )
    try:
        con = duckdb.connect(str(store_path), read_only=True)
        version = con.execute(
            "SELECT value FROM meta WHERE key = 'schema_version'"
        ).fetchone()
    except duckdb.Error as exc:
        raise StoreError(f"{store_path} is not a beatprofile store ({exc})") from exc
    if not version or version[0] != SCHEMA_VERSION:
        con.close()
        raise StoreError(
            f"{store_path} was built by another version of beatprofile (schema "
            f"{version[0] if version else 'unknown'}, expected {SCHEMA_VERSION}); "
            "rebuild it with `beatprofile build`"
        )
    return con


def replace_table(
    con: duckdb.DuckDBPyConnection,
    name: str,
    frame: pd.DataFrame,
    order_by: str | None = None,
) -> None:
    """Create (or recreate) table ``name`` from a frame, optionally sorted."""
    con.register("_frame", frame)
    order = f" ORDER BY {order_by}" if order_by else ""
    con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _frame{order}")
    con.unregister("_frame")


def append_rows(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    """Append a frame to table ``name`` by column name, creating it if needed.

    Rows go in as an Arrow table when the table exists: DuckDB then copies
    columns instead of reading Python objects one by one, and a column of
    None is a null column that takes the table's type.
    """
    if table_exists(con, name):
        con.register("_frame", _as_arrow(frame))
        con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM _frame")
    else:
        con.register("_frame", frame)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM _frame")
    con.unregister("_frame")


def _as_arrow(frame: pd.DataFrame) -> pa.Table | pd.DataFrame:
    """The frame as an Arrow table (the frame itself if a column mixes types).

    NaN and NaT become nulls, as when DuckDB reads the frame itself.
    """
    import pyarrow as pa

    try:
        columns = [
            pa.array(frame.iloc[:, i], from_pandas=True) for i in range(frame.shape[1])
        ]
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return frame
    return pa.Table.from_arrays(columns, names=[str(c) for c in frame.columns])


def write_meta(con: duckdb.DuckDBPyConnection, values: dict[str, object]) -> None:
    """Upsert key/value metadata (values stored as JSON text unless strings)."""
    for key, value in {"schema_version": SCHEMA_VERSION, **values}.items():
        text = value if isinstance(value, str) else json.dumps(value, default=str)
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, text])


def known_file_hashes(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """(source, sha256) of every export already in the store."""
    return {
        tuple(r) for r in con.execute("SELECT source, sha256 FROM files").fetchall()
    }


def record_source(
    con: duckdb.DuckDBPyConnection,
    name: str,
    kind: str,
    unique_ids: bool,
    profile: str,
    identity: RecordIdentity,
) -> None:
    """Remember how a source's records are identified (used by every rebuild)."""
    con.execute(
        "INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?)",
        [name, kind, unique_ids, profile, identity.to_json()],
    )


def source_identities(
    con: duckdb.DuckDBPyConnection,
) -> dict[str, tuple[RecordIdentity | None, str]]:
    """Each source's record identity (``None`` if an older build did not record
    it) and the path of its profile."""
    rows = con.execute("SELECT source, identity, unique_ids, profile FROM sources")
    out: dict[str, tuple[RecordIdentity | None, str]] = {}
    for name, text, unique, profile in rows.fetchall():
        identity = RecordIdentity.from_json(text)
        out[name] = (identity or (UNIQUE_ID if unique else None), profile)
    return out


def file_load_order(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Each loaded export's position in load order (later loads rank higher)."""
    rows = con.execute("SELECT file FROM files ORDER BY ingested_at, rowid").fetchall()
    return {name: i for i, (name,) in enumerate(rows)}


def drop_sources(con: duckdb.DuckDBPyConnection, sources: frozenset[str]) -> None:
    """Remove every staged row and loaded-file record of ``sources``."""
    exists = table_exists(con, "staged")
    for source in sorted(sources):
        if exists:
            con.execute("DELETE FROM staged WHERE source = ?", [source])
        con.execute("DELETE FROM files WHERE source = ?", [source])


def create_crimes_view(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the :data:`CRIMES` view once ``incidents`` exists."""
    con.execute(_CRIMES_DDL)


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the store has a table called ``name``."""
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
            [name],
        ).fetchone()[0]
    )


@contextlib.contextmanager
def open_store_for_write(
    store_path: Path, timeout: float = 10.0
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the store read-write for a moment; checkpoint and close on exit.

    Retries every 0.2 s while another process holds the file.

    Raises
    ------
    StoreError
        If the store does not exist, or is still held after ``timeout`` seconds.
    """
    store_path = Path(store_path)
    if not store_path.is_file():
        raise StoreError(
            f"no store at {store_path}; build one with `beatprofile build`"
        )
    with user_tables_lock(store_path):
        deadline = time.monotonic() + timeout
        while True:
            try:
                con = duckdb.connect(str(store_path))
                break
            except (duckdb.IOException, duckdb.ConnectionException) as exc:
                if time.monotonic() >= deadline:
                    raise StoreError(
                        f"cannot write to {store_path}: it is open in another "
                        f"program ({exc}). Close the dashboard or the other "
                        "command, then retry"
                    ) from exc
                time.sleep(0.2)
        try:
            yield con
            con.execute("CHECKPOINT")
        finally:
            con.close()


def connect_other_read_only(path: Path, purpose: str) -> duckdb.DuckDBPyConnection:
    """Open another store file (the one a build replaces) read-only for ``purpose``.

    Raises
    ------
    StoreError
        If it cannot be opened (another program is writing to it).
    """
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise StoreError(
            f"cannot read the {purpose} of {path} ({exc}); close the "
            "program writing to it and run the build again"
        ) from exc


# The store's two side files, each in its own module (re-exported here so that
# callers keep writing ``store.connect_audit``); they use the helpers above.
from pipelines.store.audit_file import AUDIT_TABLE, connect_audit  # noqa: E402, F401
from pipelines.store.public_file import (  # noqa: E402, F401
    PUBLIC_KIND,
    building_public,
    connect_public_read_only,
)
