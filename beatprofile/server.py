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
    config: Path | None = None,
    insecure_no_auth: bool = False,
) -> list[str]:
    """``streamlit run`` for the app: local static files (maps work offline), no
    usage statistics, no file watcher, and the viewer toolbar (no "Deploy").

    ``store`` and ``config`` are handed to the app after ``--`` (``-- --store
    PATH --config PATH``), where :mod:`dashboard.loaders` reads them;
    ``insecure_no_auth`` lets an app with no sign-in listen on ``address``.
    """
    script_args = [
        *(["--store", str(store)] if store is not None else []),
        *(["--config", str(config)] if config is not None else []),
        *(["--insecure-no-auth"] if insecure_no_auth else []),
    ]
    script_args = ["--", *script_args] if script_args else []
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
