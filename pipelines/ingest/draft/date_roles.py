"""Date columns of a draft: which column plays which date role, and its formats."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from pipelines.ingest.draft.columns import (
    _DATE_LIKE,
    _DATE_ROLES,
    _NOT_OCCURRED,
    _OCCURRED,
    DATE_FORMATS,
    SAMPLE_ROWS,
    Guess,
    _Column,
    _words_score,
)
from pipelines.ingest.draft.dates import (
    CONSIDERED_WORDS,
    ambiguous_formats,
    date_time_pairs,
    joined_sample,
    not_date_reason,
    time_only_share,
    unparsed_reason,
)


def detect_date_formats(
    values: pd.Series, formats: tuple[str, ...] = DATE_FORMATS, most: int = 4
) -> tuple[tuple[str, ...], float]:
    """Formats that together parse the most values, best first, and the share parsed.

    Formats are chosen greedily: the one parsing the most values, then the one
    parsing the most of the rest, while one adds anything (at most ``most``).
    Ties go to the format listed first in ``formats``.

    Example
    -------
    >>> detect_date_formats(pd.Series(["06/15/2019 14:30", "2019-06-15"]))
    (('%m/%d/%Y %H:%M', '%Y-%m-%d'), 1.0)
    """
    values = values.astype(str).str.strip()
    values = values[values != ""]
    if values.empty:
        return (), 0.0
    done = pd.Series(False, index=values.index)
    chosen: list[str] = []
    while len(chosen) < most and not done.all():
        hits = {f: _parses(values[~done], f) for f in formats if f not in chosen}
        best = max(hits, key=lambda f: (hits[f].sum(), -formats.index(f)), default=None)
        if best is None or not hits[best].any():
            break
        chosen.append(best)
        done[hits[best].index[hits[best]]] = True
    return tuple(chosen), float(done.mean())


def _parses(values: pd.Series, fmt: str) -> pd.Series:
    try:
        return pd.to_datetime(values, format=fmt, errors="coerce").notna()
    except (ValueError, TypeError, OverflowError):
        return pd.Series(False, index=values.index)


# --- dates ---------------------------------------------------------------------


def _guess_dates(cols: dict[str, _Column], rows: pd.DataFrame) -> dict[str, Guess]:
    """Date columns (or date + time column pairs), their formats, and which
    canonical time each one is; ``rejected.occurred_at`` says why others were not
    used. Stand-ins for a missing occurred_at are chosen by :func:`_settle_kind`."""
    found: dict[str, list[tuple[float, _Column, tuple[str, ...], float, object]]] = {}
    rejected: list[tuple[str, str]] = []
    singles = [(c.name, c) for c in cols.values()]
    for value, col in [*singles, *_paired_columns(cols, rows)]:
        like = float(col.values.str.match(_DATE_LIKE).mean()) if len(col.values) else 0
        if like < 0.8:
            if col.words & CONSIDERED_WORDS and time_only_share(col.values) < 0.9:
                rejected.append((col.name, not_date_reason(col.values, like)))
            continue
        formats, share = detect_date_formats(col.values)
        role, rank = _date_role(col)
        if role is None:
            why = "the header says it is an end or last time, not when it began"
            rejected.append((col.name, why))
        elif share < 0.9:
            rejected.append((col.name, unparsed_reason(col.values, share, formats)))
        else:
            timed = any(d in f for f in formats for d in ("%H", "%I"))
            rank -= 0.5 * (not timed)  # a date alone loses to a date with its time
            found.setdefault(role, []).append((rank, col, formats, share, value))
    out: dict[str, Guess] = {}
    for role, options in found.items():
        rank, col, formats, share, value = max(
            options, key=lambda o: (o[0], o[1].filled)
        )
        out |= _date_guesses(role, rank, col, formats, share, value)
    out["rejected.occurred_at"] = Guess(tuple(rejected), 0.0, "date-like, not used")
    return out


def _date_guesses(
    role: str,
    rank: float,
    col: _Column,
    formats: tuple[str, ...],
    share: float,
    value: object,
) -> dict[str, Guess]:
    """The role's column guess and its ``dates.<role>`` formats guess."""
    why = (
        "the header says so"
        if rank >= 3
        else f"`{col.name}` is a generic date header: check it is when the "
        "offense occurred"
    )
    joined = (
        " (date and time columns read together)" if isinstance(value, tuple) else ""
    )
    column = Guess(
        value,
        round(min(share, 0.4 + min(rank, 3) / 5), 2),
        f"dates ({share:.0%} of a sample parse){joined}; {role}: {why}",
    )
    mixed = "; values mix formats, tried in turn" if len(formats) > 1 else ""
    note, confidence = (
        f"{' / '.join(formats)} parses {share:.1%} of a sample{mixed}",
        share,
    )
    rivals = ambiguous_formats(col.values, formats, DATE_FORMATS)
    if rivals:
        note += (
            f"; no sampled value tells it from {' / '.join(rivals)} (no day above "
            "12): check which order the export writes"
        )
        confidence = min(share, 0.5)
    return {role: column, f"dates.{role}": Guess(formats, confidence, note)}


def _paired_columns(
    cols: dict[str, _Column], rows: pd.DataFrame
) -> list[tuple[tuple[str, str], _Column]]:
    """A date-only column and its time-only partner, read as one column."""
    date_only = {
        c.name: c.words
        for c in cols.values()
        if len(c.values)
        and c.values.str.match(_DATE_LIKE).mean() >= 0.8
        and not c.values.str.contains(":").any()
    }
    time_only = {
        c.name: c.words for c in cols.values() if time_only_share(c.values) >= 0.9
    }
    out = []
    for date, time in date_time_pairs(date_only, time_only):
        values = joined_sample(rows, date, time, SAMPLE_ROWS)
        both = replace(
            cols[date],
            name=f"{date}` + `{time}",
            words=cols[date].words | cols[time].words,
            values=values,
            filled=min(cols[date].filled, cols[time].filled),
        )
        out.append(((date, time), both))
    return out


def _date_role(col: _Column) -> tuple[str | None, float]:
    for role, words in _DATE_ROLES:
        if col.words & words:
            return role, 3.0
    if col.words & _NOT_OCCURRED:
        return None, 0.0
    return "occurred_at", _words_score(col, _OCCURRED)
