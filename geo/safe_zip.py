"""Extracting zip archives from outside (zipped shapefiles) without trusting them.

A member name is never used as a path until it has been checked: absolute
names, drive letters and ``..`` parts are refused (path traversal), every
extracted file must resolve inside the destination folder, and sizes are
capped while the bytes are written (the sizes a zip declares can lie), so a
"zip bomb" stops at the cap instead of filling the disk.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from geo.errors import ArchiveError

MAX_TOTAL_BYTES = 512 * 1024 * 1024
"""Uncompressed bytes extracted from one archive, at most (area layers are small)."""

MAX_RATIO = 200.0
"""Uncompressed / compressed size above which a large member is refused."""

_RATIO_FLOOR = 1024 * 1024  # members smaller than this are never refused for ratio
_CHUNK = 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")


def extract_members(
    archive: str | Path,
    dest: str | Path,
    suffixes: Iterable[str] | None = None,
    max_total_bytes: int = MAX_TOTAL_BYTES,
    max_ratio: float = MAX_RATIO,
) -> list[Path]:
    """Extract the members of ``archive`` whose names end in ``suffixes`` into ``dest``.

    Every member name in the archive is checked first, extracted or not: one
    unsafe name makes the whole archive suspect.

    Parameters
    ----------
    archive : str or Path
        The zip file.
    dest : str or Path
        Existing folder to extract into (a fresh temporary folder).
    suffixes : iterable of str, optional
        File name endings to extract, compared case-insensitively (for example
        ``(".shp", ".shx", ".dbf", ".prj", ".cpg")``); ``None`` extracts all files.
    max_total_bytes : int
        Cap on the uncompressed bytes written.
    max_ratio : float
        Cap on a member's uncompressed / compressed size (members over 1 MiB).

    Returns
    -------
    list of Path
        The extracted files, in archive order.

    Raises
    ------
    ArchiveError
        If the file is not a zip, a member name is absolute or climbs out with
        ``..``, a name appears twice, or the sizes exceed the caps.

    Example
    -------
    >>> extract_members("beats.zip", tmp, (".shp", ".shx", ".dbf", ".prj"))
    """
    archive, dest = Path(archive), Path(dest)
    wanted = tuple(s.lower() for s in suffixes) if suffixes is not None else None
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            for info in infos:
                _check_name(info.filename, archive)
            chosen = [
                info
                for info in infos
                if not info.is_dir()
                and (wanted is None or info.filename.lower().endswith(wanted))
            ]
            _check_unique(chosen, archive)
            _check_declared_sizes(chosen, archive, max_total_bytes, max_ratio)
            budget = [max_total_bytes]
            return [_extract_one(zf, info, dest, archive, budget) for info in chosen]
    except zipfile.BadZipFile as exc:
        raise ArchiveError(
            f"{archive}: not a readable zip file ({exc}); expected a .zip holding a "
            "shapefile (.shp, .shx, .dbf, .prj). Zip the files again"
        ) from exc
    except (zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise ArchiveError(
            f"{archive}: the zip cannot be extracted ({exc}); zip the files again "
            "with standard (deflate) compression"
        ) from exc


def is_unsafe_name(name: str) -> bool:
    """True for member names that would land outside the extraction folder."""
    if "\x00" in name or name.startswith(("/", "\\")) or _DRIVE.match(name):
        return True
    return any(part == ".." for part in re.split(r"[\\/]+", name))


def _check_name(name: str, archive: Path) -> None:
    if is_unsafe_name(name):
        raise ArchiveError(
            f"{archive}: member '{name}' has an absolute path or '..' (path "
            "traversal); refusing to extract an archive that could write outside "
            "its folder. Zip the layer's files again with plain relative names"
        )


def _check_unique(infos: list[zipfile.ZipInfo], archive: Path) -> None:
    names = [info.filename.lower() for info in infos]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ArchiveError(
            f"{archive}: member(s) {repeated} appear more than once; expected each "
            "file once. Zip the files again"
        )


def _check_declared_sizes(
    infos: list[zipfile.ZipInfo], archive: Path, max_total: int, max_ratio: float
) -> None:
    total = sum(info.file_size for info in infos)
    if total > max_total:
        raise ArchiveError(
            f"{archive}: the members to extract declare {total:,} bytes uncompressed; "
            f"expected at most {max_total:,} for an area layer. Simplify or split "
            "the layer"
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > max_ratio:
            raise ArchiveError(
                f"{archive}: member '{info.filename}' expands {ratio:,.0f} times "
                f"({info.compress_size:,} -> {info.file_size:,} bytes); expected at "
                f"most {max_ratio:,.0f} times (refusing a possible zip bomb)"
            )


def _extract_one(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    dest: Path,
    archive: Path,
    budget: list[int],
) -> Path:
    """Stream one member to disk, inside ``dest``, within the byte budget."""
    parts = [
        p
        for p in PurePosixPath(info.filename.replace("\\", "/")).parts
        if p not in ("", ".")
    ]
    target = dest.joinpath(*parts)
    root = dest.resolve()
    if not target.resolve().is_relative_to(root):  # belt and braces after _check_name
        raise ArchiveError(
            f"{archive}: member '{info.filename}' would be written outside the "
            "extraction folder; refusing it"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with zf.open(info) as src, open(target, "wb") as out:
        while chunk := src.read(_CHUNK):
            written += len(chunk)
            budget[0] -= len(chunk)
            if written > info.file_size or budget[0] < 0:
                raise ArchiveError(
                    f"{archive}: member '{info.filename}' holds more bytes than the "
                    "zip declares or than the extraction cap allows; refusing it"
                )
            out.write(chunk)
    return target
