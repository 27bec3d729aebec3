"""Cache wrappers of the public server: they open ONLY the public store.

Kept apart from :mod:`dashboard.loaders` (which opens the full store) so the
public app never imports a loader that could read incidents. The path comes
from ``--public-store PATH`` after ``--`` on the Streamlit command line (what
``beatprofile serve --public`` passes); there is no fallback to any store.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import geopandas as gpd
import streamlit as st

from pipelines.community.public_store import (
    read_public_areas,
    read_public_meta,
    read_public_report,
)
from pipelines.community.watch_report import WatchReport
from pipelines.errors import BeatprofileError, StoreError
from pipelines.store import connect_public_read_only

ARGUMENT = "--public-store"


def public_store_path(argv: list[str] | None = None) -> Path:
    """The value of ``--public-store PATH`` (or ``=PATH``); last one wins.

    Raises
    ------
    StoreError
        If it is not given (the public app reads nothing else).
    """
    found = None
    args = sys.argv[1:] if argv is None else argv
    for i, arg in enumerate(args):
        if arg == ARGUMENT and i + 1 < len(args):
            found = args[i + 1]
        elif arg.startswith(f"{ARGUMENT}="):
            found = arg.split("=", 1)[1]
    if not found:
        raise StoreError(
            "the public app was started without a public store; start it with "
            "`beatprofile serve --public --public-store PATH`"
        )
    return Path(found)


def open_public_or_stop() -> tuple[str, dict]:
    """The public store's path and metadata; a problem stops the page (message)."""
    try:
        path = str(public_store_path())
        return path, load_public_meta(path)
    except BeatprofileError as exc:
        st.error(f"Error: {exc}")
        st.stop()
        raise


@st.cache_resource(show_spinner=False)
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    return connect_public_read_only(Path(path))


@st.cache_data(show_spinner=False)
def load_public_meta(path: str) -> dict:
    return read_public_meta(_connection(path).cursor())


@st.cache_data(show_spinner=False)
def load_public_areas(path: str, level: str) -> gpd.GeoDataFrame:
    return read_public_areas(_connection(path).cursor(), level)


@st.cache_data(show_spinner=False)
def load_public_report(path: str, level: str, area_id: str) -> WatchReport:
    return read_public_report(_connection(path).cursor(), level, area_id)
