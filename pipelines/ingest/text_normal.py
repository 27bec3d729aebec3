"""Offense text as the category and sensitivity rules read it.

Departments write the same offense many ways: ``THEFT-OF-MOTOR-VEHICLE``,
``agg-aslt-police-weapon``, ``ASSAULT_DV``. :func:`normalize_offense_text`
folds case, reads hyphens, underscores and slashes as spaces, and spells out
common abbreviations as whole words, so one rule (``AGGRAVATED ASSAULT``)
matches them all. Rules are matched against the original text and this one.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Whole-word abbreviations -> words (lower case). Only abbreviations with one
# reading in police offense lists; "viol" (violence or violation) is left alone.
ABBREVIATIONS: dict[str, str] = {
    "aslt": "assault",
    "asslt": "assault",
    "aslts": "assault",
    "agg": "aggravated",
    "aggr": "aggravated",
    "aggrav": "aggravated",
    "aggravted": "aggravated",
    "burg": "burglary",
    "burgl": "burglary",
    "veh": "vehicle",
    "vehs": "vehicles",
    "mv": "motor vehicle",
    "mtr": "motor",
    "dv": "domestic violence",
    "stln": "stolen",
    "stol": "stolen",
    "w": "with",
    "wpn": "weapon",
    "weap": "weapon",
    "weapn": "weapon",
    "poss": "possession",
    "resid": "residence",
    "resdnce": "residence",
    "juv": "juvenile",
    "chld": "child",
    "sx": "sex",
    "sexl": "sexual",
    "ipv": "intimate partner violence",
    "prop": "property",
    "crim": "criminal",
    "dmg": "damage",
    "tresp": "trespass",
    "traf": "traffic",
    "narc": "narcotics",
    "shoplift": "shoplifting",
}
# Phrases reordered to the form the rules use (after the words above).
PHRASES: tuple[tuple[str, str], ...] = (
    (r"\btheft of (a )?motor vehicle\b", "motor vehicle theft"),
    (r"\btheft of (a )?vehicle\b", "vehicle theft"),
    (r"\bprotective order\b", "protection order"),
)
_SPLIT = re.compile(r"[-_/\\]+")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


@lru_cache(maxsize=65_536)
def normalize_offense_text(text: str) -> str:
    """Case-folded text with separators as spaces and abbreviations spelled out.

    Parameters
    ----------
    text : str
        An offense code or description as the department writes it.

    Returns
    -------
    str
        Lower case, single spaces; other punctuation is kept.

    Examples
    --------
    >>> normalize_offense_text("agg-aslt-police-weapon")
    'aggravated assault police weapon'
    >>> normalize_offense_text("THEFT-OF-MOTOR-VEHICLE")
    'motor vehicle theft'
    """
    folded = _SPLIT.sub(" ", str(text).casefold())
    words = _WORD.sub(lambda m: ABBREVIATIONS.get(m.group(), m.group()), folded)
    out = " ".join(words.split())
    for pattern, replacement in PHRASES:
        out = re.sub(pattern, replacement, out)
    return out
