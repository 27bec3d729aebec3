"""Offense code -> normalized category and sensitive flag, by a source profile.

Keyword rules and sensitive patterns are matched against the description as
written and as :func:`pipelines.ingest.text_normal.normalize_offense_text` reads it
(``agg-aslt-police-weapon`` -> ``aggravated assault police weapon``); sensitive
patterns also look at the offense code, which some departments write in words.

A row is *classified* when an exact code, a code range or a keyword rule of the
profile gave its category. A row whose category came only from the profile's
``default`` was never classified as sensitive or not, so public outputs do not
count it (see :func:`pipelines.community.public.public_incident_clause`).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from pipelines.ingest.source_profile import SourceProfile, pad_code
from pipelines.ingest.text_normal import normalize_offense_text
from pipelines.schema import SENSITIVE_CATEGORIES


def categorize_offenses(
    codes: pd.Series, descriptions: pd.Series, profile: SourceProfile
) -> tuple[pd.Series, pd.Series]:
    """Map offense codes to categories and flag sensitive offenses.

    Exact codes (``[categories.codes]``) win over ranges, ranges over keyword
    rules on the description (first match wins), and those over the profile's
    ``default`` category; codes are zero-padded to ``code_width`` first. A
    description matching a sensitive pattern, or a sensitive category, makes the
    row sensitive. The rules look at one row at a time, so they are worked out
    once per distinct (code, description) pair.

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
    category, sensitive, _ = classify_offenses(codes, descriptions, profile)
    return category, sensitive


class OffenseMemo:
    """Answers already worked out for one profile, kept across the files of a build.

    An export of a month repeats most (code, description) pairs of the month
    before; the staging loop hands one memo per profile to every file.
    """

    def __init__(self, profile: SourceProfile) -> None:
        self.profile = profile
        self.answers: dict[tuple[object, object], tuple[object, bool, bool]] = {}

    def classify(
        self, codes: pd.Series, descriptions: pd.Series
    ) -> tuple[pd.Series, pd.Series, pd.Series]:
        """The distinct pairs' answers, from the memo or worked out once."""
        keys = [(_key(c), _key(d)) for c, d in zip(codes, descriptions, strict=True)]
        new = [i for i, key in enumerate(keys) if key not in self.answers]
        if new:
            found = _categorize_distinct(
                codes.iloc[new].reset_index(drop=True),
                descriptions.iloc[new].reset_index(drop=True),
                self.profile,
            )
            for i, answer in zip(new, zip(*found, strict=True), strict=True):
                self.answers[keys[i]] = (answer[0], bool(answer[1]), bool(answer[2]))
        rows = [self.answers[key] for key in keys]
        category, sensitive, classified = (list(c) for c in zip(*rows, strict=True))
        return (
            pd.Series(category, dtype=object),
            pd.Series(sensitive, dtype=bool),
            pd.Series(classified, dtype=bool),
        )


def classify_offenses(
    codes: pd.Series,
    descriptions: pd.Series,
    profile: SourceProfile,
    memo: OffenseMemo | None = None,
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """:func:`categorize_offenses` plus whether a rule of the profile classified
    each row (False where only ``default`` gave the category, or nothing did).

    ``memo`` (for ``profile``) carries answers from earlier files of a build.

    Example
    -------
    >>> classify_offenses(pd.Series(["X"]), pd.Series(["NO RULE"]), p)[2][0]
    False
    """
    pairs, inverse = _distinct_pairs(codes, descriptions)
    if len(pairs) == 0:
        empty = pd.Series([], dtype=object, index=codes.index)
        return empty, empty.astype(bool), empty.astype(bool)
    if memo is not None and memo.profile is not profile:
        raise ValueError("an OffenseMemo answers for one profile only")
    category, sensitive, classified = (memo or OffenseMemo(profile)).classify(
        pairs["code"], pairs["desc"]
    )

    def spread(values: pd.Series, dtype=None) -> pd.Series:
        return pd.Series(values.to_numpy()[inverse], index=codes.index, dtype=dtype)

    return spread(category, object), spread(sensitive), spread(classified)


def _key(value: object) -> object:
    return None if pd.isna(value) else value


def _distinct_pairs(
    codes: pd.Series, descriptions: pd.Series
) -> tuple[pd.DataFrame, np.ndarray]:
    """Each distinct (code, description) once, and each row's position among them."""
    code_ids, _ = pd.factorize(codes, use_na_sentinel=False)
    desc_ids, desc_values = pd.factorize(descriptions, use_na_sentinel=False)
    keys = code_ids.astype(np.int64) * (len(desc_values) + 1) + desc_ids
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    pairs = pd.DataFrame(
        {
            "code": codes.iloc[first].reset_index(drop=True),
            "desc": descriptions.iloc[first].reset_index(drop=True),
        }
    )
    return pairs, inverse.reshape(-1)


def _categorize_distinct(
    codes: pd.Series, descriptions: pd.Series, profile: SourceProfile
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """``classify_offenses`` on distinct (code, description) pairs."""
    padded = _pad(codes, profile.code_width)
    lookup = {code: _category_of(code, profile) for code in padded.dropna().unique()}
    category = padded.map(lookup).astype(object)
    upper = descriptions.fillna("").astype(str).str.upper()
    normal = upper.map(normalize_offense_text).str.upper()
    for rule in profile.keyword_rules:
        todo = category.isna()
        if not todo.any():
            break
        with warnings.catch_warnings():  # groups in a user's pattern are fine here
            warnings.simplefilter("ignore", UserWarning)
            hit = upper.str.contains(rule.pattern, case=False, regex=True)
            hit |= normal.str.contains(rule.pattern, case=False, regex=True)
        category[todo & hit] = rule.category
    classified = category.notna()
    if profile.default_category:
        category = category.fillna(profile.default_category)
    category = category.where(category.notna(), None)
    sensitive = category.isin(SENSITIVE_CATEGORIES)
    code_text = codes.fillna("").astype(str).str.upper()
    texts = (
        upper,
        normal,
        code_text,
        code_text.map(normalize_offense_text).str.upper(),
    )
    for pattern in profile.sensitive_patterns:
        for text in texts:
            sensitive |= text.str.contains(pattern, regex=False)
    return category, sensitive.astype(bool), classified.astype(bool)


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
