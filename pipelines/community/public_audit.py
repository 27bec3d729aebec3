"""The privacy audit: checks a rendered public payload against the public-safe rules.

:func:`audit_public_payload` (and :func:`audit_frame`, :func:`audit_parts_total`)
list what a payload breaks: an incident point, a forbidden string (address,
sensitive word), a count below ``k``, unescaped data text, or a total beside
parts that gives a hidden count away. Tests run it on every public page and
export; ``publish`` runs it on every table and refuses to write when it fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from pipelines import schema as s
from pipelines.community.public import (
    COUNT_CLASS,
    DEFAULT_K,
    Context,
    count_value,
)
from pipelines.errors import PublicSafetyError

_MARKUP_CHARS = {"html": "<>&\"'", "markdown": "<>", "text": ""}

# Words that name a sensitive category, whatever the source calls it; none of
# them may appear in a public payload (the withheld note avoids them too).
SENSITIVE_WORDS: tuple[str, ...] = (
    *sorted(s.SENSITIVE_CATEGORIES),
    "sex offence",
    "sexual",
    "rape",
    "domestic",
    "child abuse",
    "against children",
)


MIN_FORBIDDEN_LENGTH = 6
"""Data strings shorter than this (or without a letter) are not searched for."""


_POINT_PATTERNS = (
    re.compile(r'"type"\s*:\s*"(?:Multi)?Point"'),
    re.compile(r"\bL\.(?:marker|circleMarker|circle)\s*\("),
)


_MARKED_COUNT = re.compile(rf"\b{COUNT_CLASS}\b[^>]*>\s*(\d[\d,]*)\s*<")


_WORDED_COUNT = re.compile(
    r"(?<![\w.,])(\d[\d,]*)\s+(?:incidents?|reports?|crimes?|offen[cs]es?|cases?)\b",
    re.IGNORECASE,
)


_LABELLED_COUNT = re.compile(
    r"\b(?:incidents?|reports?|crimes?|count)\s*[:=]\s*\"?(\d[\d,]*)\b",
    re.IGNORECASE,
)


def forbidden_strings(
    values: Iterable[object], allowed: Iterable[str] = ()
) -> list[str]:
    """Data strings that must never appear in public output, cleaned for the audit.

    Keeps strings of at least ``MIN_FORBIDDEN_LENGTH`` characters with a letter,
    upper-cased with runs of spaces collapsed, minus ``allowed`` (for example
    area names, which are public, when an address field repeats one).

    Examples
    --------
    >>> forbidden_strings(["4000 N Newstead  Ave", "219", ""])
    ['4000 N NEWSTEAD AVE']
    """
    skip = {_normalize(a) for a in allowed}
    out = {
        _normalize(v)
        for v in values
        if isinstance(v, str)
        and len(v.strip()) >= MIN_FORBIDDEN_LENGTH
        and re.search(r"[A-Za-z]", v)
    }
    return sorted(out - skip)


def audit_public_payload(
    payload_text: str,
    forbidden: Iterable[str] = (),
    k: int = DEFAULT_K,
    *,
    data_strings: Iterable[str] = (),
    context: Context = "html",
    parts_totals: Iterable[tuple[Iterable[object], object]] = (),
) -> list[str]:
    """Every way ``payload_text`` breaks the public-safe rules (empty = safe).

    Checks: no point geometry or Leaflet marker; no ``forbidden`` string (at
    word boundaries, case-insensitive); no sensitive category word; no count
    below ``k`` (numbers in ``bp-count`` spans, "N incidents", "Incidents: N");
    every ``data_strings`` value that contains markup characters for
    ``context`` appears only escaped; and every ``(parts, total)`` of
    ``parts_totals`` (what the payload shows of a series and its total) passes
    :func:`audit_parts_total`.

    Parameters
    ----------
    payload_text : str
        Rendered map HTML/script, markdown, chart spec or export file text.
    forbidden : iterable of str
        Output of :func:`forbidden_strings` (addresses and location names).
    k : int
    data_strings : iterable of str
        Strings from data files shown in the payload (area names, ...).
    context : {"html", "markdown", "text"}
        ``html``: ``<>&"'`` must be escaped; ``markdown``: ``<`` and ``>``.
    parts_totals : iterable of (parts, total)
        Shown parts (numbers or texts) and the total shown beside them.

    Returns
    -------
    list of str
        One message per problem found.
    """
    payload_text = decode_script_text(payload_text)
    problems = [
        f"point feature or marker: {m.group(0)!r}"
        for pattern in _POINT_PATTERNS
        for m in pattern.finditer(payload_text)
    ]
    problems += [
        f"address or location name: {hit!r}"
        for hit in _find_forbidden(payload_text, forbidden)
    ]
    lowered = payload_text.lower()
    problems += [
        f"sensitive category named: {w!r}"
        for w in SENSITIVE_WORDS
        if re.search(rf"\b{re.escape(w)}", lowered)
    ]
    for pattern in (_MARKED_COUNT, _WORDED_COUNT, _LABELLED_COUNT):
        for m in pattern.finditer(payload_text):
            if int(m.group(1).replace(",", "")) < k:
                problems.append(f"count below {k}: {m.group(0)!r}")
    chars = _MARKUP_CHARS[context]
    for value in set(data_strings):
        if chars and any(c in value for c in chars) and value in payload_text:
            problems.append(f"unescaped data text: {value!r}")
    for parts, total in parts_totals:
        problems += audit_parts_total(parts, total, k)
    return problems


def assert_public_safe(
    payload_text: str,
    forbidden: Iterable[str] = (),
    k: int = DEFAULT_K,
    *,
    data_strings: Iterable[str] = (),
    context: Context = "html",
) -> None:
    """Raise if :func:`audit_public_payload` finds any problem.

    Raises
    ------
    PublicSafetyError
        Listing every problem (at most 20 shown).

    Examples
    --------
    >>> assert_public_safe('{"type": "Point"}')
    Traceback (most recent call last):
    ...
    pipelines.errors.PublicSafetyError: payload is not public-safe: ...
    """
    problems = audit_public_payload(
        payload_text, forbidden, k, data_strings=data_strings, context=context
    )
    if problems:
        shown = "; ".join(problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        raise PublicSafetyError(f"payload is not public-safe: {shown}{more}")


def audit_frame(
    frame: pd.DataFrame,
    k: int = DEFAULT_K,
    *,
    total: object = None,
    column: str = "n",
) -> list[str]:
    """Problems in a table shown to the public: integer cells below ``k``, and
    (with ``total``) a total that reveals hidden cells of ``column``.

    Every integer-valued numeric column is treated as a count (public tables
    show counts as text, so any small number left in one is a leak), and the
    text cells are returned through :func:`audit_public_payload` by the caller.
    ``total`` is the figure shown as the sum of ``column``
    (:func:`audit_parts_total`).
    """
    problems = [] if total is None else audit_parts_total(frame[column], total, k)
    for column in frame.columns:
        values = pd.to_numeric(frame[column], errors="coerce")
        if pd.api.types.is_numeric_dtype(frame[column]) and values.notna().any():
            whole = values.dropna()
            small = whole[(whole == whole.round()) & (whole < k)]
            if len(small):
                problems.append(
                    f"column {column!r} has counts below {k}: {small.head(3).tolist()}"
                )
    return problems


def decode_script_text(text: str) -> str:
    """Undo JSON/JS string escapes (``\\u003c``, ``\\"``, ``\\/``) as a browser would.

    Map payloads carry labels inside JSON in a script; what reaches the page
    is the decoded string, so that is what the audit must look at.

    Examples
    --------
    >>> decode_script_text('\\u003cb\\u003e \\"x\\"')
    '<b> "x"'
    """
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    return text.replace('\\"', '"').replace("\\/", "/")


def _normalize(text: str) -> str:
    """Upper case with runs of whitespace collapsed."""
    return " ".join(str(text).upper().split())


def _find_forbidden(payload_text: str, forbidden: Iterable[str]) -> list[str]:
    """Forbidden strings found at word boundaries (one pass per distinct length)."""
    by_length: dict[int, set[str]] = {}
    for f in forbidden:
        by_length.setdefault(len(f), set()).add(f)
    if not by_length:
        return []
    text = _normalize(payload_text)
    starts = [m.start() for m in re.finditer(r"(?<![A-Z0-9])[A-Z0-9]", text)]
    found = set()
    for length, wanted in by_length.items():
        for i in starts:
            piece = text[i : i + length]
            if piece in wanted and not text[i + length : i + length + 1].isalnum():
                found.add(piece)
    return sorted(found)


def audit_parts_total(parts: Iterable[object], total: object, k: int) -> list[str]:
    """Problems of a shown total beside its shown parts (empty = safe).

    A part that is not a number (``<NA>``, "fewer than 3", "withheld", "no
    data") is hidden. With any part hidden, ``total - sum(shown parts)`` is the
    sum of the hidden ones: it must be at least ``k``. With none hidden there is
    nothing to derive. A total that is missing or not a number is not shown.

    Examples
    --------
    >>> audit_parts_total(["10", "fewer than 3"], "12", 3)[0][:9]
    'total 12 '
    >>> audit_parts_total(["10", "fewer than 3"], "15", 3)
    []
    """
    whole = count_value(total)
    if whole is None:
        return []
    values = [count_value(p) for p in parts]
    hidden = sum(v is None for v in values)
    shown = sum(v for v in values if v is not None)
    left = whole - shown
    if hidden and left < k:
        return [
            f"total {whole:,} minus the shown parts ({shown:,}) leaves {left:,} for "
            f"{hidden} hidden part(s): a count below {k} can be worked out; hide "
            "more parts or withhold the total (public.protect_total)"
        ]
    return []
