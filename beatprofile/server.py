"""How the dashboard is started: one command line shared by the CLI and the tests."""

from __future__ import annotations

import sys
from pathlib import Path

from pipelines.catalog import DASHBOARD_APP

APP = DASHBOARD_APP


def streamlit_command(
    port: int,
    address: str = "127.0.0.1",
    app: Path = APP,
    store: Path | None = None,
    public_store: Path | None = None,
    config: Path | None = None,
    insecure_no_auth: bool = False,
) -> list[str]:
    """``streamlit run`` for the app: local static files (maps work offline), no
    usage statistics, no file watcher, and the viewer toolbar (no "Deploy").

    ``store`` and ``config`` are handed to the app after ``--`` (``-- --store
    PATH --config PATH``), where :mod:`dashboard.loaders` reads them;
    ``insecure_no_auth`` lets an app with no sign-in listen on ``address``.
    ``public_store`` goes to the public app as ``-- --public-store PATH``, and
    then nothing else: the public server is never told where the full store is.
    """
    if public_store is not None:
        if store is not None or config is not None:
            raise ValueError("give `public_store` alone, without `store` or `config`")
        return _command(port, address, app, ["--", "--public-store", str(public_store)])
    script_args = [
        *(["--store", str(store)] if store is not None else []),
        *(["--config", str(config)] if config is not None else []),
        *(["--insecure-no-auth"] if insecure_no_auth else []),
    ]
    return _command(port, address, app, ["--", *script_args] if script_args else [])


def _command(port: int, address: str, app: Path, script_args: list[str]) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        "--server.enableStaticServing",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "viewer",
        *script_args,
    ]
