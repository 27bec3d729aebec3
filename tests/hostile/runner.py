"""Running the CLI entry point on a hostile file: in-process or as a subprocess.

In-process runs call :func:`beatprofile.cli.main` exactly as the console
script does (``sys.argv``, ``Error:`` handling, exit status), with standard
output and error captured; anything that escapes ``main`` is recorded as a
traceback, which the tests treat as a failure. A few cases also run through
``python -m beatprofile`` to prove the real process behaves the same.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from beatprofile import cli
from tests.hostile.corpus import HostileCase
from tests.hostile.world import World

_READ = re.compile(r"rows read ([\d,]+) = would keep ([\d,]+) \+ quarantine ([\d,]+)")
_REASON = re.compile(r"^    ([a-z_]+): ([\d,]+)$", re.M)


@dataclass(frozen=True)
class CliResult:
    """Exit status and captured output of one CLI run."""

    code: int
    stdout: str
    stderr: str

    @property
    def counts(self) -> tuple[int, int, int] | None:
        """``(read, kept, quarantined)`` from check's report, if it printed one."""
        found = _READ.search(self.stdout)
        if not found:
            return None
        read, kept, quarantined = (int(g.replace(",", "")) for g in found.groups())
        return read, kept, quarantined

    @property
    def reasons(self) -> dict[str, int]:
        """Quarantine counts by reason from check's report."""
        return {r: int(n.replace(",", "")) for r, n in _REASON.findall(self.stdout)}


def command_for(case: HostileCase, path: Path, world: World) -> list[str]:
    """The CLI arguments that feed ``path`` to beatprofile where it belongs."""
    if case.target == "config":
        return ["build", "--config", str(path)]
    profile, export, config = world.profile, path, world.config
    if case.target == "export_xy":
        profile = world.profile_xy
    elif case.target == "layer":
        export = world.good_csv
        config = world.config_for(f"layer_{case.name}.toml", polygons=path)
    elif case.target == "profile":
        profile, export = path, world.good_csv
    return ["check", str(profile), str(export), "--config", str(config)]


def run_in_process(args: list[str], tmpdir: Path) -> CliResult:
    """Call ``beatprofile.cli.main`` with ``args``; temporary files go to ``tmpdir``."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with (
        _patched(args, tmpdir),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            cli.main()
        except SystemExit as exc:
            code = (
                exc.code
                if isinstance(exc.code, int)
                else (0 if exc.code is None else 1)
            )
        except BaseException:  # what a user would see as a traceback
            traceback.print_exc(file=err)
            code = 1
    return CliResult(code, out.getvalue(), err.getvalue())


def run_subprocess(args: list[str], tmpdir: Path, cwd: Path) -> CliResult:
    """``python -m beatprofile args`` with TMPDIR and HOME inside the test folder."""
    home = tmpdir.parent / "home"
    home.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(tmpdir), "HOME": str(home)}
    env.pop("BEATPROFILE_STORE", None)
    done = subprocess.run(
        [sys.executable, "-m", "beatprofile", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return CliResult(done.returncode, done.stdout, done.stderr)


@contextlib.contextmanager
def _patched(args: list[str], tmpdir: Path) -> Iterator[None]:
    saved_argv, saved_tmp = sys.argv, tempfile.tempdir
    saved_store = os.environ.get("BEATPROFILE_STORE")
    sys.argv, tempfile.tempdir = ["beatprofile", *args], str(tmpdir)
    try:
        yield
    finally:
        sys.argv, tempfile.tempdir = saved_argv, saved_tmp
        if saved_store is None:
            os.environ.pop("BEATPROFILE_STORE", None)
        else:
            os.environ["BEATPROFILE_STORE"] = saved_store


def snapshot(*roots: Path) -> set[Path]:
    """Every file and folder under ``roots`` (the roots that exist)."""
    found: set[Path] = set()
    for root in roots:
        if root.exists():
            found.update(root.rglob("*"))
    return found
