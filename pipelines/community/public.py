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
:func:`withheld_note`. :mod:`pipelines.community.public_audit` checks a rendered
payload against the same rules; tests run it on every public page and export.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Literal

import pandas as pd

from pipelines import schema as s

DEFAULT_K = 3
WITHHELD_TEXT = "withheld"
"""Shown instead of a count (of any size) hidden so that a total cannot reveal
a small one (complementary suppression, :func:`protect_total`)."""
COUNT_CLASS = "bp-count"
"""CSS class wrapped around every count shown in public HTML (found by the audit)."""


Context = Literal["html", "markdown", "text"]


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


def is_missing(value: object) -> bool:
    """True for None, NaN and ``pd.NA`` (a hidden or withheld count)."""
    return (
        value is None or value is pd.NA or (isinstance(value, float) and value != value)
    )


def count_value(value: object) -> int | None:
    """A shown count as an int; None for a withheld, missing or worded one."""
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
