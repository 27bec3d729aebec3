"""The drop folder: load every new export that appears in a folder.

``beatprofile ingest --from-dir DIR`` makes one pass (for a systemd timer or
cron) and ``beatprofile watch DIR`` repeats it. Each ready file is matched to
a ``[[sources]]`` entry of the config by its name, loaded on its own (so a bad
file never takes a good one down with it), then moved: to ``DIR/loaded/``
when it was loaded (or had been before), to ``DIR/rejected/`` with a
``<file>.reason.txt`` holding the ``Error:`` text when it was not; a rejected
file leaves the store as it was. Files still being written are not read.

The loading itself is passed in (``load``), so this module does not depend on
the build's wiring.
"""

from __future__ import annotations

import csv
import fnmatch
import io
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from pipelines.errors import BeatprofileError, InputFileError
from pipelines.ingest.loaded import export_bytes, find_loaded
from pipelines.settings import Settings, SourceConfig

log = logging.getLogger(__name__)

PARTIAL_SUFFIXES = (".part", ".tmp", ".crdownload")
"""Names of files still being downloaded or copied: never read."""
DEFAULT_SETTLE_SECONDS = 30.0
"""A file modified more recently than this is still being written: not read yet."""
LOADED_DIR, REJECTED_DIR = "loaded", "rejected"

Outcome = Literal["loaded", "already loaded", "rejected"]
Load = Callable[[SourceConfig, Path], None]
"""Loads one export into the store (raises a BeatprofileError if it cannot)."""


@dataclass(frozen=True)
class DropResult:
    """What became of one dropped file."""

    at: datetime
    file: str
    outcome: Outcome
    rows: int
    seconds: float
    moved_to: Path
    reason: str = ""

    def log_line(self) -> str:
        """One line: time, file, outcome, rows, seconds (and the reason)."""
        line = (
            f"{self.at:%Y-%m-%dT%H:%M:%S} {self.file} {self.outcome} "
            f"rows={self.rows} seconds={self.seconds:.1f}"
        )
        return f"{line} reason: {self.reason}" if self.reason else line


def ready_files(
    folder: Path, settle_seconds: float = DEFAULT_SETTLE_SECONDS
) -> list[Path]:
    """Files in ``folder`` ready to load, oldest first.

    Skipped: folders (``loaded/``, ``rejected/``), dotfiles, names ending in
    :data:`PARTIAL_SUFFIXES`, ``*.reason.txt``, and any file whose size or
    modification time changed in the last ``settle_seconds``.

    Raises
    ------
    InputFileError
        If ``folder`` is not a folder.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputFileError(
            f"{folder}: drop folder not found (or not a folder); create it or "
            "fix the path"
        )
    now = time.time()
    ready = []
    for path in folder.iterdir():
        name = path.name
        if name.startswith(".") or name.endswith(PARTIAL_SUFFIXES):
            continue
        if name.endswith(".reason.txt") or not path.is_file():
            continue
        info = path.stat()
        if now - max(info.st_mtime, info.st_ctime) < settle_seconds:
            log.info("%s changed in the last %g s; not read yet", name, settle_seconds)
            continue
        ready.append((info.st_mtime, name, path))
    return [path for _, _, path in sorted(ready)]


def match_source(name: str, settings: Settings) -> SourceConfig:
    """The ``[[sources]]`` entry whose file patterns match a file's name.

    Raises
    ------
    InputFileError
        If no source's pattern matches the name, or several sources' do.
    """
    matches = [
        source
        for source in settings.sources
        if any(fnmatch.fnmatch(name, Path(p).name) for p in source.patterns)
    ]
    if len(matches) == 1:
        return matches[0]
    patterns = ", ".join(
        f"'{Path(p).name}' ({s.profile.name})"
        for s in settings.sources
        for p in s.patterns
    )
    if not matches:
        raise InputFileError(
            f"{name}: no [[sources]] file pattern of {settings.config_path} matches "
            f"this file name (patterns: {patterns or 'none'}); rename the file or "
            "add a [[sources]] entry whose `files` pattern matches it"
        )
    raise InputFileError(
        f"{name}: the file patterns of several [[sources]] match this name "
        f"({', '.join(s.profile.name for s in matches)}); make the patterns of "
        f"{settings.config_path} distinct"
    )


def check_complete(path: Path) -> None:
    """Refuse a CSV cut off mid-row (an interrupted copy or download).

    Raises
    ------
    InputFileError
        If the file does not end with a line break and its last line has
        fewer fields than its header.
    """
    data = export_bytes(path)
    if not data or data.endswith(b"\n"):
        return
    text = data.decode("utf-8", errors="replace")
    header = next(csv.reader(io.StringIO(text.partition("\n")[0])), [])
    last = next(csv.reader(io.StringIO(text.rpartition("\n")[2])), [])
    if len(last) < len(header):
        raise InputFileError(
            f"{path.name}: the file looks truncated: its last line has "
            f"{len(last)} of the header's {len(header)} fields and no line break "
            "at the end (a copy or download that did not finish); export or copy "
            "it again"
        )


def ingest_folder(
    folder: Path,
    settings: Settings,
    load: Load,
    settle_seconds: float = DEFAULT_SETTLE_SECONDS,
) -> list[DropResult]:
    """Load every ready file of a drop folder once, moving each when done.

    Parameters
    ----------
    folder : Path
        The drop folder.
    settings : Settings
        Department configuration (its ``[[sources]]`` patterns pick the profile).
    load : callable
        ``load(source, path)`` loads one export (e.g. ``run_build`` with
        ``extra_files``); a :class:`BeatprofileError` rejects the file.
    settle_seconds : float
        Files changed more recently than this are left for the next pass.

    Returns
    -------
    list of DropResult
        One per file handled, in the order handled.

    Example
    -------
    >>> ingest_folder(Path("/srv/exports"), settings, load)
    """
    return [
        _ingest_one(path, settings, load)
        for path in ready_files(folder, settle_seconds)
    ]


def _ingest_one(path: Path, settings: Settings, load: Load) -> DropResult:
    """Load one dropped file and move it to ``loaded/`` or ``rejected/``."""
    started, at = time.monotonic(), datetime.now()
    try:
        source = match_source(path.name, settings)
        known = find_loaded(settings.store_path, source.profile, [path]).get(path)
        outcome: Outcome = "already loaded"
        if known is None:
            check_complete(path)
            load(source, path)
            known = find_loaded(settings.store_path, source.profile, [path]).get(path)
            outcome = "loaded"
    except BeatprofileError as exc:
        reason = f"Error: {exc}"
        moved = _move(path, path.parent / REJECTED_DIR)
        moved.with_name(moved.name + ".reason.txt").write_text(
            reason + "\n", encoding="utf-8"
        )
        seconds = time.monotonic() - started
        return DropResult(at, path.name, "rejected", 0, seconds, moved, reason)
    moved = _move(path, path.parent / LOADED_DIR)
    rows = known.rows if known is not None else 0
    return DropResult(at, path.name, outcome, rows, time.monotonic() - started, moved)


def _move(path: Path, folder: Path) -> Path:
    """Move ``path`` into ``folder``; a name taken there gets ``.1``, ``.2``..."""
    folder.mkdir(exist_ok=True)
    target, n = folder / path.name, 0
    while target.exists() or target.with_name(target.name + ".reason.txt").exists():
        n += 1
        target = folder / f"{path.stem}.{n}{path.suffix}"
    shutil.move(str(path), str(target))
    return target
