"""Id, offense code and description, and block-address columns of a draft."""

from __future__ import annotations

import pandas as pd

from pipelines.ingest.draft.columns import (
    _ADDRESS_WORDS,
    _CODE_WORDS,
    _DESC_WORDS,
    _ID_WORDS,
    _NOT_DESC,
    Guess,
    _best,
    _Column,
    _words_score,
)

# --- id, offense and address ----------------------------------------------------------


def _guess_offense_and_id(
    cols: dict[str, _Column], rows: pd.DataFrame, taken: set[str], warnings: list[str]
) -> dict[str, Guess]:
    """Incident id, offense code and description, and block address columns."""
    out: dict[str, Guess] = {}
    ident = _best(cols, _id_score, taken)
    if ident is None:
        warnings.append("no id column found: set [columns] incident_id by hand")
    else:
        taken.add(ident.name)
        unique = ident.unique == 1 and ident.filled == 1
        n = round(ident.filled * len(rows))
        why = (
            f"unique in {len(rows):,} rows"
            if unique
            else f"{ident.distinct:,} "
            f"distinct values in {n:,} rows: a record may span rows (or ids repeat)"
        )
        out["incident_id"] = Guess(ident.name, 0.9 if unique else 0.6, why)
        out["unique_ids"] = Guess(
            unique,
            1.0,
            f"`{ident.name}` is " + ("unique" if unique else "not unique") + " here",
        )
    code = _best(cols, _code_score, taken)
    if code is not None:
        taken.add(code.name)
        out["offense_code"] = Guess(
            code.name, 0.7, f"short codes, {code.distinct:,} distinct"
        )
    desc = _best(cols, _desc_score, taken)
    if desc is not None:
        taken.add(desc.name)
        names = _with_parent(cols, rows, desc, taken)
        out["offense_desc"] = Guess(
            names if len(names) > 1 else desc.name,
            0.7,
            "text; the type is prefixed because the description alone is ambiguous"
            if len(names) > 1
            else f"text, {desc.distinct:,} distinct values",
        )
    elif code is None:
        warnings.append("no offense column found: every row gets the default category")
    address = _best(cols, _address_score, taken)
    if address is not None:
        out["block_address"] = Guess(_with_street(cols, address), 0.6, "address words")
    return out


def _id_score(col: _Column) -> float:
    name = min(_words_score(col, _ID_WORDS), 3)
    if col.filled < 0.95 or col.unique < 0.5 or (not name and col.unique < 0.99):
        return 0.0
    return name + 3 * (col.unique == 1) + col.unique


def _code_score(col: _Column) -> float:
    if col.values.empty or col.values.str.len().mean() > 8:
        return 0.0
    if col.values.str.contains(" ").mean() > 0.2:
        return 0.0
    bonus = "code" in col.words and bool(col.words & {"offense", "crime"})
    return _words_score(col, _CODE_WORDS) + bonus


def _desc_score(col: _Column) -> float:
    if col.words & _NOT_DESC or col.values.empty:
        return 0.0
    if col.distinct > 50 and col.unique > 0.5:  # free text, not a list of offenses
        return 0.0
    texty = col.values.str.contains("[A-Za-z]{3}").mean() >= 0.8
    return _words_score(col, _DESC_WORDS) if texty else 0.0


def _with_parent(
    cols: dict[str, _Column], rows: pd.DataFrame, desc: _Column, taken: set[str]
) -> tuple[str, ...]:
    """Prefix a primary-type column when the description alone is ambiguous."""
    for col in cols.values():
        if col.name in taken or col.numeric > 0.5:
            continue
        if not col.words & {"primary", "parent"}:
            continue
        pairs = rows[[desc.name, col.name]].drop_duplicates()
        if pairs[desc.name].duplicated().any():
            taken.add(col.name)
            return (col.name, desc.name)
    return (desc.name,)


def _address_score(col: _Column) -> float:
    score = _words_score(col, _ADDRESS_WORDS)
    if not score or col.values.empty or col.words & {"description", "name", "comment"}:
        return 0.0
    return score + 0.1 * col.filled


def _with_street(cols: dict[str, _Column], address: _Column) -> str | tuple[str, str]:
    """A house-number column is joined with its street column (same prefix)."""
    if address.numeric < 0.8:
        return address.name
    prefix = address.words - {"address"}
    street = [c for c in cols.values() if c.words == prefix | {"street"}]
    return (address.name, street[0].name) if street else address.name
