"""Netting reversal rows (``count = -1``) against the records they cancel.

A -1 row cancels one +1 row with the same source, incident id and offense
code that was reported in the same or an earlier month; it takes the most
recent such row that nothing has cancelled yet. A -1 row with no such
original (first counted before the loaded data begins) is quarantined as
``reversal_without_original``. Neither a matched -1 row nor the +1 row it
cancels is a crime: both are kept in the ``netted`` table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines import schema as s

_KEY = [s.SOURCE, s.INCIDENT_ID, s.OFFENSE_CODE]
_ORDER = [s.REPORTED_AT, s.FILE, s.LINE]

NETTED_ROLE = "netted_role"  # "reversal" or "cancelled"


@dataclass(frozen=True)
class NettingResult:
    """Staged rows split three ways; the three row counts add up to the input."""

    counted: pd.DataFrame
    netted: pd.DataFrame
    unmatched: pd.DataFrame


def net_reversals(rows: pd.DataFrame) -> NettingResult:
    """Cancel originals with their reversal rows.

    Parameters
    ----------
    rows : DataFrame
        Staged rows with ``count`` of 1 or -1 (other counts are not passed in).

    Returns
    -------
    NettingResult
        ``counted``: +1 rows nobody cancelled; ``netted``: matched -1 rows and
        the +1 rows they cancelled (column ``netted_role``); ``unmatched``: -1
        rows with no original.

    Example
    -------
    A +1 and a later -1 for complaint 15-1 / code 31111 leave nothing counted.
    """
    negative = (rows[s.COUNT] == -1).to_numpy()
    if not negative.any():
        return NettingResult(
            rows, rows.iloc[0:0].assign(**{NETTED_ROLE: ""}), rows.iloc[0:0]
        )
    neg_keys = rows.loc[negative, _KEY].drop_duplicates()
    involved = (
        rows.reset_index(drop=True)
        .merge(neg_keys.assign(_hit=True), on=_KEY, how="left")["_hit"]
        .fillna(False)
        .to_numpy(dtype=bool)
    )
    positions = np.flatnonzero(involved)
    sub = rows.iloc[positions].assign(_pos=positions).sort_values(_KEY + _ORDER)
    cancelled, matched, unmatched = _match_groups(sub)
    role = pd.Series("", index=range(len(rows)), dtype=object)
    role.iloc[cancelled] = "cancelled"
    role.iloc[matched] = "reversal"
    is_netted = (role != "").to_numpy()
    is_unmatched = np.zeros(len(rows), dtype=bool)
    is_unmatched[unmatched] = True
    return NettingResult(
        counted=rows[~is_netted & ~is_unmatched & ~negative],
        netted=rows[is_netted].assign(**{NETTED_ROLE: role[is_netted].to_numpy()}),
        unmatched=rows[is_unmatched],
    )


def _match_groups(sub: pd.DataFrame) -> tuple[list[int], list[int], list[int]]:
    """Greedy matching within each key group, in reporting order."""
    cancelled: list[int] = []
    matched: list[int] = []
    unmatched: list[int] = []
    counts = sub[s.COUNT].to_numpy()
    months = sub[s.REPORTED_AT].dt.to_period("M").to_numpy()
    pos = sub["_pos"].to_numpy()
    keys = sub[_KEY].to_numpy()
    start = 0
    n = len(sub)
    while start < n:
        end = start + 1
        while end < n and (keys[end] == keys[start]).all():
            end += 1
        _match_one_group(counts, months, pos, start, end, cancelled, matched, unmatched)
        start = end
    return cancelled, matched, unmatched


def _match_one_group(counts, months, pos, start, end, cancelled, matched, unmatched):
    open_positive: list[int] = []  # stack of uncancelled +1 rows, latest last
    negatives = [i for i in range(start, end) if counts[i] == -1]
    positives = [i for i in range(start, end) if counts[i] == 1]
    # A -1 may cancel a +1 coded in the same month even if listed after it.
    p = 0
    for i in negatives:
        while p < len(positives) and months[positives[p]] <= months[i]:
            open_positive.append(positives[p])
            p += 1
        if open_positive:
            cancelled.append(pos[open_positive.pop()])
            matched.append(pos[i])
        else:
            unmatched.append(pos[i])
