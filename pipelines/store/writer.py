"""One writer at a time: the store's update lock (``.<store>.update.lock``).

Every update of a store (``build``, ``ingest``, ``watch``, ``simulate-cad``)
holds an exclusive ``flock`` on a lock file beside the store for as long as it
runs. The operating system releases the lock when the process ends, however it
ends (``kill -9`` included), so a dead update never leaves a stale lock. The
holder writes its process id, start time and command into the file, so that a
second update can say who it is waiting for.

This is not the organisers' lock (``.<store>.lock``, see
:func:`pipelines.store.user_tables_lock`), which is held only for a moment, so
that concerns and plans can be written while an update runs.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO

try:  # POSIX; elsewhere updates are not serialised
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

from pipelines.errors import StoreError

DEFAULT_WAIT_SECONDS = 10.0
_POLL_SECONDS = 0.2
_held: dict[Path, int] = {}  # lock files this process holds -> nesting depth


def update_lock_path(store_path: Path) -> Path:
    """The update lock file of a store: ``.<name>.update.lock`` beside it."""
    store_path = Path(store_path)
    return store_path.with_name(f".{store_path.name}.update.lock")


@contextlib.contextmanager
def updating(
    store_path: Path, wait_seconds: float = DEFAULT_WAIT_SECONDS
) -> Iterator[None]:
    """Hold the store's update lock while the block runs.

    Re-entrant within one process (``ingest`` holds it around the build, which
    takes it again).

    Parameters
    ----------
    store_path : Path
        The store being updated.
    wait_seconds : float
        How long to wait for another update to finish before giving up.

    Raises
    ------
    StoreError
        If another process still holds the lock after ``wait_seconds``; the
        message names its process id, start time and command.

    Example
    -------
    >>> with updating(Path("beatprofile.duckdb"), wait_seconds=30):
    ...     pass  # build, then swap the new store in
    """
    lock_path = update_lock_path(store_path).resolve()
    if _held.get(lock_path):
        _held[lock_path] += 1
        try:
            yield
        finally:
            _held[lock_path] -= 1
        return
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(lock_path, "a+")
    except OSError as exc:
        raise StoreError(
            f"cannot create the update lock {lock_path}: {exc}; check that the "
            "store's folder exists and is writable"
        ) from exc
    with handle:
        _acquire(handle, Path(store_path), wait_seconds)
        _write_holder(handle)
        _held[lock_path] = 1
        try:
            yield
        finally:
            del _held[lock_path]
            handle.truncate(0)
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _acquire(handle: IO[str], store_path: Path, wait_seconds: float) -> None:
    """Take the lock, polling until ``wait_seconds`` have passed."""
    if fcntl is None:  # pragma: no cover
        return
    deadline = time.monotonic() + max(wait_seconds, 0.0)
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                message = _busy_message(handle, store_path, wait_seconds)
                raise StoreError(message) from None
            time.sleep(_POLL_SECONDS)


def _write_holder(handle: IO[str]) -> None:
    """Record this process in the lock file (read by a waiting update)."""
    program = Path(sys.argv[0])  # ``python -m beatprofile`` runs __main__.py
    name = program.parent.name if program.name == "__main__.py" else program.name
    command = " ".join([name, *sys.argv[1:]])[:200]
    stamp = datetime.now().astimezone().isoformat(timespec="seconds")
    handle.truncate(0)
    handle.write(f"{os.getpid()}\n{stamp}\n{command}\n")
    handle.flush()


def _busy_message(handle: IO[str], store_path: Path, wait_seconds: float) -> str:
    """``the store ... is being updated by process <pid> since <time> (...)``."""
    handle.seek(0)
    lines = handle.read().splitlines()
    pid = lines[0] if lines else "unknown"
    since = lines[1] if len(lines) > 1 else "an unknown time"
    command = lines[2] if len(lines) > 2 else "another update"
    return (
        f"the store {store_path} is being updated by process {pid} since {since} "
        f"({command}); waited {wait_seconds:g} s. Wait for it to finish, or run "
        "again with a longer --wait SECONDS"
    )
