"""Reading numbers and dates from export text, exactly as pandas does, faster.

Dates use a source profile's strptime formats: each distinct text is read once,
and fixed-width numeric layouts (such as ``%m/%d/%Y %H:%M`` or ``%Y-%m``) are
read with array arithmetic. Numbers written as plain decimals of up to 15
digits (which every correctly rounding parser reads to the same double) are
cast by Arrow. Anything else goes through ``pandas.to_datetime`` or
``pandas.to_numeric``, so the results are what those give on their own.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Directives read arithmetically, with their width in digits (zero-padded).
_DIGITS = {"Y": 4, "m": 2, "d": 2, "H": 2, "M": 2, "S": 2}
_US = {"H": 3_600_000_000, "M": 60_000_000, "S": 1_000_000}
_PLAIN_DECIMAL = r"^-?[0-9]+(\.[0-9]+)?$"
_NEGATIVE_ZERO = r"^-0+$"
_PLAIN_CHARS = 15  # at most 15 digits: exact in a double, one rounding at most


def parse_numbers(values: pd.Series) -> np.ndarray:
    """``pd.to_numeric(values, errors="coerce")`` as a float64 array.

    Example
    -------
    >>> parse_numbers(pd.Series(["907309.5", "", "x"]))
    array([907309.5,      nan,      nan])
    """
    text = pa.array(values.astype(str), type=pa.large_string())
    empty = pc.equal(text, "")
    plain = pc.and_(
        pc.and_(
            pc.match_substring_regex(text, _PLAIN_DECIMAL),
            pc.less_equal(pc.utf8_length(text), _PLAIN_CHARS),
        ),
        # pandas reads "-0" as 0 or -0 depending on the other values
        pc.invert(pc.match_substring_regex(text, _NEGATIVE_ZERO)),
    )
    if pc.all(pc.or_(plain, empty)).as_py() is False:
        return pd.to_numeric(values, errors="coerce").to_numpy("float64")
    numbers = pc.cast(
        pc.if_else(empty, pa.scalar(None, pa.large_string()), text), pa.float64()
    )
    return numbers.to_numpy(zero_copy_only=False)


def parse_dates(values: pd.Series, formats: tuple[str, ...]) -> pd.Series:
    """Timestamps from text; NaT where the text is empty or matches no format.

    Parameters
    ----------
    values : Series
        Date text, stripped.
    formats : tuple of str
        strptime formats tried in turn on the values earlier ones could not
        read; with none, each value's own layout is inferred.

    Returns
    -------
    Series
        ``datetime64[us]``, on ``values``' index.

    Example
    -------
    >>> parse_dates(pd.Series(["06/15/2019 14:30", ""]), ("%m/%d/%Y %H:%M",))
    0   2019-06-15 14:30:00
    1                   NaT
    dtype: datetime64[us]
    """
    codes, uniques = pd.factorize(values)
    distinct = pd.Series(uniques)
    parsed = pd.Series(pd.NaT, index=distinct.index, dtype="datetime64[us]")
    for fmt in formats:
        todo = parsed.isna() & (distinct != "")
        if not todo.any():
            break
        parsed[todo] = _parse_format(distinct[todo], fmt)
    if not formats:
        todo = distinct != ""
        parsed[todo] = pd.to_datetime(distinct[todo], errors="coerce", format="mixed")
    stamps = np.append(parsed.to_numpy(), np.datetime64("NaT", "us"))
    return pd.Series(stamps[codes], index=values.index, dtype="datetime64[us]")


def _parse_format(values: pd.Series, fmt: str) -> pd.Series:
    """``pd.to_datetime(values, format=fmt, errors="coerce")``, fixed widths first."""
    layout = _fixed_layout(fmt)
    text = values.to_numpy(dtype=object)
    parsed = pd.Series(
        _read_fixed(text, *layout)
        if layout
        else np.full(len(text), np.datetime64("NaT"), dtype="datetime64[us]"),
        index=values.index,
    )
    rest = parsed.isna()
    if rest.any():
        parsed[rest] = pd.to_datetime(values[rest], format=fmt, errors="coerce")
    return parsed


def _fixed_layout(fmt: str) -> tuple[str, dict[str, int], int] | None:
    """A regex for the zero-padded form of ``fmt``, each field's offset, the width.

    None if ``fmt`` uses a directive other than those in ``_DIGITS``, repeats
    one, lacks a year or month, or has a literal that is not printable ASCII.
    Text matching the regex is read by strptime (and pandas) into the same
    fields, as every field then takes its longest (first) alternative.
    """
    pattern, offsets, position = "", {}, 0
    for part in re.split(r"(%.)", fmt):
        if part.startswith("%") and len(part) == 2:
            code = part[1]
            if code not in _DIGITS or code in offsets:
                return None
            offsets[code] = position
            pattern += rf"\d{{{_DIGITS[code]}}}"
            position += _DIGITS[code]
        elif part:
            if "%" in part or not part.isascii() or not part.isprintable():
                return None
            pattern += re.escape(part)
            position += len(part)
    if "Y" not in offsets or "m" not in offsets:
        return None
    return f"^{pattern}$", offsets, position


def _read_fixed(
    values: np.ndarray, pattern: str, offsets: dict[str, int], width: int
) -> np.ndarray:
    """Timestamps of the values in the zero-padded layout with valid fields, else NaT.

    Values outside the layout, or with a field strptime would reject or treat
    specially (year 0, 31 April, second 60), are NaT here and left to pandas.
    """
    stamps = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[us]")
    text = pa.array(values, type=pa.large_string(), from_pandas=True)
    match = pc.fill_null(pc.match_substring_regex(text, pattern), False)
    rows = np.flatnonzero(match.to_numpy(zero_copy_only=False))
    # Matching text is ASCII of exactly ``width`` characters: one byte each.
    chars = values[rows].astype(f"S{width}").view(np.uint8).reshape(-1, width) - 48
    fields = {
        code: chars[:, start : start + _DIGITS[code]].astype(np.int64)
        @ 10 ** np.arange(_DIGITS[code] - 1, -1, -1)
        for code, start in offsets.items()
    }
    year, month = fields["Y"], fields["m"]
    day = fields.get("d", np.ones_like(year))
    months = (year - 1970) * 12 + month - 1
    first = months.astype("datetime64[M]").astype("datetime64[D]")
    length = (months + 1).astype("datetime64[M]").astype("datetime64[D]") - first
    valid = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1)
    valid &= day <= length.astype(np.int64)
    stamp = (first + (day - 1)).astype("datetime64[us]")
    for code, limit in (("H", 23), ("M", 59), ("S", 59)):
        if code in fields:
            valid &= fields[code] <= limit
            stamp = stamp + fields[code] * np.timedelta64(_US[code], "us")
    stamps[rows[valid]] = stamp[valid]
    return stamps
