"""``users`` (local accounts) and ``audit`` (read, export and purge the trail).

Both run as the role ``admin-cli`` in the audit trail, under the name of the
operating-system user running them: shell access to the user file and the audit
file is the admin credential. Every change to the users writes a
``user_change`` row; an audit CSV writes an ``export`` row with its row count.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from beatprofile.shared import (
    ConfigOption,
    LazyModule,
    StoreOption,
    cli_settings,
    os_user,
    out,
)
from pipelines.access.policy import CLI_ADMIN_ROLE, ROLES
from pipelines.errors import ConfigError

if TYPE_CHECKING:
    from pipelines.settings import Settings

audit = LazyModule("pipelines.access.audit")
users = LazyModule("pipelines.access.users")

users_app = typer.Typer(help='Local accounts (when [auth] method = "local").')

RoleArgument = Annotated[str, typer.Argument(help=f"One of: {', '.join(ROLES)}.")]
NameArgument = Annotated[str, typer.Argument(help="The user name (e.g. jsmith).")]


def _user_change(settings: Settings, name: str, change: str, **detail: object) -> None:
    audit.record(
        settings.audit_path,
        "user_change",
        os_user(),
        CLI_ADMIN_ROLE,
        target=name,
        detail={
            "change": change,
            "users_file": str(settings.auth.users_file),
            **detail,
        },
    )


def _read_password(name: str, from_stdin: bool) -> str:
    """The new password: one line of standard input, or a hidden prompt typed twice."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt(
        f"Password for {name}", hide_input=True, confirmation_prompt=True
    )


@users_app.command("add")
def users_add(
    name: NameArgument,
    role: Annotated[str, typer.Option("--role", help=f"One of: {', '.join(ROLES)}.")],
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the password from the first line of standard input (for "
            "scripts) instead of a hidden prompt.",
        ),
    ] = False,
    config: ConfigOption = None,
    store: StoreOption = None,
) -> None:
    """Add a local account; the password is asked twice, hidden (never an argument).

    Example: beatprofile users add jsmith --role analyst
    """
    settings = cli_settings(config, store)
    password = _read_password(name, password_stdin)
    users.add_user(settings.auth.users_file, name, role, password)
    _user_change(settings, name, "add", role=role)
    out.print(f"Added {name} ({role}) to {settings.auth.users_file}.", markup=False)


@users_app.command("list")
def users_list(config: ConfigOption = None, store: StoreOption = None) -> None:
    """List the local accounts: name, role, failed attempts, lockout, created.

    Example: beatprofile users list
    """
    settings = cli_settings(config, store)
    records = users.list_users(settings.auth.users_file)
    if not records:
        out.print(
            f"No users in {settings.auth.users_file}; add one with "
            "`beatprofile users add NAME --role admin`.",
            markup=False,
        )
        return
    table = Table("name", "role", "failed", "locked until", "created")
    for r in records:
        locked = f"{r.locked_until:%Y-%m-%d %H:%M}" if r.locked_until else ""
        table.add_row(r.name, r.role, str(r.failed), locked, f"{r.created:%Y-%m-%d}")
    out.print(table)


@users_app.command("remove")
def users_remove(
    name: NameArgument, config: ConfigOption = None, store: StoreOption = None
) -> None:
    """Remove a local account.

    Example: beatprofile users remove jsmith
    """
    settings = cli_settings(config, store)
    users.remove_user(settings.auth.users_file, name)
    _user_change(settings, name, "remove")
    out.print(f"Removed {name} from {settings.auth.users_file}.", markup=False)


@users_app.command("set-role")
def users_set_role(
    name: NameArgument,
    role: RoleArgument,
    config: ConfigOption = None,
    store: StoreOption = None,
) -> None:
    """Give a local account another role.

    Example: beatprofile users set-role jsmith commander
    """
    settings = cli_settings(config, store)
    users.set_role(settings.auth.users_file, name, role)
    _user_change(settings, name, "set_role", role=role)
    out.print(f"{name} now has the role {role}.", markup=False)


@users_app.command("unlock")
def users_unlock(
    name: NameArgument, config: ConfigOption = None, store: StoreOption = None
) -> None:
    """Open a locked account now (clears its failed attempts).

    Example: beatprofile users unlock jsmith
    """
    settings = cli_settings(config, store)
    users.unlock(settings.auth.users_file, name)
    _user_change(settings, name, "unlock")
    out.print(f"Unlocked {name}.", markup=False)


def _since(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(
            f"--since was '{value}'; expected a date like 2025-01-31"
        ) from exc


def audit_command(
    since: Annotated[
        str | None, typer.Option("--since", help="From this day on (YYYY-MM-DD).")
    ] = None,
    user: Annotated[
        str | None, typer.Option("--user", help="Only this user's events.")
    ] = None,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Write the events to this CSV file.")
    ] = None,
    purge: Annotated[
        bool,
        typer.Option(
            "--purge",
            help="Delete the events older than [audit] retention_days (default 365).",
        ),
    ] = False,
    config: ConfigOption = None,
    store: StoreOption = None,
) -> None:
    """Read the audit trail (sign-ins, page views, exports, user changes), print it
    or write it as CSV; --purge applies the retention.

    Example: beatprofile audit --since 2025-01-01 --user jsmith --csv jsmith.csv
    """
    settings = cli_settings(config, store)
    if purge:
        n = audit.purge_expired(
            settings.audit_path, settings.audit_retention_days, datetime.now()
        )
        out.print(
            f"Purged {n} event(s) older than {settings.audit_retention_days} days "
            f"from {settings.audit_path}.",
            markup=False,
        )
        return
    events = audit.read_events(settings.audit_path, since=_since(since), user=user)
    if csv is not None:
        _write_csv(settings, events, csv, since=since, user=user)
        return
    _print_events(settings, events)


def _write_csv(settings: Settings, events, csv: Path, **filters: object) -> None:
    csv.parent.mkdir(parents=True, exist_ok=True)
    events.to_csv(csv, index=False)
    audit.record(
        settings.audit_path,
        "export",
        os_user(),
        CLI_ADMIN_ROLE,
        target=str(csv),
        detail={"what": "audit trail", "rows": len(events), **filters},
    )
    out.print(f"Wrote {len(events)} audit event(s) to {csv}.", markup=False)


def _print_events(settings: Settings, events) -> None:
    if events.empty:
        out.print(f"No audit events in {settings.audit_path} match.", markup=False)
        return
    table = Table("at", "user", "role", "event", "target", "outcome", "detail")
    for row in events.itertuples(index=False):
        table.add_row(
            f"{row.at:%Y-%m-%d %H:%M:%S}",
            row.user_name,
            row.role,
            row.event,
            row.target,
            row.outcome,
            row.detail,
        )
    out.print(table)
