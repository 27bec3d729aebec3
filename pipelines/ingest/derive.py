"""From staged rows to incidents, netted rows and quarantine, inside the store.

Shared by the build and by ``beatprofile check`` (which stages into a scratch
store). Every staged row ends in exactly one of ``incidents``, ``netted``,
``quarantine`` or ``filtered`` (rows the source profile's ``[filter]`` sets
aside, with their raw line like quarantined rows).

Only the rows a rule needs reach pandas, so memory stays bounded at millions
of rows: duplicate candidates (rows whose record identity repeats),
reversal groups (an incident and offense code with a ``count = -1`` row), and
for area assignment the few columns it reads. Everything else moves from
``staged`` to its destination table in SQL, joined on the staged row id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import duckdb
import geopandas as gpd
import pandas as pd
import pyarrow as pa

from pipelines import schema as s
from pipelines import store
from pipelines.identity import UPDATED_AT, RecordIdentity
from pipelines.ingest.areas import assign_areas
from pipelines.ingest.dedupe import GROUP, VERSION, keep_latest_versions
from pipelines.ingest.normalize import ISSUE, ISSUE_MESSAGE
from pipelines.ingest.placeholders import (
    PLACEHOLDER,
    mark_placeholders,
    no_location_messages,
    placeholder_counts,
    placeholder_table,
)
from pipelines.ingest.reversals import NETTED_ROLE, net_reversals
from pipelines.settings import Settings

ROW = s.STAGED_ROW
FATE = "_fate"  # staged rows that are netted or quarantined, with why
_STAGING_ONLY = (ROW, s.RAW, ISSUE, ISSUE_MESSAGE, UPDATED_AT)
_QUARANTINE_TEXT = (
    s.SOURCE,
    s.FILE,
    s.LINE,
    s.INCIDENT_ID,
    s.OFFENSE_CODE,
    s.OFFENSE_DESC,
)
UNMATCHED_MESSAGE = (
    "reversal (count -1) with no earlier record of the same incident and offense "
    "code in the loaded data"
)


@dataclass(frozen=True)
class DeriveSummary:
    """Row counts of one derive; ``read == kept + quarantined + filtered`` always."""

    read: int
    incidents: int
    netted: int
    quarantined: int
    quarantined_by_reason: dict[str, int]
    net_crimes: int
    calls: int
    agreement: pd.DataFrame
    layers: dict[str, gpd.GeoDataFrame]
    filtered: int = 0
    placeholders: dict[str, int] = field(default_factory=dict)

    @property
    def kept(self) -> int:
        return self.incidents + self.netted


def derive_incidents(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    finest: gpd.GeoDataFrame,
    identities: dict[str, RecordIdentity],
    file_order: dict[str, int],
    origins: Mapping[str, tuple[float, float]] | None = None,
) -> DeriveSummary:
    """Dedupe, net reversals, assign areas; write incidents, netted, quarantine.

    Parameters
    ----------
    con : DuckDBPyConnection
        A store holding the ``staged`` table (replaced tables are written here).
    settings : Settings
        Levels and tolerance.
    finest : GeoDataFrame
        The finest level's polygons in the analysis CRS.
    identities : dict
        Each source's record identity (older versions and copies are
        quarantined as duplicates; a source not listed is not deduplicated).
    file_order : dict
        Load order of export files (the most recent version wins).
    origins : mapping, optional
        Per source, the lon/lat image of its CRS's ``0, 0``
        (:func:`pipelines.ingest.placeholders.source_origins`), for the ``zero_xy``
        placeholder rule.

    Returns
    -------
    DeriveSummary

    Raises
    ------
    AssertionError
        If a staged row did not reach exactly one destination.
    """
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {FATE} ({ROW} BIGINT, reason VARCHAR, "
        f"message VARCHAR, {NETTED_ROLE} VARCHAR)"
    )
    con.execute(
        f"INSERT INTO {FATE} SELECT {ROW}, {ISSUE}, {ISSUE_MESSAGE}, NULL "
        f"FROM staged WHERE {ISSUE} IN ('unparseable_row', '{s.FILTERED_REASON}')"
    )
    _quarantine_duplicates(con, identities, file_order)
    _net_reversal_groups(con)
    con.execute(
        f"INSERT INTO {FATE} SELECT {ROW}, {ISSUE}, {ISSUE_MESSAGE}, NULL FROM staged "
        f"WHERE {ISSUE} IS NOT NULL AND {ROW} NOT IN (SELECT {ROW} FROM {FATE})"
    )
    assignment = _assign(con, settings, finest, origins or {})
    _write_destinations(con, settings)
    return _summary(con, assignment)


def _quarantine_duplicates(
    con: duckdb.DuckDBPyConnection,
    identities: dict[str, RecordIdentity],
    file_order: dict[str, int],
) -> None:
    """Older versions and copies of a record (only repeated identities are
    fetched: a key seen in more than one row, or more than one export)."""
    for source in sorted(identities):
        identity = identities[source]
        columns = ", ".join(_quote(c) for c in identity.columns)
        repeated = (
            "min(file) OVER w <> max(file) OVER w"
            if identity.repeats == "separate"
            else "count(*) OVER w > 1"
        )
        version = (
            f", {_quote(identity.version)} AS {VERSION}" if identity.version else ""
        )
        empty_id = f"AND {s.INCIDENT_ID} <> '' " if identity.key else ""
        candidates = con.execute(
            f"SELECT {ROW}, {s.INCIDENT_ID}, {s.FILE}, {s.LINE}{version}, "
            f"min({ROW}) OVER w AS {GROUP} FROM staged "
            f"WHERE {s.SOURCE} = ? {empty_id}"
            f"AND {ROW} NOT IN (SELECT {ROW} FROM {FATE}) "
            f"WINDOW w AS (PARTITION BY {columns}) QUALIFY {repeated}",
            [source],
        ).df()
        if candidates.empty:
            continue
        duplicates = keep_latest_versions(candidates, identity, file_order).duplicates
        _record_fate(
            con,
            pd.DataFrame(
                {
                    ROW: duplicates[ROW].to_numpy(),
                    "reason": "duplicate",
                    "message": duplicates["message"].to_numpy(),
                }
            ),
        )


def _net_reversal_groups(con: duckdb.DuckDBPyConnection) -> None:
    """Net the groups (source, incident, offense code) that hold a -1 row."""
    key = f"{s.SOURCE}, {s.INCIDENT_ID}, {s.OFFENSE_CODE}"
    groups = con.execute(
        f"SELECT {ROW}, {key}, {s.COUNT}, {s.REPORTED_AT}, {s.FILE}, "
        f"{s.LINE} FROM staged WHERE {ROW} NOT IN (SELECT {ROW} FROM {FATE}) "
        f"AND ({key}) IN (SELECT {key} FROM staged WHERE {s.COUNT} = -1) "
        f"ORDER BY {ROW}"
    ).df()
    if groups.empty:
        return
    netting = net_reversals(groups)
    _record_fate(
        con,
        pd.concat(
            [
                pd.DataFrame(
                    {
                        ROW: netting.netted[ROW].to_numpy(),
                        NETTED_ROLE: netting.netted[NETTED_ROLE].to_numpy(),
                    }
                ),
                pd.DataFrame(
                    {
                        ROW: netting.unmatched[ROW].to_numpy(),
                        "reason": "reversal_without_original",
                        "message": UNMATCHED_MESSAGE,
                    }
                ),
            ],
            ignore_index=True,
        ),
    )


def _assign(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    finest: gpd.GeoDataFrame,
    origins: Mapping[str, tuple[float, float]],
):
    """Assign the counted rows to areas; write ``_assigned``; quarantine the rest.

    Only the row id, source, coordinates and labels are fetched. Placeholder
    points (geo.placeholders) are unlocated first.
    """
    labels = [s.label_column(level) for level in settings.level_names]
    rows = con.execute(
        f"SELECT {ROW}, {s.SOURCE}, {s.X}, {s.Y}, {s.LON}, {s.LAT}, {s.LOCATED}, "
        f"{', '.join(labels)} FROM staged "
        f"WHERE {ROW} NOT IN (SELECT {ROW} FROM {FATE}) ORDER BY {ROW}"
    ).df()
    rows = mark_placeholders(rows, tuple(finest.total_bounds), origins)
    areas = assign_areas(rows, finest, settings.levels, settings.tolerance_m)
    placeholders = placeholder_table(rows, areas.assigned[ROW].to_numpy())
    store.replace_table(con, "location_placeholders", placeholders)
    area_columns = _area_columns(settings)
    assigned = pa.table(
        {
            ROW: areas.assigned[ROW].to_numpy("int64"),
            s.LOCATED: areas.assigned[s.LOCATED].to_numpy(bool),
            PLACEHOLDER: pa.array(
                areas.assigned[PLACEHOLDER].to_numpy(object),
                type=pa.string(),
                from_pandas=True,
            ),
            **{
                c: pa.array(
                    areas.assigned[c].to_numpy(object),
                    type=pa.string(),
                    from_pandas=True,  # NaN (no parent area) -> NULL
                )
                for c in area_columns
            },
        }
    )
    store.replace_table(con, "_assigned", assigned)
    _record_fate(
        con,
        pd.concat(
            [
                _reasons(
                    areas.outside,
                    "outside_jurisdiction",
                    f"location is more than {settings.tolerance_m} m outside "
                    "every area of the finest level",
                ),
                _reasons(
                    areas.no_location,
                    "no_location",
                    no_location_messages(areas.no_location[PLACEHOLDER]),
                ),
            ],
            ignore_index=True,
        ),
    )
    del rows, assigned
    return areas, placeholder_counts(placeholders)


def _reasons(rows: pd.DataFrame, reason: str, message) -> pd.DataFrame:
    return pd.DataFrame(
        {ROW: rows[ROW].to_numpy(), "reason": reason, "message": message}
    )


def _record_fate(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    full = frame.reindex(columns=[ROW, "reason", "message", NETTED_ROLE]).astype(
        {ROW: "int64", "reason": object, "message": object, NETTED_ROLE: object}
    )
    con.register("_fate_rows", full)
    try:
        con.execute(f"INSERT INTO {FATE} SELECT * FROM _fate_rows")
    finally:
        con.unregister("_fate_rows")


def _write_destinations(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """incidents, netted and quarantine from ``staged`` joined to the outcomes."""
    staged_columns = [r[0] for r in con.execute("DESCRIBE staged").fetchall()]
    kept_columns = [c for c in staged_columns if c not in _STAGING_ONLY]
    area_columns = _area_columns(settings)
    incident_select = ", ".join(_incident_column(c) for c in kept_columns)
    con.execute(
        f"CREATE OR REPLACE TABLE incidents AS SELECT {incident_select}, "
        f"{', '.join('a.' + c for c in area_columns)} "
        f"FROM staged st JOIN _assigned a ON st.{ROW} = a.{ROW}"
    )
    store.create_crimes_view(con)
    con.execute(
        f"CREATE OR REPLACE TABLE netted AS SELECT "
        f"{', '.join('st.' + _quote(c) for c in kept_columns)}, f.{NETTED_ROLE} "
        f"FROM staged st JOIN {FATE} f ON st.{ROW} = f.{ROW} "
        f"WHERE f.{NETTED_ROLE} IS NOT NULL ORDER BY st.{ROW}"
    )
    con.execute(
        f"CREATE OR REPLACE TABLE quarantine AS SELECT "
        f"{', '.join('st.' + _quote(c) for c in _QUARANTINE_TEXT)}, f.reason, "
        f"f.message, st.{s.LON}, st.{s.LAT}, st.{s.RAW} "
        f"FROM staged st JOIN {FATE} f ON st.{ROW} = f.{ROW} "
        f"WHERE f.reason IS NOT NULL AND f.reason <> '{s.FILTERED_REASON}' "
        f"ORDER BY st.{ROW}"
    )
    con.execute(
        f"CREATE OR REPLACE TABLE filtered AS SELECT "
        f"{', '.join('st.' + _quote(c) for c in _QUARANTINE_TEXT)}, f.reason, "
        f"f.message, st.{s.LON}, st.{s.LAT}, st.{s.RAW} "
        f"FROM staged st JOIN {FATE} f ON st.{ROW} = f.{ROW} "
        f"WHERE f.reason = '{s.FILTERED_REASON}' ORDER BY st.{ROW}"
    )
    con.execute("DROP TABLE _assigned")


def _area_columns(settings: Settings) -> list[str]:
    """``area_<level>`` and ``method_<level>`` for every level, finest first."""
    return [
        c
        for level in settings.level_names
        for c in (s.area_column(level), s.method_column(level))
    ]


def _incident_column(column: str) -> str:
    """SELECT term of one incident column (a placeholder point keeps no coordinates)."""
    if column == s.LOCATED:
        return f"a.{column}"
    if column in (s.X, s.Y, s.LON, s.LAT):
        return f"CASE WHEN a.{PLACEHOLDER} IS NULL THEN st.{column} END AS {column}"
    return f"st.{_quote(column)}"


def _quote(column: str) -> str:
    return f'"{column}"'


def _summary(con: duckdb.DuckDBPyConnection, assignment) -> DeriveSummary:
    areas, placeholders = assignment

    def scalar(sql: str) -> int:
        return int(con.execute(sql).fetchone()[0])

    by_reason = dict(
        con.execute(
            "SELECT reason, count(*) FROM quarantine GROUP BY reason ORDER BY reason"
        ).fetchall()
    )
    summary = DeriveSummary(
        read=scalar("SELECT count(*) FROM staged"),
        incidents=scalar("SELECT count(*) FROM incidents"),
        netted=scalar("SELECT count(*) FROM netted"),
        quarantined=scalar("SELECT count(*) FROM quarantine"),
        filtered=scalar("SELECT count(*) FROM filtered"),
        quarantined_by_reason={k: int(v) for k, v in by_reason.items()},
        net_crimes=scalar(f"SELECT count(*) FROM {store.CRIMES}"),
        calls=scalar(f"SELECT count(*) FROM incidents WHERE {s.KIND} = 'call'"),
        agreement=areas.agreement,
        layers=areas.layers,
        placeholders=placeholders,
    )
    con.execute(f"DROP TABLE {FATE}")
    if summary.read != summary.kept + summary.quarantined + summary.filtered:
        raise AssertionError(
            f"conservation broken: read {summary.read} != kept {summary.kept} + "
            f"quarantined {summary.quarantined} + filtered {summary.filtered}"
        )
    return summary
