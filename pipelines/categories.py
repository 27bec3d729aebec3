"""Offense code -> normalized category and sensitive flag, by a source profile."""

from __future__ import annotations

import pandas as pd

from pipelines.schema import SENSITIVE_CATEGORIES
from pipelines.source_profile import SourceProfile, pad_code


def categorize_offenses(
    codes: pd.Series, descriptions: pd.Series, profile: SourceProfile
) -> tuple[pd.Series, pd.Series]:
    """Map offense codes to categories and flag sensitive offenses.

    Exact codes (``[categories.codes]``) win over ranges; codes are zero-padded
    to ``code_width`` first. A description matching a sensitive pattern, or a
    sensitive category, makes the row sensitive.

    Returns
    -------
    (category, sensitive) : Series, Series
        ``category`` is None where no rule matches (the row is then quarantined
        as ``unmapped_code``).

    Example
    -------
    >>> categorize_offenses(pd.Series(["31111"]), pd.Series(["ROBBERY"]), p)[0][0]
    'robbery'
    """
    padded = _pad(codes, profile.code_width)
    lookup = {code: _category_of(code, profile) for code in padded.dropna().unique()}
    category = padded.map(lookup).astype(object)
    category = category.where(category.notna(), None)
    upper = descriptions.fillna("").str.upper()
    sensitive = category.isin(SENSITIVE_CATEGORIES)
    for pattern in profile.sensitive_patterns:
        sensitive |= upper.str.contains(pattern, regex=False)
    return category, sensitive.astype(bool)


def _pad(codes: pd.Series, width: int) -> pd.Series:
    unique = {c: pad_code(c, width) for c in codes.dropna().unique()}
    return codes.map(unique)


def _category_of(code: str, profile: SourceProfile) -> str | None:
    if code in profile.code_categories:
        return profile.code_categories[code]
    for r in profile.code_ranges:
        if len(code) == len(r.start) and r.start <= code <= r.end:
            return r.category
    return None
