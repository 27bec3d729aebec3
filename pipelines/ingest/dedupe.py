"""Record identity: one record per identity, whatever the overlap of the exports.

Overlapping extracts (this month's export repeating last month's tail, two
copies of the same portal data) carry the same record more than once. Every
source has an identity (:class:`pipelines.identity.RecordIdentity`):

- ``unique_ids = true``: the incident id alone;
- a declared ``[identity] key`` (SLMPD: complaint, offense code and coded
  month, because the department lists a row in each month it counts or
  reverses a crime);
- otherwise the whole row: rows equal in every field are copies.

The most recent version is kept: the latest ``version`` column where the
identity has one, otherwise the export loaded last, then the later line. The
others are quarantined as ``duplicate`` with a message naming the kept row.
With ``repeats = "separate"`` the rows sharing a key inside one export are
separate records (SLMPD lists one row per victim): a later export holding the
key replaces all of them, and no row of one export replaces another.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipelines import schema as s
from pipelines.identity import RecordIdentity

GROUP = "_group"  # one value per identity (the smallest staged row id of it)
VERSION = "_version"


@dataclass(frozen=True)
class DedupeResult:
    """``kept`` + ``duplicates`` has exactly the rows of the input."""

    kept: pd.DataFrame
    duplicates: pd.DataFrame


def keep_latest_versions(
    rows: pd.DataFrame, identity: RecordIdentity, file_order: dict[str, int]
) -> DedupeResult:
    """Keep the most recent version of each record of one source.

    Parameters
    ----------
    rows : DataFrame
        Staged rows of one source with ``file``, ``line``, ``incident_id``,
        ``_group`` (equal for rows of the same identity) and optionally
        ``_version``.
    identity : RecordIdentity
        The source's identity (``repeats`` decides whether rows of one export
        can replace each other).
    file_order : dict
        Load order of each export file name (higher = loaded later).

    Returns
    -------
    DedupeResult
        ``duplicates`` has a ``message`` column saying which row was kept.

    Example
    -------
    Two exports both holding complaint 19-1 keep the row of the later one.
    """
    if rows.empty:
        return DedupeResult(rows, rows.assign(message=""))
    version = rows[VERSION] if VERSION in rows else pd.Series(pd.NaT, index=rows.index)
    order = pd.DataFrame(
        {
            GROUP: rows[GROUP].to_numpy(),
            # NaT becomes the smallest integer: records without a date sort first.
            "v": pd.to_datetime(version).astype("datetime64[ns]").astype("int64"),
            "rank": rows[s.FILE].map(file_order).fillna(-1).to_numpy(),
            "line": rows[s.LINE].to_numpy(),
        },
        index=rows.index,
    ).sort_values([GROUP, "v", "rank", "line"])
    winners = order.groupby(GROUP).tail(1)
    at = (rows.loc[winners.index, s.FILE] + " line ").to_numpy() + rows.loc[
        winners.index, s.LINE
    ].astype(str).to_numpy()
    kept_at = pd.Series(at, index=winners[GROUP].to_numpy())
    win_file = pd.Series(
        rows.loc[winners.index, s.FILE].to_numpy(), index=winners[GROUP].to_numpy()
    )
    if identity.repeats == "separate":
        lose = rows[s.FILE].to_numpy() != win_file.reindex(rows[GROUP]).to_numpy()
    else:
        lose = ~rows.index.isin(winners.index)
    losers = rows[lose]
    where = kept_at.reindex(losers[GROUP]).to_numpy()
    if identity.key:
        message = (
            "an older version of incident "
            + losers[s.INCIDENT_ID].fillna("").to_numpy()
            + f" (same {identity.describe()}); the most recent is kept ("
            + where
            + ")"
        )
    else:
        message = "an exact copy (every field equal) of the row kept at " + where
    return DedupeResult(rows[~lose], losers.assign(message=message))
