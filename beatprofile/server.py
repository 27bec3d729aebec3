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
) -> list[str]:
    """``streamlit run`` for the app: local static files (maps work offline), no
    usage statistics, no file watcher, and the viewer toolbar (no "Deploy").

    ``store`` is handed to the app after ``--`` (``-- --store PATH``), where
    :func:`dashboard.loaders.store_path` reads it.
    """
    script_args = ["--", "--store", str(store)] if store is not None else []
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
