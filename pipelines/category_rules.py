"""Default keyword rules that propose an offense category for a drafted profile.

The rules are written into every drafted source profile as
``[[categories.keyword]]`` entries, so the analyst edits them there; this
module only holds the starting list and applies it to the offenses found in
an export. Rules are case-insensitive regular expressions on the offense
description and the first match wins, so specific rules come before general
ones (theft from a vehicle before theft, aggravated before simple assault).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from pipelines.source_profile import KeywordRule, pad_code

DEFAULT_CATEGORY = "other"

DEFAULT_RULES: tuple[KeywordRule, ...] = tuple(
    KeywordRule(pattern, category)
    for pattern, category in (
        (r"HOMICIDE|MURDER|MANSLAUGHTER", "homicide"),
        (r"\bSEX|\bRAPE|SODOMY|FONDL|MOLEST|INCEST|INDECEN|PORNOGRAPH|PEEPING",
         "sex offense"),
        (r"ROBBERY|\bROB\b|CARJACK|HOLD ?UP", "robbery"),
        (r"\bAGG\w*\W+(ASSAULT|ASSLT|BATTERY)|(ASSAULT|ASSLT|BATTERY).*\bAGG",
         "aggravated assault"),
        (r"DOMESTIC|\bDV\b|FAMILY|CHILD (ABUSE|NEGLECT|ENDANGER)|INVOLVING CHILD",
         "domestic"),
        (r"ASSAULT|ASSLT|BATTERY|INTIMIDAT|STALK|HARR?ASS|THREAT|FIGHT", "simple assault"),
        (r"BURGL|BREAKING|HOME INVASION|\bBURG\b", "burglary"),
        (r"FRAUD|FORGERY|COUNTERFEIT|EMBEZZL|SWINDL|IMPERSONAT|DECEPTIVE|DECEIT|"
         r"IDENTITY THEFT|BAD CHECK|CREDIT CARD", "fraud"),
        (r"\b(FROM|FRM)\W+(A\W+)?(MOTOR\W+|MTR\W+)?(VEH|VEHICLE|AUTO|CAR)\b|"
         r"CAR PROWL|VEH\w* PARTS|PARTS OR ACCESSOR", "theft from vehicle"),
        (r"(MOTOR VEHICLE|AUTO|VEHICLE|CAR) THEFT|THEFT OF (MOTOR )?VEH|"
         r"STOLEN (VEH|AUTO|CAR)", "motor vehicle theft"),
        (r"STOLEN PROP", "other"),
        (r"THEFT|LARCENY|SHOPLIFT|STEAL|STOLEN|PICK-?POCKET|POCKET-?PICK|PURSE",
         "theft"),
        (r"ARSON|BURNING", "arson"),
        (r"VANDAL|DAMAGE|DESTRUCT|GRAFFITI|DAMG|MISCHIEF|PROPERTY DEST", "vandalism"),
        (r"NARCOTIC|DRUG|CANNABIS|MARIJUANA|COCAINE|HEROIN|CONTROLLED SUB|"
         r"PARAPHERNALIA|\bMETH", "drugs"),
        (r"WEAPON|FIREARM|\bGUN|CONCEALED CARRY|SHOTS|SHOOTING|AMMUNITION", "weapons"),
        (r"TRAFFIC|\bDRI?V|\bDUI\b|\bDWI\b|LEAVING (THE )?SCENE|HIT AND RUN|"
         r"COLLISION|ACCIDENT|PARKING|SPEEDING|VEHICLE TITLE", "traffic"),
        (r"DISORDER|DISTURB|TRESPASS|LIQUOR|PUBLIC (PEACE|ORDER)|NUISANCE|LOITER|"
         r"PROSTITUT|GAMBL|DRUNK|NOISE|PANHANDL|BEGG|CURFEW|INTOXICAT", "disorder"),
    )
)

# Plain substrings (upper case): a description containing one is sensitive
# (sex offenses, domestic violence, offenses involving children).
DEFAULT_SENSITIVE: tuple[str, ...] = (
    "SEX", "RAPE", "SODOMY", "FONDLING", "INCEST", "DOMESTIC", "CHILD", "MINOR",
    "JUVENILE", "ELDER ABUSE",
)

# How a call reached the department, from the values of a CAD call-source
# column; first match wins (a "TELEPHONE OTHER, NOT 911" value is a phone call).
CALL_SOURCE_RULES: tuple[tuple[str, str], ...] = (
    (r"ON-?VIEW|OFFICER.INITIATED|PROACTIVE|SELF.INITIATED|FIELD.INITIATED", "on-view"),
    (r"ALARM", "alarm"),
    (r"TELEPHONE|PHONE|NON.?EMERG|10.DIGIT", "phone"),
    (r"911|E911|TEXT|EMERGENCY", "911"),
    (r"IN.PERSON|WALK.?IN|ONLINE|INTERNET|REPORT", "report"),
)


@dataclass(frozen=True)
class OffenseProposal:
    """One offense code (or description) found in an export, with a category.

    ``category`` is None when no rule matched (the profile's ``default`` then
    applies); ``consistent`` is False when the code's descriptions fall in more
    than one category, so the code is left to the keyword rules.
    """

    code: str
    description: str
    rows: int
    category: str | None
    consistent: bool = True


def propose_category(description: str, rules: tuple[KeywordRule, ...] = DEFAULT_RULES
                     ) -> str | None:
    """First rule matching ``description`` (case-insensitive), or None.

    Example
    -------
    >>> propose_category("LARCENY-FROM MTR VEH UNDER $500")
    'theft from vehicle'
    """
    for rule in rules:
        if re.search(rule.pattern, description, flags=re.IGNORECASE):
            return rule.category
    return None


def propose_call_source(value: str) -> str:
    """Canonical call source for a CAD value (``"other"`` when no rule matches).

    Example
    -------
    >>> propose_call_source("TELEPHONE OTHER, NOT 911")
    'phone'
    """
    for pattern, source in CALL_SOURCE_RULES:
        if re.search(pattern, value, flags=re.IGNORECASE):
            return source
    return "other"


def propose_offenses(
    codes: pd.Series | None, descriptions: pd.Series, code_width: int = 0
) -> list[OffenseProposal]:
    """Each distinct offense code (or description) with a proposed category.

    Parameters
    ----------
    codes : Series or None
        Offense codes as text, or None when the export has no code column (the
        descriptions are then listed instead).
    descriptions : Series
        Offense descriptions as the ingest builds them (columns joined by a space).
    code_width : int
        Numeric codes are zero-padded to this width, as the profile loader does.

    Returns
    -------
    list of OffenseProposal
        Most frequent first.

    Example
    -------
    >>> propose_offenses(pd.Series(["120"]), pd.Series(["Robbery"]))[0].category
    'robbery'
    """
    desc = descriptions.fillna("").astype(str).str.replace(r"\s+", " ", regex=True)
    desc = desc.str.strip()
    if codes is None:
        counts = desc[desc != ""].value_counts()
        return [
            OffenseProposal("", text, int(n), propose_category(text))
            for text, n in counts.items()
        ]
    padded = codes.fillna("").astype(str).map(lambda c: pad_code(c, code_width))
    pairs = pd.DataFrame({"code": padded, "desc": desc})
    pairs = pairs[pairs["code"] != ""]
    by_pair = pairs.value_counts().reset_index(name="rows")
    by_pair["category"] = by_pair["desc"].map(lambda d: propose_category(d) or "")
    return [
        _code_proposal(code, group)
        for code, group in sorted(
            by_pair.groupby("code", sort=False), key=lambda item: -item[1]["rows"].sum()
        )
    ]


def _code_proposal(code: str, group: pd.DataFrame) -> OffenseProposal:
    """Category of one code: that of its descriptions when (nearly) all agree."""
    rows = int(group["rows"].sum())
    per_category = group.groupby("category")["rows"].sum().sort_values(ascending=False)
    top, share = per_category.index[0], per_category.iloc[0] / rows
    return OffenseProposal(
        code=code,
        description=str(group["desc"].iloc[0]),
        rows=rows,
        category=top or None,
        consistent=bool(share >= 0.95),
    )
