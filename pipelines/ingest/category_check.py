"""Second opinions on a drafted profile's categories, as CHECK comments.

* The department's own category column (Denver's ``OFFENSE_CATEGORY_ID``,
  Seattle's ``Offense Parent Group``), when the export has one, is read through
  the same keyword rules; every code whose rules disagree with it is marked.
* A code that falls to ``other`` holding more than 0.5% of the rows is marked.
* Every code or description flagged sensitive is listed (pipelines.ingest.sensitive).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from pipelines.ingest.category_rules import (
    DEFAULT_CATEGORY,
    OffenseProposal,
    propose_category,
)
from pipelines.ingest.source_profile import pad_code

OTHER_SHARE = 0.005  # a code in `other` above this share of rows gets a CHECK
_CATEGORY_WORDS = {"category", "class", "group", "classification", "grouping"}
MIN_MAPPED = 0.5  # share of rows whose department category maps to one of ours


@dataclass(frozen=True)
class DepartmentCategory:
    """The export's own category column and each offense key's value in it."""

    column: str
    by_key: dict[str, str]  # offense code (padded) or description -> value


def detect_department_category(
    rows: pd.DataFrame, taken: set[str], max_values: int = 80
) -> str | None:
    """The column holding the department's own offense category, or None.

    A candidate's header has a word like category/class/group, it has 2 to
    ``max_values`` distinct text values, and the keyword rules map at least
    half of its rows to a category; the one mapping the most rows wins.

    Example
    -------
    >>> detect_department_category(frame, {"OFFENSE_TYPE_ID"})
    'OFFENSE_CATEGORY_ID'
    """
    best: tuple[float, str] | None = None
    for column in rows.columns:
        words = {w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+", column)}
        if column in taken or not words & _CATEGORY_WORDS:
            continue
        counts = rows[column].astype(str).str.strip().value_counts()
        counts = counts[counts.index != ""]
        if not 2 <= len(counts) <= max_values:
            continue
        if not pd.Series(counts.index).str.contains("[A-Za-z]{3}").all():
            continue
        mapped = sum(n for v, n in counts.items() if propose_category(str(v)))
        share = mapped / max(int(counts.sum()), 1)
        if share >= MIN_MAPPED and (best is None or share > best[0]):
            best = (share, str(column))
    return best[1] if best else None


def department_categories(
    rows: pd.DataFrame,
    column: str,
    code_column: str | None,
    descriptions: pd.Series,
    code_width: int = 0,
) -> DepartmentCategory:
    """Each offense key's most frequent value in the department's category column."""
    if code_column:
        keys = rows[code_column].astype(str).map(lambda c: pad_code(c, code_width))
    else:
        keys = descriptions.fillna("").astype(str).str.replace(r"\s+", " ", regex=True)
        keys = keys.str.strip()
    values = rows[column].astype(str).str.strip()
    pairs = pd.DataFrame({"key": keys.to_numpy(), "value": values.to_numpy()})
    pairs = pairs[(pairs["key"] != "") & (pairs["value"] != "")]
    top = pairs.value_counts().reset_index(name="n").drop_duplicates("key")
    return DepartmentCategory(column, dict(zip(top["key"], top["value"], strict=True)))


def category_checks(
    offenses: list[OffenseProposal],
    total_rows: int,
    department: DepartmentCategory | None = None,
) -> dict[str, list[str]]:
    """CHECK notes per offense key (code, or description without a code column).

    Example
    -------
    >>> category_checks([OffenseProposal("X", "odd", 10, None)], 100)["X"][0][:6]
    'CHECK:'
    """
    notes: dict[str, list[str]] = {}
    for o in offenses:
        key = o.code or o.description
        ours = o.category or DEFAULT_CATEGORY
        if department is not None and key in department.by_key:
            value = department.by_key[key]
            theirs = propose_category(value)
            if theirs and theirs != ours:
                notes.setdefault(key, []).append(
                    f"CHECK: the rules say {ours!r} but the department's "
                    f"{department.column} is {value!r} ({theirs}) ({o.rows:,} rows)"
                )
        if ours == DEFAULT_CATEGORY and o.rows > OTHER_SHARE * total_rows:
            notes.setdefault(key, []).append(
                f"CHECK: falls to {DEFAULT_CATEGORY!r} with {o.rows:,} rows "
                f"({o.rows / max(total_rows, 1):.1%} of rows, over "
                f"{OTHER_SHARE:.1%})"
            )
    return notes


def render_check_lines(
    notes: dict[str, list[str]], offenses: list[OffenseProposal]
) -> list[str]:
    """A comment block listing every CHECK note with its code and description."""
    if not notes:
        return []
    lines = ["", "# CHECK: categories to review (department's category, `other`):"]
    for o in offenses:
        key = o.code or o.description
        for note in notes.get(key, []):
            label = f"{o.code} {o.description}" if o.code else o.description
            lines.append(f"#   {_clean(label)}: {note.removeprefix('CHECK: ')}")
    return lines


def _clean(text: str) -> str:
    return re.sub(r"[\x00-\x1f\x7f]", " ", text)[:70]


def adopt_department_categories(
    offenses: list[OffenseProposal], department: DepartmentCategory | None
) -> tuple[list[OffenseProposal], dict[str, list[str]]]:
    """Offenses no rule matched take the department's category, when it maps to one.

    Returns the offenses and a CHECK note for each code that took it.
    """
    if department is None:
        return offenses, {}
    out, notes = [], {}
    for o in offenses:
        key = o.code or o.description
        theirs = propose_category(department.by_key.get(key, ""))
        if o.category is None and theirs:
            o = OffenseProposal(o.code, o.description, o.rows, theirs, o.consistent)
            notes[key] = [
                f"CHECK: no rule matched; {theirs!r} from the department's "
                f"{department.column} {department.by_key[key]!r} ({o.rows:,} rows)"
            ]
        out.append(o)
    return out, notes
