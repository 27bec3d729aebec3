"""Which offenses a drafted profile flags sensitive, listed for review.

The profile's ``sensitive_patterns`` are plain substrings matched (upper case)
against the code and the description, as written and normalized
(:func:`pipelines.ingest.text_normal.normalize_offense_text`): ``assault-dv`` reads
``assault domestic violence`` and matches ``DOMESTIC``, while ``ADVANCE`` does
not read as ``dv``. The default list (``category_rules.DEFAULT_SENSITIVE``) is
cautious: domestic, family, intimate partner, restraining / protection orders,
children and juveniles, sex offenses.
"""

from __future__ import annotations

import re

from pipelines.ingest.category_rules import DEFAULT_SENSITIVE, OffenseProposal
from pipelines.ingest.text_normal import normalize_offense_text
from pipelines.schema import SENSITIVE_CATEGORIES


def sensitive_reason(
    code: str, description: str, patterns: tuple[str, ...] = DEFAULT_SENSITIVE
) -> str | None:
    """The first pattern that makes this offense sensitive, or None.

    Examples
    --------
    >>> sensitive_reason("", "assault-dv")
    'DOMESTIC'
    >>> sensitive_reason("", "theft-bicycle") is None
    True
    """
    texts = [
        t.upper()
        for raw in (code, description)
        for t in (raw, normalize_offense_text(raw))
    ]
    for pattern in patterns:
        if any(pattern.upper() in t for t in texts):
            return pattern
    return None


def sensitive_flags(
    offenses: list[OffenseProposal], patterns: tuple[str, ...] = DEFAULT_SENSITIVE
) -> list[tuple[OffenseProposal, str]]:
    """Every drafted offense flagged sensitive, with why (a pattern or category)."""
    out = []
    for o in offenses:
        reason = sensitive_reason(o.code, o.description, patterns)
        if reason is None and o.category in SENSITIVE_CATEGORIES:
            reason = f"category {o.category}"
        if reason is not None:
            out.append((o, reason))
    return out


def render_sensitive_lines(
    offenses: list[OffenseProposal], patterns: tuple[str, ...] = DEFAULT_SENSITIVE
) -> list[str]:
    """Comment lines listing every sensitive flag of the draft with a CHECK mark."""
    flags = sensitive_flags(offenses, patterns)
    if not flags:
        return []
    lines = [
        "",
        f"# CHECK: {len(flags):,} offenses are flagged sensitive (never counted, "
        "mapped or named",
        "# in public outputs); remove a pattern above only if none of these is "
        "sensitive:",
    ]
    for o, reason in flags:
        label = f"{o.code} {o.description}" if o.code else o.description
        label = re.sub(r"[\x00-\x1f\x7f]", " ", label)[:60]
        lines.append(f"#   CHECK sensitive: {label} ({reason}; {o.rows:,} rows)")
    return lines
