"""``serve`` and ``demo``: start the dashboard (demo builds the sample first)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from beatprofile.shared import (
    ConfigOption,
    LazyModule,
    StoreOption,
    cli_settings,
    out,
    print_report,
    progress_bar,
)
from pipelines.errors import ConfigError

if TYPE_CHECKING:
    from pipelines.settings import Settings

pipelines_build = LazyModule("pipelines.build")

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def serve(
    config: ConfigOption = None,
    store: StoreOption = None,
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8501,
    address: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    public: Annotated[
        bool,
        typer.Option(
            "--public",
            help="Serve only the public watch-meeting view, from the public store "
            "(`beatprofile publish`); the full store is never opened.",
        ),
    ] = False,
    public_store: Annotated[
        Path | None,
        typer.Option(
            "--public-store",
            help="Public store for --public (default: <store stem>-public.duckdb "
            "beside the store).",
        ),
    ] = None,
    insecure_no_auth: Annotated[
        bool,
        typer.Option(
            "--insecure-no-auth",
            help="Serve on a non-loopback address with no sign-in (anyone who "
            "reaches the port sees everything).",
        ),
    ] = False,
) -> None:
    """Start the dashboard on an existing store (or, with --public, the public view).

    Example: beatprofile serve --port 8501
    Example: beatprofile serve --public --public-store sample-public.duckdb
    """
    if public_store is not None and not public:
        raise ConfigError("--public-store is for the public server; add --public")
    if public:
        _serve_public(config, store, public_store, port, address)
        return
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
            report = pipelines_build.run_build(settings, progress=progress)
        print_report(report, None)
    _run_streamlit(settings, port, address)


def _serve_public(
    config: Path | None,
    store: Path | None,
    public_store: Path | None,
    port: int,
    address: str,
) -> None:
    """Start dashboard/public_app.py on the public store alone."""
    from beatprofile.server import streamlit_command
    from pipelines.catalog import PUBLIC_APP
    from pipelines.community.publish import default_public_path
    from pipelines.render.assets import ensure_map_assets

    if public_store is None:
        public_store = default_public_path(cli_settings(config, store).store_path)
    if not public_store.is_file():
        raise ConfigError(
            f"no public store at {public_store}; write it with `beatprofile "
            "publish` (or give --public-store PATH)"
        )
    ensure_map_assets()
    # The public process is told nothing about the full store.
    env = {k: v for k, v in os.environ.items() if k != "BEATPROFILE_STORE"}
    command = streamlit_command(
        port, address, app=PUBLIC_APP, public_store=public_store.resolve()
    )
    out.print(
        f"Public watch-meeting view: http://{address}:{port}  (Ctrl+C to stop)",
        markup=False,
    )
    _exec(command, env)


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
    out.print(
        f"Store: {settings.store_path}", markup=False, highlight=False, soft_wrap=True
    )
    out.print(f"Dashboard: http://{address}:{port}  (Ctrl+C to stop)", markup=False)
    _exec(command, env)


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
_GRACE_S = 10.0


def _exec(command: list[str], env: dict[str, str]) -> None:
    """Run the server in its own process group until it exits or we are stopped.

    SIGTERM, SIGINT (Ctrl+C) and SIGHUP to this process terminate the server's
    whole group (killed if it outlives a grace period) and wait for it, so no
    Streamlit is left holding the port.
    """
    child = subprocess.Popen(command, env=env, start_new_session=True)
    stopped_at: list[float] = []

    def stop(_signum: int, _frame: object) -> None:
        # Only signal here: the main thread below is inside child.wait().
        stopped_at.append(time.monotonic())
        _signal_group(child, signal.SIGTERM)

    previous = {sig: signal.signal(sig, stop) for sig in _STOP_SIGNALS}
    try:
        while True:
            try:
                code = child.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if stopped_at and time.monotonic() - stopped_at[0] > _GRACE_S:
                    _signal_group(child, signal.SIGKILL)
    finally:
        if child.poll() is None:  # an error in this process: stop the server too
            _signal_group(child, signal.SIGKILL)
            child.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if code and not stopped_at:
        raise SystemExit(code)


def _signal_group(child: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, sig)
