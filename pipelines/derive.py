"""From staged rows to incidents, netted rows and quarantine (pure; no store).

Shared by the build (which writes the result) and ``beatprofile check`` (which
only reports it). Every staged row ends in exactly one of ``incidents``,
``netted`` or ``quarantine``.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from pipelines import schema as s
from pipelines.areas import AreaAssignment, assign_areas
from pipelines.dedupe import keep_latest_versions
from pipelines.ingest import ISSUE, ISSUE_MESSAGE
from pipelines.reversals import net_reversals
from pipelines.settings import Settings

QUARANTINE_COLUMNS = [
    s.SOURCE,
    s.FILE,
    s.LINE,
    s.INCIDENT_ID,
    s.OFFENSE_CODE,
    s.OFFENSE_DESC,
    "reason",
    "message",
    s.RAW,
    s.LON,
    s.LAT,
]
_STAGING_ONLY = [s.RAW, ISSUE, ISSUE_MESSAGE, "updated_at"]
ROW = "_row"  # the staged row's id, when raw text is fetched only for quarantine


@dataclass(frozen=True)
class Derived:
    """The three destinations of staged rows, and the area assignment behind them."""

    incidents: pd.DataFrame
    netted: pd.DataFrame
    quarantine: pd.DataFrame
    areas: AreaAssignment

    @property
    def kept(self) -> int:
        return len(self.incidents) + len(self.netted)


def derive_incidents(
    staged: pd.DataFrame,
    settings: Settings,
    finest: gpd.GeoDataFrame,
    unique_sources: set[str],
    file_order: dict[str, int],
) -> Derived:
    """Dedupe, net reversals, assign areas and quarantine what cannot be used.

    Parameters
    ----------
    staged : DataFrame
        All staged rows (output of ``normalize_export`` for every export).
    settings : Settings
        Levels and tolerance.
    finest : GeoDataFrame
        The finest level's polygons in the analysis CRS.
    unique_sources : set of str
        Sources whose incident ids identify one record (duplicates dropped).
    file_order : dict
        Load order of export files (the most recent version wins).

    Returns
    -------
    Derived
    """
    unparseable = staged[ISSUE] == "unparseable_row"
    dedupe = keep_latest_versions(staged[~unparseable], unique_sources, file_order)
    netting = net_reversals(dedupe.kept)
    counted = netting.counted
    has_issue = counted[ISSUE].notna()
    areas = assign_areas(
        counted[~has_issue], finest, settings.levels, settings.tolerance_m
    )
    quarantine = pd.concat(
        [
            _quarantine(staged[unparseable]),
            _quarantine(dedupe.duplicates, "duplicate", dedupe.duplicates["message"]),
            _quarantine(
                netting.unmatched,
                "reversal_without_original",
                "reversal (count -1) with no earlier record of the same "
                "incident and offense code in the loaded data",
            ),
            _quarantine(counted[has_issue]),
            _quarantine(
                areas.outside,
                "outside_jurisdiction",
                f"location is more than {settings.tolerance_m} m outside "
                "every area of the finest level",
            ),
            _quarantine(
                areas.no_location,
                "no_location",
                "no usable coordinates and no area label",
            ),
        ],
        ignore_index=True,
    )
    derived = Derived(
        incidents=areas.assigned.drop(columns=[*_STAGING_ONLY, ROW], errors="ignore"),
        netted=netting.netted.drop(
            columns=[c for c in _STAGING_ONLY if c != s.RAW], errors="ignore"
        ),
        quarantine=quarantine,
        areas=areas,
    )
    if len(staged) != derived.kept + len(quarantine):
        raise AssertionError(
            f"conservation broken: read {len(staged)} != kept {derived.kept} + "
            f"quarantined {len(quarantine)}"
        )
    return derived


def _quarantine(
    rows: pd.DataFrame,
    reason: str | None = None,
    message: str | pd.Series | None = None,
) -> pd.DataFrame:
    out = rows.assign(
        reason=reason if reason else rows[ISSUE],
        message=message if message is not None else rows[ISSUE_MESSAGE],
    )
    columns = [c for c in [*QUARANTINE_COLUMNS, ROW] if c in out.columns]
    return out[columns].reset_index(drop=True)
