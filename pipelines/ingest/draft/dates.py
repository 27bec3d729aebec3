"""Date helpers of the profile drafter: formats that cannot be told apart,
separate date and time columns, and why a date-like column was not used.

Kept apart from :mod:`pipelines.ingest.draft.profile` so that module stays a size one
can read; everything here works on plain Series and column names.
"""

from __future__ import annotations

import re

import pandas as pd

TIME_ONLY = re.compile(r"^\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(\s?[AaPp]\.?[Mm]\.?)?$")
# header words of a date or time column that say nothing about which time it is
DATE_WORDS = frozenset({"date", "time", "datetime", "dt", "timestamp", "stamp"})
# a header word that makes a column worth naming when no occurred_at is found
CONSIDERED_WORDS = DATE_WORDS | {"occurred", "occur", "occurrence", "reported", "day"}
_OFFSET = re.compile(r"\d[+-]\d{2}(:?\d{2})?$")


def ambiguous_formats(
    values: pd.Series, chosen: tuple[str, ...], formats: tuple[str, ...]
) -> tuple[str, ...]:
    """Formats that read every value ``chosen[0]`` reads, into other dates.

    ``01/02/19`` is 2 January in ``%m/%d/%y`` and 1 February in ``%d/%m/%y``;
    when no sampled value has a day above 12, the sample cannot say which is
    meant and the draft must ask.

    Example
    -------
    >>> ambiguous_formats(pd.Series(["01/02/19"]), ("%m/%d/%y",), ("%d/%m/%y",))
    ('%d/%m/%y',)
    """
    if not chosen:
        return ()
    values = values.astype(str).str.strip()
    first = _read(values, chosen[0])
    read = values[first.notna()]
    if read.empty:
        return ()
    rivals = []
    for fmt in formats:
        if fmt in chosen:
            continue
        other = _read(read, fmt)
        if other.notna().all() and (other != first[read.index]).any():
            rivals.append(fmt)
    return tuple(rivals)


def time_only_share(values: pd.Series) -> float:
    """Share of values that are a time of day alone (``21:45:00``, ``6:08 PM``)."""
    if values.empty:
        return 0.0
    return float(values.astype(str).str.strip().str.match(TIME_ONLY).mean())


def date_time_pairs(
    date_only: dict[str, frozenset[str]], time_only: dict[str, frozenset[str]]
) -> list[tuple[str, str]]:
    """(date column, time column) pairs whose headers name the same time.

    ``dispatch_date`` goes with ``dispatch_time`` and ``Date`` with ``Time``:
    the header words left once date and time words are removed are equal.
    Each argument maps a column name to its header words.

    Example
    -------
    >>> date_time_pairs({"dispatch_date": frozenset({"dispatch", "date"})},
    ...                 {"dispatch_time": frozenset({"dispatch", "time"})})
    [('dispatch_date', 'dispatch_time')]
    """
    pairs = []
    for date, date_words in date_only.items():
        for time, time_words in time_only.items():
            if date != time and date_words - DATE_WORDS == time_words - DATE_WORDS:
                pairs.append((date, time))
                break
    return pairs


def joined_sample(rows: pd.DataFrame, date: str, time: str, n: int) -> pd.Series:
    """``date time`` text of up to ``n`` rows with a date, evenly spaced."""
    day = rows[date].astype(str).str.strip()
    text = (day + " " + rows[time].astype(str).str.strip()).str.strip()
    text = text[day != ""]
    return text.iloc[:: max(1, len(text) // n)].iloc[:n]


def not_date_reason(values: pd.Series, like: float) -> str:
    """Why a column whose header sounds like a date was not read as one."""
    example = f" (e.g. {values.iloc[0]!r})" if not values.empty else ""
    if like == 0:
        return f"no value looks like a date{example}"
    return f"only {like:.0%} of sampled values look like dates{example}"


def unparsed_reason(values: pd.Series, share: float, formats: tuple[str, ...]) -> str:
    """Why a date-like column whose values mostly fail to parse was not used."""
    read = pd.Series(False, index=values.index)
    for fmt in formats:
        read |= _read(values, fmt).notna()
    rest = values[~read]
    example = f", e.g. {rest.iloc[0]!r}" if not rest.empty else ""
    if not rest.empty and _OFFSET.search(rest.iloc[0]):
        example += " (a UTC offset such as '+00' is not read)"
    return f"only {share:.0%} of sampled values parse with a known date format{example}"


def _read(values: pd.Series, fmt: str) -> pd.Series:
    try:
        return pd.to_datetime(values, format=fmt, errors="coerce")
    except (ValueError, TypeError, OverflowError):
        return pd.Series(pd.NaT, index=values.index)
