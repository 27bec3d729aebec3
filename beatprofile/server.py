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
) -> list[str]:
    """``streamlit run`` for the app: local static files (maps work offline), no
    usage statistics, no file watcher, and the viewer toolbar (no "Deploy").

    ``store`` is handed to the app after ``--`` (``-- --store PATH``), where
    :func:`dashboard.loaders.store_path` reads it; ``public_store`` likewise as
    ``-- --public-store PATH`` for the public app (and then no ``--store``: the
    public server is never told where the full store is).
    """
    if store is not None and public_store is not None:
        raise ValueError("give `store` or `public_store`, not both")
    script_args = ["--", "--store", str(store)] if store is not None else []
    if public_store is not None:
        script_args = ["--", "--public-store", str(public_store)]
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
