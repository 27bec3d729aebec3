"""Reading each export into the store's ``staged`` table (one row per input row).

Used by the build and by ``beatprofile check`` (into a scratch store). An
export already staged with the same content is skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from pipelines import schema as s
from pipelines import store
from pipelines.ingest.categories import OffenseMemo
from pipelines.ingest.loaded import content_hash, export_bytes
from pipelines.ingest.normalize import conform_labels, normalize_export
from pipelines.ingest.readers import read_export
from pipelines.ingest.source_profile import SourceProfile, load_source_profile
from pipelines.settings import Settings, SourceConfig

log = logging.getLogger(__name__)

# Staged rows are appended to the store in batches of about this many rows:
# each INSERT costs about 0.1 s however small, and a monthly file is only a
# few thousand rows.
APPEND_BATCH_ROWS = 250_000

Progress = Callable[[str, int, int], None]
"""Callback ``(step description, done, total)`` for progress bars; steps
named ``"Bar: stage"`` share the one bar ``Bar``."""


def stage_files(
    con: duckdb.DuckDBPyConnection,
    work: Sequence[tuple[SourceConfig, Path]],
    settings: Settings,
    progress: Progress,
) -> tuple[int, int]:
    """Read and normalize each export not yet in the store (same file = no-op).

    Returns
    -------
    (added, skipped) : tuple of int
        Files staged, and files skipped because the same content was loaded.
    """
    con.execute(s.staged_ddl(settings.level_names))
    _number_unnumbered_rows(con)
    next_row = con.execute(
        f"SELECT coalesce(max({s.STAGED_ROW}), -1) + 1 FROM staged"
    ).fetchone()[0]
    seen = store.known_file_hashes(con)
    profiles: dict[Path, SourceProfile] = {}
    memos: dict[Path, OffenseMemo] = {}
    pending: list[pd.DataFrame] = []  # staged frames not yet appended
    added = skipped = 0
    # DuckDB's parallel insert costs about twice the single-threaded one for
    # batches this size (1M rows: append 15.0 s -> 8.6 s, final checkpoint
    # 6.9 s -> 3.8 s); the derive steps after staging get every thread back.
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    con.execute("SET threads = 1")
    for done, (source, path) in enumerate(work, start=1):
        progress("Reading exports", done - 1, len(work))
        if source.profile not in profiles:  # read each profile once per build
            profile = load_source_profile(source.profile)
            profiles[source.profile] = profile
            memos[source.profile] = OffenseMemo(profile)
        profile = profiles[source.profile]
        # Recognised by content before anything is parsed.
        if (profile.name, content_hash(export_bytes(path))) in seen:
            log.info("%s already loaded (same content); skipped", path.name)
            skipped += 1
            continue
        table = read_export(path)
        staged = normalize_export(
            table, profile, settings.analysis_crs, memos[source.profile]
        )
        staged = conform_labels(staged, settings.level_names)
        staged.insert(0, s.STAGED_ROW, np.arange(next_row, next_row + len(staged)))
        next_row += len(staged)
        pending.append(staged)
        if sum(len(frame) for frame in pending) >= APPEND_BATCH_ROWS:
            _append(con, pending)
        store.record_source(
            con,
            profile.name,
            profile.kind,
            profile.unique_ids,
            str(profile.path),
            profile.record_identity,
        )
        store.append_rows(
            con,
            "files",
            pd.DataFrame(
                [
                    {
                        "source": profile.name,
                        "file": table.file_name,
                        "sha256": table.sha256,
                        "rows": len(staged),
                        "encoding": table.encoding,
                        "ingested_at": datetime.now(),
                    }
                ]
            ),
        )
        seen.add((profile.name, table.sha256))
        added += 1
    _append(con, pending)
    con.execute(f"SET threads = {int(threads)}")
    progress("Reading exports", len(work), len(work))
    return added, skipped


def _number_unnumbered_rows(con: duckdb.DuckDBPyConnection) -> None:
    """Give rows staged by an older version (no ``staged_row`` yet) their ids."""
    columns = {r[0] for r in con.execute("DESCRIBE staged").fetchall()}
    if s.STAGED_ROW not in columns:
        con.execute(f"ALTER TABLE staged ADD COLUMN {s.STAGED_ROW} BIGINT")
        con.execute(f"UPDATE staged SET {s.STAGED_ROW} = rowid")
    if s.CLASSIFIED not in columns:  # staged before classification was recorded:
        # unknown, so not published until the export is staged again
        con.execute(f"ALTER TABLE staged ADD COLUMN {s.CLASSIFIED} BOOLEAN")


def _append(con: duckdb.DuckDBPyConnection, pending: list[pd.DataFrame]) -> None:
    """Append the pending staged frames in one INSERT and empty the list."""
    if pending:
        store.append_rows(con, "staged", pd.concat(pending, ignore_index=True))
        pending.clear()
