"""``serve`` and ``demo``: start the dashboard (demo builds the sample first)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from typing import Annotated

import typer

from beatprofile.shared import (
    ConfigOption,
    StoreOption,
    cli_settings,
    out,
    print_report,
    progress_bar,
)
from pipelines.build import run_build
from pipelines.errors import ConfigError
from pipelines.settings import Settings

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def serve(
    config: ConfigOption = None,
    store: StoreOption = None,
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8501,
    address: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    insecure_no_auth: Annotated[
        bool,
        typer.Option(
            "--insecure-no-auth",
            help="Serve on a non-loopback address with no sign-in (anyone who "
            "reaches the port sees everything).",
        ),
    ] = False,
) -> None:
    """Start the dashboard on an existing store.

    Example: beatprofile serve --port 8501
    """
    settings = cli_settings(config, store)
    if not settings.store_path.exists():
        raise ConfigError(
            f"no store at {settings.store_path}; run `beatprofile build` first"
        )
    check_address(settings, address, insecure_no_auth)
    _run_streamlit(settings, port, address, insecure_no_auth)


def demo(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8501,
    address: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    rebuild: Annotated[
        bool, typer.Option(help="Rebuild the sample store first.")
    ] = False,
) -> None:
    """Build the bundled St. Louis sample (if not built yet) and open the dashboard.

    Example: beatprofile demo
    """
    settings = cli_settings(None, None)
    check_address(settings, address, insecure_no_auth=False)
    if rebuild or not settings.store_path.exists():
        with progress_bar() as progress:
            report = run_build(settings, progress=progress)
        print_report(report, None)
    _run_streamlit(settings, port, address)


def check_address(settings: Settings, address: str, insecure_no_auth: bool) -> None:
    """Refuse a non-loopback address when no sign-in is configured.

    Raises
    ------
    ConfigError
        If ``[auth] method = "none"``, ``address`` is not loopback and
        ``insecure_no_auth`` is False.
    """
    if settings.auth.method != "none" or insecure_no_auth:
        return
    if address in LOOPBACK:
        return
    where = settings.config_path or "the configuration"
    raise ConfigError(
        f"refusing to serve on {address} with no sign-in ([auth] method is "
        f'"none" in {where}): anyone who reaches that address would see incident '
        'details. Set [auth] method = "local" (and add users with `beatprofile '
        'users add`) or "oidc", serve on 127.0.0.1, or pass --insecure-no-auth'
    )


def _run_streamlit(
    settings: Settings, port: int, address: str, insecure_no_auth: bool = False
) -> None:
    from beatprofile.server import streamlit_command
    from pipelines.render.assets import ensure_map_assets

    ensure_map_assets()
    env = dict(os.environ)
    command = streamlit_command(
        port,
        address,
        store=settings.store_path,
        config=settings.config_path,
        insecure_no_auth=insecure_no_auth,
    )
    out.print(f"Dashboard: http://{address}:{port}  (Ctrl+C to stop)", markup=False)
    _exec(command, env)


def _exec(
    command: list[str], env: dict[str, str], runner: Callable = subprocess.call
) -> None:
    try:
        code = runner(command, env=env)
    except KeyboardInterrupt:
        code = 0
    if code:
        raise SystemExit(code)
