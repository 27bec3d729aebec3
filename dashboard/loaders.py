"""Every Streamlit cache wrapper of the app. Arguments are hashable filter values.

Cached functions never read widgets; the DuckDB connection is a shared
resource and each query uses its own cursor (connections are not thread-safe).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from datetime import date, timedelta
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd
import streamlit as st

from pipelines import queries
from pipelines.analysis.coverage import DataSpan
from pipelines.catalog import SAMPLE_CONFIG
from pipelines.community import beat_plans, priorities
from pipelines.community.watch_report import WatchReport, build_watch_report
from pipelines.errors import BeatprofileError
from pipelines.exports import to_csv_text, to_geojson_text
from pipelines.queries import Filters
from pipelines.settings import Settings
from pipelines.store import connect_read_only


def store_path(argv: list[str] | None = None) -> Path:
    """The store the app shows: ``--store PATH`` after ``--`` on the Streamlit
    command line (what ``beatprofile serve`` passes), else ``BEATPROFILE_STORE``,
    else the sample's."""
    configured = _store_argument(sys.argv[1:] if argv is None else argv)
    configured = configured or os.environ.get("BEATPROFILE_STORE")
    if configured:
        return Path(configured)
    from pipelines.settings import load_settings

    return load_settings(SAMPLE_CONFIG).store_path


def config_path(argv: list[str] | None = None) -> Path:
    """The department configuration: ``--config PATH`` after ``--`` (what
    ``beatprofile serve`` passes), else ``BEATPROFILE_CONFIG``, else the sample's."""
    args = sys.argv[1:] if argv is None else argv
    configured = _store_argument(args, "--config")
    configured = configured or os.environ.get("BEATPROFILE_CONFIG")
    return Path(configured) if configured else SAMPLE_CONFIG


def insecure_no_auth(argv: list[str] | None = None) -> bool:
    """True if ``--insecure-no-auth`` was passed after ``--`` (``serve`` passes it)."""
    return "--insecure-no-auth" in (sys.argv[1:] if argv is None else argv)


@st.cache_resource(show_spinner=False)
def load_app_settings(config: str, store: str) -> Settings:
    """The settings of the running app (``[auth]``, ``[audit]``); never mutated."""
    from pipelines.settings import load_settings

    return load_settings(config, store=store)


def _store_argument(args: list[str], flag: str = "--store") -> str | None:
    """The value of ``FLAG PATH`` or ``FLAG=PATH`` in ``args`` (last wins)."""
    found = None
    for i, arg in enumerate(args):
        if arg == flag and i + 1 < len(args):
            found = args[i + 1]
        elif arg.startswith(f"{flag}="):
            found = arg.split("=", 1)[1]
    return found or None


_SEEN: dict[str, tuple[int, int, int]] = {}  # store path -> file identity last read
_SEEN_LOCK = threading.Lock()


def _file_identity(path: str) -> tuple[int, int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


def forget_store_if_replaced(path: str) -> bool:
    """Drop every cache and the connection if the store file changed since the
    last run (a rebuild swaps in a new file: new inode, time and size).

    Called at the top of every page run, so a running app shows a rebuilt
    store at the next rerun instead of reading the deleted file for ever.
    """
    identity = _file_identity(path)
    with _SEEN_LOCK:
        previous = _SEEN.get(path)
        _SEEN[path] = identity  # type: ignore[assignment]
    if previous is None or previous == identity:
        return False
    with contextlib.suppress(Exception):  # a connection to a deleted file
        _connection(path).close()
    _connection.clear()
    st.cache_data.clear()
    return True


def open_store_or_stop() -> tuple[str, dict]:
    """The store path and its metadata; a missing store stops the page (message)."""
    try:
        path = str(store_path())
        forget_store_if_replaced(path)
        return path, load_meta(path)
    except BeatprofileError as exc:  # StoreError, or a broken sample config
        st.error(str(exc))
        st.stop()
        raise  # unreachable: st.stop() ends the run


@st.cache_resource(show_spinner=False)
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    return connect_read_only(Path(path))


def _cursor(path: str) -> duckdb.DuckDBPyConnection:
    return _connection(path).cursor()


@st.cache_data(show_spinner=False)
def load_meta(path: str) -> dict:
    return queries.read_meta(_cursor(path))


@st.cache_data(show_spinner=False)
def load_bounds(path: str) -> tuple[date, date]:
    return queries.date_bounds(_cursor(path))


@st.cache_data(show_spinner=False)
def load_data_span(path: str) -> DataSpan | None:
    """The days the data covers; comparisons outside it are refused."""
    return queries.data_span(_cursor(path))


@st.cache_data(show_spinner=False)
def load_categories(path: str) -> list[str]:
    return queries.categories_present(_cursor(path))


@st.cache_data(show_spinner=False)
def load_areas(path: str, level: str) -> gpd.GeoDataFrame:
    return queries.read_areas(_cursor(path), level)


@st.cache_data(show_spinner=False)
def load_area_counts(path: str, filters: Filters) -> pd.DataFrame:
    return queries.area_counts(_cursor(path), filters)


@st.cache_data(show_spinner=False)
def load_category_counts(
    path: str, filters: Filters, area_id: str, start: date, end: date
) -> pd.DataFrame:
    return queries.category_counts(_cursor(path), filters, area_id, start, end)


@st.cache_data(show_spinner=False)
def load_weekly(
    path: str, filters: Filters, area_id: str, start: date, end: date
) -> pd.DataFrame:
    return queries.weekly_counts(_cursor(path), filters, area_id, start, end)


@st.cache_data(show_spinner=False)
def load_hour_weekday(path: str, filters: Filters, area_id: str) -> pd.DataFrame:
    return queries.hour_weekday_counts(_cursor(path), filters, area_id)


@st.cache_data(show_spinner=False)
def load_profile(path: str, level: str, area_id: str) -> pd.DataFrame:
    return queries.profile_rows(_cursor(path), level, area_id)


@st.cache_data(show_spinner=False)
def load_file_quality(path: str) -> pd.DataFrame:
    return queries.file_quality(_cursor(path))


@st.cache_data(show_spinner=False)
def load_label_agreement(path: str) -> pd.DataFrame:
    return queries.label_agreement(_cursor(path))


@st.cache_data(show_spinner=False)
def load_unmapped_codes(path: str) -> pd.DataFrame:
    return queries.unmapped_codes(_cursor(path))


@st.cache_data(show_spinner=False)
def load_quarantined_points(
    path: str, reason: str, limit: int
) -> tuple[pd.DataFrame, int]:
    return queries.quarantined_points(_cursor(path), reason, limit)


@st.cache_data(show_spinner=False)
def load_placeholders(path: str) -> pd.DataFrame:
    from pipelines.ingest.placeholders import load_placeholders

    return load_placeholders(_cursor(path))


@st.cache_data(show_spinner=False)
def load_backtest_skipped(path: str) -> pd.DataFrame:
    return queries.backtest_skipped(_cursor(path))


@st.cache_data(show_spinner=False)
def load_data_gaps(path: str) -> pd.DataFrame:
    from pipelines.analysis.gaps import load_gaps

    return load_gaps(_cursor(path))


@st.cache_data(show_spinner=False)
def load_hotspot_layer(path: str, category: str) -> gpd.GeoDataFrame:
    return queries.hotspot_layer(_cursor(path), category)


@st.cache_data(show_spinner=False)
def load_hotspot_categories(path: str) -> list[str]:
    return queries.hotspot_categories(_cursor(path))


@st.cache_data(show_spinner=False)
def load_rankings(path: str, level: str) -> pd.DataFrame:
    return queries.rankings(_cursor(path), level)


@st.cache_data(show_spinner=False)
def load_backtest(path: str) -> pd.DataFrame:
    return queries.backtest(_cursor(path))


@st.cache_data(show_spinner=False)
def load_cell_incidents(path: str, cell_id: int, category: str) -> pd.DataFrame:
    return queries.cell_incidents(_cursor(path), cell_id, category)


@st.cache_data(show_spinner=False)
def load_cell_exports(path: str, category: str) -> tuple[str, str]:
    """GeoJSON and CSV text of one category's cells (built once, not per rerun)."""
    cells = load_hotspot_layer(path, category)
    return to_geojson_text(cells), to_csv_text(cells.drop(columns="geometry"))


@st.cache_data(show_spinner=False)
def load_ranked_incidents(
    path: str, level: str, area_id: str, category: str
) -> pd.DataFrame:
    """The last 28 days' incidents behind one ranked problem."""
    _, last = load_bounds(path)
    filters = Filters(level, last - timedelta(days=27), last, (category,))
    return queries.area_incidents(_cursor(path), filters, area_id)


@st.cache_data(show_spinner=False)
def load_level_daily(
    path: str, level: str, categories: tuple[str, ...]
) -> pd.DataFrame:
    return queries.level_daily(_cursor(path), level, categories)


@st.cache_data(show_spinner=False)
def load_child_areas(
    path: str, child_level: str, parent_level: str, parent_id: str
) -> list[str]:
    return queries.child_areas(_cursor(path), child_level, parent_level, parent_id)


@st.cache_data(show_spinner=False)
def load_workload(path: str, level: str) -> pd.DataFrame:
    return queries.workload(_cursor(path), level)


@st.cache_data(show_spinner=False)
def load_packet_pdf(
    path: str, week_end: str, categories: tuple[str, ...] = (), level: str = ""
) -> bytes:
    from pipelines.render.packet_pdf import packet_pdf_bytes

    return packet_pdf_bytes(_cursor(path), week_end, categories, level or None)


@st.cache_data(show_spinner=False)
def load_watch_report(path: str, level: str, area_id: str) -> WatchReport:
    return build_watch_report(_cursor(path), level, area_id)


@st.cache_data(show_spinner=False)
def load_concerns(path: str, level: str, area_id: str) -> pd.DataFrame:
    """The area's concerns with their organisers' notes (analyst view only)."""
    return priorities.read_concerns(_cursor(path), level, area_id)


@st.cache_data(show_spinner=False)
def load_plans(path: str, level: str, area_id: str) -> list[beat_plans.BeatPlan]:
    return beat_plans.read_plans(_cursor(path), level, area_id)


@st.cache_data(show_spinner=False)
def load_assessment(path: str, plan: beat_plans.BeatPlan) -> beat_plans.PlanAssessment:
    """Before/after test and WDQ of a plan, against its level's parent areas."""
    meta = load_meta(path)
    levels = meta["levels"]
    finer = levels.index(plan.level)
    parents = load_areas(path, levels[finer + 1]) if finer + 1 < len(levels) else None
    shapes = beat_plans.assessment_areas(
        load_areas(path, plan.level),
        plan.area_id,
        meta["analysis_crs"],
        parents=parents,
    )
    return beat_plans.assess_plan(
        _cursor(path), plan, shapes, date.fromisoformat(meta["as_of"])
    )


def release_store(path: str) -> None:
    """Close the app's read-only connection so this process may write to the file.

    The next query opens a fresh one. Cached results stay: a write from the
    app touches only the watch-meeting tables, see :func:`clear_watch_caches`.
    """
    _connection(path).close()
    _connection.clear()


def clear_watch_caches() -> None:
    """Forget what the watch-meeting page read, after a concern or plan was saved."""
    for loader in (load_watch_report, load_concerns, load_plans, load_assessment):
        loader.clear()


@st.cache_data(ttl=300, show_spinner=False)
def load_oidc_client_problem(
    metadata_url: str, client_id: str, client_secret: str
) -> str | None:
    """Whether the identity provider accepts the client (checked every 5 minutes)."""
    from pipelines.access.oidc_check import client_problem

    return client_problem(metadata_url, client_id, client_secret)
