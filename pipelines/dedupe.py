"""One record per (source, incident id) for sources whose ids are unique.

Overlapping extracts (this month's export repeating last month's tail, two
copies of the same portal data) carry the same incident more than once. The
most recent version is kept: the latest ``updated_at`` where the source has
one, otherwise the one from the export loaded last (then the later line). The
others are quarantined as ``duplicate`` with a message naming the kept row.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipelines import schema as s

UPDATED_AT = "updated_at"


@dataclass(frozen=True)
class DedupeResult:
    """``kept`` + ``duplicates`` has exactly the rows of the input."""

    kept: pd.DataFrame
    duplicates: pd.DataFrame


def keep_latest_versions(
    rows: pd.DataFrame, unique_sources: set[str], file_order: dict[str, int]
) -> DedupeResult:
    """Keep the most recent version of each incident of the ``unique_sources``.

    Parameters
    ----------
    rows : DataFrame
        Staged rows with ``source``, ``incident_id``, ``file``, ``line`` and
        (optionally) ``updated_at``.
    unique_sources : set of str
        Sources whose incident ids identify one record each.
    file_order : dict
        Load order of each export file name (higher = loaded later).

    Returns
    -------
    DedupeResult
        ``duplicates`` has a ``message`` column saying which row was kept.
    """
    scope = rows[s.SOURCE].isin(unique_sources) & (rows[s.INCIDENT_ID] != "")
    if not scope.any():
        return DedupeResult(rows, rows.iloc[0:0].assign(message=""))
    sub = rows[scope]
    updated = (
        sub[UPDATED_AT] if UPDATED_AT in sub else pd.Series(pd.NaT, index=sub.index)
    )
    order = pd.DataFrame(
        {
            # NaT becomes the smallest integer: records without a date sort first.
            "updated": pd.to_datetime(updated).astype("datetime64[ns]").astype("int64"),
            "file_rank": sub[s.FILE].map(file_order).fillna(-1).to_numpy(),
            "line": sub[s.LINE].to_numpy(),
            "key_source": sub[s.SOURCE].to_numpy(),
            "key_id": sub[s.INCIDENT_ID].to_numpy(),
        },
        index=sub.index,
    ).sort_values(["key_source", "key_id", "updated", "file_rank", "line"])
    latest = ~order.duplicated(["key_source", "key_id"], keep="last")
    kept_index = order.index[latest]
    dup_index = order.index[~latest]
    if len(dup_index) == 0:
        return DedupeResult(rows, rows.iloc[0:0].assign(message=""))
    winner = (
        order[latest]
        .assign(
            at=sub.loc[kept_index, s.FILE]
            + " line "
            + sub.loc[kept_index, s.LINE].astype(str)
        )
        .set_index(["key_source", "key_id"])["at"]
    )
    losers = order.loc[dup_index]
    kept_at = winner.reindex(pd.MultiIndex.from_frame(losers[["key_source", "key_id"]]))
    duplicates = rows.loc[dup_index].assign(
        message="an older version of incident "
        + losers["key_id"].to_numpy()
        + "; the most recent is kept ("
        + kept_at.to_numpy()
        + ")"
    )
    return DedupeResult(rows.drop(index=dup_index), duplicates)
