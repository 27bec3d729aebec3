"""Command line: a thin layer over the pipelines library.

Domain errors become ``Error: <message>`` on standard error and exit status 1.
"""

from __future__ import annotations

import logging
import sys

import typer

from beatprofile.commands import (
    access,
    build,
    priorities,
    profile,
    publish,
    report,
    serve,
    simulate,
    watch,
)
from beatprofile.shared import err
from pipelines.errors import BeatprofileError

app = typer.Typer(
    help="beatprofile: beat and neighborhood profiles for community policing.\n\n"
    "Example: beatprofile demo",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(build.build)
app.command()(build.ingest)
app.command()(watch.watch)
app.add_typer(profile.profile_app, name="profile")
app.command()(build.check)
app.command("simulate-cad")(simulate.simulate_cad_command)
app.add_typer(report.report_app, name="report")
app.add_typer(priorities.priorities_app, name="priorities")
app.command()(publish.publish)
app.command()(serve.serve)
app.command()(serve.demo)
app.add_typer(access.users_app, name="users")
app.command("audit")(access.audit_command)


def main() -> None:
    """Entry point of the ``beatprofile`` console script."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        app()
    except BeatprofileError as exc:
        err.print(f"Error: {exc}", markup=False, highlight=False)
        sys.exit(1)
