"""Default keyword rules that propose an offense category for a drafted profile.

The rules are written into every drafted source profile as
``[[categories.keyword]]`` entries, so the analyst edits them there; this
module only holds the starting list and applies it to the offenses found in
an export. Rules are case-insensitive regular expressions on the offense
description and the first match wins, so specific rules come before general
ones (theft from a vehicle before theft, aggravated before simple assault).
A rule matches the description as written or as
:func:`pipelines.ingest.text_normal.normalize_offense_text` reads it (hyphens and
underscores as spaces, ``aslt`` -> assault, ``dv`` -> domestic violence, ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from pipelines.ingest.source_profile import KeywordRule, pad_code
from pipelines.ingest.text_normal import normalize_offense_text

DEFAULT_CATEGORY = "other"

DEFAULT_RULES: tuple[KeywordRule, ...] = tuple(
    KeywordRule(pattern, category)
    for pattern, category in (
        (r"HOMICIDE|MURDER|MANSLAUGHTER", "homicide"),
        (
            r"\bSEX|\bRAPE|SODOMY|FONDL|MOLEST|INCEST|INDECEN|PORN|PEEPING",
            "sex offense",
        ),
        (r"ROBBERY|\bROB\b|CARJACK|HOLD ?UP", "robbery"),
        (
            r"\bAGG\w*\W+(ASSAULT|ASSLT|BATTERY)|(ASSAULT|ASSLT|BATTERY).*\bAGG|"
            r"FELONY MENACING|MENACING.*\b(FELONY|WEAPON)",
            "aggravated assault",
        ),
        (
            r"DOMESTIC|\bDV\b|FAMILY|CHILD (ABUSE|NEGLECT|ENDANGER)|INVOLVING CHILD|"
            r"INTIMATE PARTNER|RESTRAINING ORDER|PROTECTION ORDER",
            "domestic",
        ),
        (
            r"ASSAULT|ASSLT|BATTERY|INTIMIDAT|STALK|HARR?ASS|THREAT|FIGHT",
            "simple assault",
        ),
        (r"BURGL|BREAKING|HOME INVASION|\bBURG\b", "burglary"),
        (
            r"FRAUD|FORGERY|COUNTERFEIT|EMBEZZL|SWINDL|IMPERSONAT|DECEPTIVE|DECEIT|"
            r"IDENTITY THEFT|BAD CHECK|CREDIT CARD|WHITE COLLAR",
            "fraud",
        ),
        (
            r"\b(FROM|FRM)\W+(A\W+)?(MOTOR\W+|MTR\W+)?(VEH|VEHICLE|AUTO|CAR)\b|"
            r"CAR PROWL|VEH\w* PARTS|PARTS OR ACCESSOR",
            "theft from vehicle",
        ),
        (
            r"(MOTOR VEHICLE|AUTO|VEHICLE|CAR) THEFT|THEFT OF (MOTOR )?VEH|"
            r"STOLEN (VEH|AUTO|CAR)",
            "motor vehicle theft",
        ),
        (r"STOLEN PROP", "other"),
        (r"\bDUI\b|\bDWI\b|DRIVING UNDER|WHILE INTOXICATED", "traffic"),
        (r"THEFT|LARC|SHOPLIFT|STEAL|STOLEN|PICK-?POCKET|POCKET-?PICK|PURSE", "theft"),
        (r"ARSON|BURNING", "arson"),
        (r"VANDAL|DAMAGE|DESTRUCT|GRAFFITI|DAMG|MISCHIEF|PROPERTY DEST", "vandalism"),
        (
            r"NARCOTIC|DRUG|CANNABIS|MARIJUANA|COCAINE|HEROIN|CONTROLLED SUB|"
            r"PARAPHERNALIA|\bMETH",
            "drugs",
        ),
        (r"WEAPON|FIREARM|\bGUN|CONCEALED CARRY|SHOTS|SHOOTING|AMMUNITION", "weapons"),
        (
            r"TRAFFIC|\bDRI?V|\bDUI\b|\bDWI\b|LEAVING (THE )?SCENE|HIT AND RUN|"
            r"COLLISION|ACCIDENT|PARKING|SPEEDING|VEHICLE TITLE",
            "traffic",
        ),
        (
            r"DISORDER|DISTURB|TRESPASS|LIQUOR|PUBLIC (PEACE|ORDER)|NUISANCE|LOITER|"
            r"PROSTITUT|GAMBL|DRUNK|NOISE|PANHANDL|BEGG|CURFEW|INTOXICAT",
            "disorder",
        ),
    )
)

# Plain substrings (upper case): a code or description containing one, as
# written or normalized (``assault-dv`` reads ``assault domestic violence``), is
# sensitive: sex offenses, domestic and family violence, protection orders,
# offenses involving children. Cautious by design: a false flag only withholds
# a row from public outputs. See pipelines.ingest.sensitive for the drafter's list.
DEFAULT_SENSITIVE: tuple[str, ...] = (
    "SEX",
    "RAPE",
    "SODOMY",
    "FONDL",
    "MOLEST",
    "INCEST",
    "INDECEN",
    "DOMESTIC",
    "FAMILY",
    "INTIMATE PARTNER",
    "RESTRAINING",
    "PROTECTION ORDER",
    "CHILD",
    "MINOR",
    "JUVENILE",
    "ELDER ABUSE",
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


def propose_category(
    description: str, rules: tuple[KeywordRule, ...] = DEFAULT_RULES
) -> str | None:
    """First rule matching ``description`` (case-insensitive), or None.

    Example
    -------
    >>> propose_category("LARCENY-FROM MTR VEH UNDER $500")
    'theft from vehicle'
    """
    normal = normalize_offense_text(description)
    for rule in rules:
        if re.search(rule.pattern, description, flags=re.IGNORECASE) or re.search(
            rule.pattern, normal, flags=re.IGNORECASE
        ):
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


def offense_proposals(
    rows: pd.DataFrame, desc_columns: tuple[str, ...], code_column: str | None
) -> tuple[list[OffenseProposal], int]:
    """Offenses of an export with proposed categories, and the code width to pad to.

    Descriptions are built as the ingest builds them (the columns joined by a
    space). Numeric codes of differing lengths (`` 64701`` and ``265321``) get a
    width, so ``[categories.codes]`` keys match the padded codes.

    Example
    -------
    >>> offense_proposals(rows, ("Description",), "Crime")[1]
    6
    """
    text = pd.Series("", index=rows.index, dtype=object)
    for name in desc_columns:
        text = (text + " " + rows[name].astype(str).str.strip()).str.strip()
    codes = rows[code_column].astype(str).str.strip() if code_column else None
    width = 0
    if codes is not None:
        lengths = codes[codes.str.fullmatch(r"\d+")].str.len()
        width = int(lengths.max()) if lengths.nunique() > 1 else 0
    return propose_offenses(codes, text, width), width


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


def toml_value(value: object) -> str:
    """A TOML literal for a string, number, bool or a list/tuple of them.

    Example
    -------
    >>> toml_value(["a", 'b"c'])
    '["a", "b\\\\"c"]'
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    text = str(value)
    if "\\" in text and "'" not in text and not re.search(r"[\x00-\x1f\x7f]", text):
        return f"'{text}'"  # a literal string: regular expressions stay readable
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    text = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", text)
    return f'"{text}"'


def render_categories(
    offenses: list[OffenseProposal],
    code_width: int = 0,
    top: int = 200,
    rules: tuple[KeywordRule, ...] = DEFAULT_RULES,
    sensitive: tuple[str, ...] = DEFAULT_SENSITIVE,
    checks: dict[str, list[str]] | None = None,
) -> list[str]:
    """TOML lines of a drafted profile's ``[categories]``: codes, rules, default.

    Codes whose descriptions match a rule are listed in ``[categories.codes]``
    (the ``top`` most frequent); codes that matched no rule are listed in a
    comment, since only ``default`` catches them. ``checks`` (offense code or
    description -> CHECK notes, see :mod:`pipelines.ingest.category_check`) are
    written above the code they concern.

    Example
    -------
    >>> render_categories([OffenseProposal("120", "Robbery", 5, "robbery")])[-1]
    'category = "disorder"'
    """
    lines = [
        "",
        "[categories]",
        "# Exact codes first, then the keyword rules (case-insensitive regular",
        "# expressions on the offense description, first match wins), then `default`,",
        "# so no row is left unmapped. Categories: see pipelines/schema.py CATEGORIES.",
        f"default = {toml_value(DEFAULT_CATEGORY)}",
    ]
    if code_width:
        lines += [
            "# Numeric codes are zero-padded to this width.",
            f"code_width = {code_width}",
        ]
    lines += [
        "# Descriptions containing any of these are sensitive.",
        f"sensitive_patterns = {toml_value(sensitive)}",
    ]
    listed = offenses[:top]
    rarer = len(offenses) - top
    more = f" ({rarer:,} rarer ones not listed)" if rarer > 0 else ""
    coded = [o for o in listed if o.code and o.category and o.consistent]
    if coded:
        lines += [
            "",
            "[categories.codes]",
            f"# {len(offenses):,} offense codes in the file{more}; each one's",
            "# category is the keyword rule its description matched. Check them.",
        ]
        for o in coded:
            lines += [f"# {note}" for note in (checks or {}).get(o.code, [])]
            lines.append(
                f"{toml_value(o.code)} = {toml_value(o.category)}  # "
                f"{_comment(o.description)} ({o.rows:,} rows)"
            )
    lines += _unmatched_comment(listed)
    for rule in rules:
        lines += [
            "",
            "[[categories.keyword]]",
            f"pattern = {toml_value(rule.pattern)}",
            f"category = {toml_value(rule.category)}",
        ]
    return lines


def _unmatched_comment(listed: list[OffenseProposal]) -> list[str]:
    """Comment listing offenses only ``default`` takes, or split across categories."""
    lines = []
    default = [o for o in listed if not o.category]
    mixed = [o for o in listed if o.code and o.category and not o.consistent]
    if default:
        lines += ["", f"# CHECK: these match no rule and become {DEFAULT_CATEGORY!r}:"]
        lines += [
            f"#   {o.code + ' ' if o.code else ''}{_comment(o.description)} "
            f"({o.rows:,} rows)"
            for o in default
        ]
    if mixed:
        lines += [
            "",
            "# CHECK: these codes' descriptions fall in several categories; "
            "left to the rules:",
        ]
        lines += [
            f"#   {o.code} {_comment(o.description)} ({o.rows:,} rows)" for o in mixed
        ]
    if any(not o.code for o in listed if o.category):
        lines += ["", "# Proposed categories of the most frequent descriptions:"]
        lines += [
            f"#   {_comment(o.description)} -> {o.category} ({o.rows:,} rows)"
            for o in listed
            if o.category
        ]
    return lines


def _comment(text: str) -> str:
    return re.sub(r"[\x00-\x1f\x7f]", " ", text)[:70]
