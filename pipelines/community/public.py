"""The public-safe rules: the one module every public output goes through.

DESIGN "Public-safe output": anything shown at a watch meeting or exported as
public holds aggregates only (areas or cells, never incident points); no
addresses, names or narratives; sensitive categories neither mapped nor
named; every count below ``k`` (``meta.min_count_public``, default 3) shown
as "fewer than k"; and a line saying what was withheld. Text from data files
is HTML-escaped.

Builders use :func:`public_incident_clause` (which incidents may be counted),
:func:`public_counts` and :func:`public_count_text` (how counts are shown),
:func:`public_categories` (which categories may be named) and
:func:`withheld_note`. :func:`audit_public_payload` checks a rendered payload
against the same rules; tests run it on every public page and export.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Literal

import pandas as pd

from pipelines import schema as s
from pipelines.errors import PublicSafetyError

DEFAULT_K = 3
WITHHELD_TEXT = "withheld"
"""Shown instead of a count (of any size) hidden so that a total cannot reveal
a small one (complementary suppression, :func:`protect_total`)."""
COUNT_CLASS = "bp-count"
"""CSS class wrapped around every count shown in public HTML (found by the audit)."""

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

Context = Literal["html", "markdown", "text"]

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
_MARKUP_CHARS = {"html": "<>&\"'", "markdown": "<>", "text": ""}


def public_k(meta: Mapping[str, object] | None) -> int:
    """The threshold ``k`` from store metadata (``min_count_public``), default 3.

    Parameters
    ----------
    meta : mapping, optional
        The store's metadata as read by :func:`pipelines.queries.read_meta`.

    Returns
    -------
    int
        At least 1.

    Examples
    --------
    >>> public_k({"min_count_public": 5}), public_k({})
    (5, 3)
    """
    value = (meta or {}).get("min_count_public", DEFAULT_K)
    try:
        return max(1, int(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return DEFAULT_K


def public_incident_clause(alias: str = "") -> str:
    """SQL condition selecting the crimes that public outputs may count.

    Apply it to the store's ``crimes`` view (reports only, no CAD calls): not
    flagged sensitive, not in a sensitive category, and
    classified by the source profile: a row whose category came only from the
    profile's ``default`` (no exact code, range or keyword rule matched it; see
    :data:`pipelines.schema.CLASSIFIED`) was never judged sensitive or not, so
    it is not published. NULL (a row staged before this was recorded) counts as
    not classified.

    Parameters
    ----------
    alias : str
        Table alias to prefix columns with (``"i"`` gives ``i.sensitive``).

    Returns
    -------
    str
        A condition for a ``WHERE`` clause (no user input is interpolated).

    Examples
    --------
    >>> "sensitive" in public_incident_clause()
    True
    """
    p = f"{alias}." if alias else ""
    names = ", ".join(f"'{c}'" for c in sorted(s.SENSITIVE_CATEGORIES))
    return (
        f"NOT coalesce({p}{s.SENSITIVE}, false) "
        f"AND {p}{s.CATEGORY} NOT IN ({names}) AND coalesce({p}{s.CLASSIFIED}, false)"
    )


def is_public_category(category: object) -> bool:
    """True unless ``category`` is a sensitive category (or missing)."""
    return isinstance(category, str) and category not in s.SENSITIVE_CATEGORIES


def public_categories(categories: Iterable[str]) -> list[str]:
    """The categories that may be named or mapped, in the given order.

    Examples
    --------
    >>> public_categories(["theft", "domestic", "burglary"])
    ['theft', 'burglary']
    """
    return [c for c in categories if is_public_category(c)]


def public_count_text(n: object, k: int = DEFAULT_K) -> str:
    """A count as the public may see it: ``"1,234"`` or ``"fewer than 3"``.

    Missing counts (``None``, NaN, ``pd.NA``) are treated as suppressed.

    Examples
    --------
    >>> public_count_text(1234), public_count_text(2), public_count_text(None)
    ('1,234', 'fewer than 3', 'fewer than 3')
    """
    if n is None or n is pd.NA or (isinstance(n, float) and n != n):
        return f"fewer than {k}"
    value = int(n)  # type: ignore[call-overload]
    return f"fewer than {k}" if value < k else f"{value:,}"


def mark_count(text: str) -> str:
    """Wrap a shown number (not "fewer than k") in a ``bp-count`` span for HTML.

    Examples
    --------
    >>> mark_count("1,234"), mark_count("fewer than 3")
    ('<span class="bp-count">1,234</span>', 'fewer than 3')
    """
    if re.fullmatch(r"\d[\d,]*", text):
        return f'<span class="{COUNT_CLASS}">{text}</span>'
    return html.escape(text)


def public_counts(
    frame: pd.DataFrame, k: int = DEFAULT_K, column: str = "n"
) -> pd.DataFrame:
    """Mask counts below ``k``: a copy with the count nullable and a text column.

    Parameters
    ----------
    frame : DataFrame
        Any frame with an integer count column.
    k : int
        Smallest count that may be shown.
    column : str
        The count column.

    Returns
    -------
    DataFrame
        A copy where ``column`` is ``Int64`` with ``<NA>`` below ``k``, plus
        ``<column>_text`` (what to show) and ``<column>_suppressed`` (bool).

    Raises
    ------
    ValueError
        If ``column`` is missing or ``k`` < 1.

    Examples
    --------
    >>> public_counts(pd.DataFrame({"n": [0, 5]}))["n_text"].tolist()
    ['fewer than 3', '5']
    """
    if column not in frame.columns:
        raise ValueError(
            f"`frame` lacks the count column {column!r}; "
            f"columns are {list(frame.columns)}"
        )
    if k < 1:
        raise ValueError(f"`k` was {k} but is expected to be at least 1")
    out = frame.copy()
    counts = pd.to_numeric(out[column], errors="coerce").astype("Int64")
    suppressed = counts.isna() | (counts < k)
    out[column] = counts.mask(suppressed)
    out[f"{column}_text"] = [public_count_text(v, k) for v in out[column]]
    out[f"{column}_suppressed"] = suppressed.to_numpy(dtype=bool)
    return out


def withheld_note(
    k: int = DEFAULT_K,
    suppressed: int = 0,
    what: str = "figures",
    complementary: int = 0,
) -> str:
    """The line saying what a public output leaves out (naming no sensitive category).

    Parameters
    ----------
    k : int
    suppressed : int
        How many shown figures were replaced by "fewer than k".
    what : str
        What those figures are ("areas", "months", ...).
    complementary : int
        How many more (of any size) were withheld beside a total so that it
        cannot reveal a small one (:func:`protect_total`).

    Examples
    --------
    >>> withheld_note(3, 2, "areas").startswith("Not shown: offences")
    True
    """
    fewer = f"“fewer than {k}”"
    masked = (
        f"{suppressed} {what} had fewer than {k} and show as {fewer}"
        if suppressed
        else f"any count below {k} would show as {fewer}"
    )
    if complementary:
        masked += (
            f"; {complementary} more {what} show as “{WITHHELD_TEXT}” so that "
            "no hidden count can be worked out from a total"
        )
    return (
        "Not shown: offences the department treats as sensitive and offences "
        "its source profile has not classified (they are not counted, mapped or "
        "named), incident locations, addresses and names; "
        f"only area totals appear, and {masked}."
    )


def escape(value: object) -> str:
    """HTML-escape text from the data (quotes included)."""
    return html.escape(str(value), quote=True)


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
    pipelines.community.public.PublicSafetyError: payload is not public-safe: ...
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


def protect_total(
    frame: pd.DataFrame,
    k: int,
    raw: Iterable[object],
    column: str = "n",
) -> tuple[pd.DataFrame, object]:
    """Complementary suppression: hide more parts, or the total, so that the
    total minus the shown parts never gives a count below ``k``.

    A total beside its parts is safe only when no part is hidden, or when the
    hidden parts add up to at least ``k`` (then ``total - shown`` is a sum of
    at least ``k``, which reveals no single small count; a sum of 0 would say
    every hidden part is 0). Otherwise the smallest shown parts are hidden too,
    one by one, until it is; if every part is then hidden and their sum is
    still below ``k``, the total itself is withheld (it is below ``k`` then).

    Parameters
    ----------
    frame : DataFrame
        The parts as from :func:`public_counts` (``column`` is ``<NA>`` where
        hidden: below ``k``, or a gap in the data).
    k : int
    raw : iterable
        The true counts of the parts, in the order of ``frame`` (they sum to
        the total).
    column : str

    Returns
    -------
    frame : DataFrame
        A copy where the extra hidden parts show :data:`WITHHELD_TEXT` and
        have ``<column>_withheld`` True.
    total : int or pd.NA
        The total that may be shown with these parts.

    Examples
    --------
    >>> parts = public_counts(pd.DataFrame({"n": [2, 7, 9]}), 3)
    >>> out, total = protect_total(parts, 3, [2, 7, 9])
    >>> out["n_text"].tolist(), total
    (['fewer than 3', 'withheld', '9'], 18)
    """
    counts = [0 if is_missing(v) else int(v) for v in raw]  # type: ignore[call-overload]
    if len(counts) != len(frame):
        raise ValueError(
            f"`raw` has {len(counts)} counts but `frame` has {len(frame)} rows"
        )
    out = frame.copy()
    hidden = out[column].isna().tolist()
    withheld, shown = complementary_hidden(counts, hidden, k)
    total: object = sum(counts) if shown else pd.NA
    rows = out.index[withheld]
    out.loc[rows, column] = pd.NA
    out.loc[rows, f"{column}_text"] = WITHHELD_TEXT
    out[f"{column}_withheld"] = withheld
    return out, total


def complementary_hidden(
    counts: list[int], hidden: list[bool], k: int
) -> tuple[list[bool], bool]:
    """The rule of :func:`protect_total` on plain lists.

    Returns
    -------
    withheld : list of bool
        The parts to hide in addition to ``hidden``.
    total_shown : bool
        Whether the total may be shown.

    Examples
    --------
    >>> complementary_hidden([2, 7, 9], [True, False, False], 3)
    ([False, True, False], True)
    """
    withheld = [False] * len(counts)
    hidden_sum = sum(c for c, h in zip(counts, hidden, strict=True) if h)
    visible = sorted((c, i) for i, c in enumerate(counts) if not hidden[i])
    if not any(hidden):
        return withheld, True
    while hidden_sum < k:
        if not visible:
            return withheld, False
        count, i = visible.pop(0)
        withheld[i] = True
        hidden_sum += count
    return withheld, True


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
    whole = _as_count(total)
    if whole is None:
        return []
    values = [_as_count(p) for p in parts]
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


def is_missing(value: object) -> bool:
    """True for None, NaN and ``pd.NA`` (a hidden or withheld count)."""
    return (
        value is None or value is pd.NA or (isinstance(value, float) and value != value)
    )


def _as_count(value: object) -> int | None:
    """A shown count as an int; None when hidden (missing or not a number)."""
    if is_missing(value):
        return None
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        return int(text) if text.isdigit() else None
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
