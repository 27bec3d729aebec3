"""Cut a small, evenly sampled extract of a department's CSV export.

Keeps the header line and the raw bytes of every kept line exactly (line
terminator included, byte-order mark included when the source has one), so an
extract has the quirks of the export it came from. Rows are drawn with a seeded
uniform sample of line numbers and written in their original order, so rows
with missing coordinates, placeholders or odd dates stay in proportion.

Usage::

    python tests/data/cut_extract.py OUT.csv.gz N SEED SOURCE.csv [SOURCE.csv ...]

Several sources are read as one export split into parts (each part repeats the
header; only the first part's header is kept). Lines are split on the source's
own terminator (CRLF, LF or bare CR); quoted fields spanning lines are not
expected in these exports (checked: the script fails if a kept line has an odd
number of double quotes).
"""

from __future__ import annotations

import gzip
import random
import re
import sys
from pathlib import Path

_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n|$)")


def _lines(data: bytes) -> list[bytes]:
    return [m.group(0) for m in _LINE.finditer(data) if m.group(0)]


def cut(out: Path, n: int, seed: int, sources: list[Path]) -> tuple[int, int]:
    """Write ``n`` sampled data lines (plus the header) of ``sources`` to ``out``.

    Returns the number of data lines read and written.
    """
    header: bytes | None = None
    body: list[bytes] = []
    for src in sources:
        lines = _lines(src.read_bytes())
        if header is None:
            header = lines[0]
        body.extend(lines[1:])
    assert header is not None
    keep = sorted(random.Random(seed).sample(range(len(body)), min(n, len(body))))
    chosen = [body[i] for i in keep]
    for line in chosen:
        if line.count(b'"') % 2:
            raise SystemExit(f"a kept line has an unbalanced quote: {line[:80]!r}")
    with gzip.GzipFile(out, "wb", mtime=0) as fh:
        fh.write(header + b"".join(chosen))
    return len(body), len(chosen)


if __name__ == "__main__":
    out_path, count, seed_value, *srcs = sys.argv[1:]
    read, written = cut(
        Path(out_path), int(count), int(seed_value), [Path(s) for s in srcs]
    )
    print(f"{out_path}: {written} of {read} data lines")
