"""Row filters of a source profile: rows the department's own flags say are not
crimes (traffic accidents, unfounded reports) are set aside at staging.

A profile's ``[filter]`` section::

    [filter]
    keep = { IS_CRIME = ["1"] }        # keep only rows whose IS_CRIME is 1
    drop = { IS_TRAFFIC = ["1"] }      # and drop rows whose IS_TRAFFIC is 1

Values are compared as text, stripped and case-insensitively. A row failing
the filter is not lost: it is staged with the issue ``filtered_by_profile``
and its raw line, and ends in the store's ``filtered`` table, so rows read =
kept + quarantined + filtered. The filter is applied before duplicates and
reversals are worked out: a filtered row takes part in neither.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines import validate
from pipelines.errors import InputFileError

FILTER_MODES = ("keep", "drop")


@dataclass(frozen=True)
class RowFilter:
    """Columns whose values keep a row (``keep``) or set it aside (``drop``)."""

    keep: dict[str, tuple[str, ...]] = field(default_factory=dict)
    drop: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.keep and not self.drop


def parse_filter(section: object, path: Path) -> RowFilter:
    """Validate a profile's ``[filter]`` section.

    Parameters
    ----------
    section : object
        The parsed TOML value of ``[filter]`` (a table).
    path : Path
        The profile file, named in error messages.

    Returns
    -------
    RowFilter

    Raises
    ------
    ConfigError
        If the section has a key other than ``keep``/``drop``, or a mode is not
        a table of column = list of values.

    Example
    -------
    >>> parse_filter({"keep": {"IS_CRIME": ["1"]}}, Path("p.toml")).keep
    {'IS_CRIME': ('1',)}
    """
    section = validate.table(
        section,
        path,
        "[filter]",
        'a table such as `[filter] keep = { IS_CRIME = ["1"] }`',
    )
    validate.known_keys(
        section,
        FILTER_MODES,
        path,
        "[filter]",
        "`keep` (rows whose column has one of the values stay, e.g. keep = { "
        'IS_CRIME = ["1"] }) and/or `drop` (rows whose column has one of the '
        "values are set aside)",
    )
    modes = {
        mode: _parse_mode(section.get(mode, {}), mode, path) for mode in FILTER_MODES
    }
    return RowFilter(keep=modes["keep"], drop=modes["drop"])


def _parse_mode(value: object, mode: str, path: Path) -> dict[str, tuple[str, ...]]:
    value = validate.table(
        value,
        path,
        f"[filter] {mode}",
        f'a table of column = list of values, e.g. {mode} = {{ IS_CRIME = ["1"] }}',
    )
    out = {}
    for column, values in value.items():
        texts = validate.text_list(
            values,
            path,
            f"[filter] {mode}.{column}",
            'a non-empty list of values as text, e.g. ["1"] or ["Y", "YES"]',
            allow_integers=True,
        )
        out[str(column)] = tuple(v.strip().upper() for v in texts)
    return out


def filter_rows(
    raw: pd.DataFrame,
    row_filter: RowFilter,
    find_column: Callable[[str], str | None],
    file_name: str,
) -> tuple[np.ndarray, pd.Series]:
    """Which rows the filter sets aside, and a message for each of them.

    Parameters
    ----------
    raw : DataFrame
        The export's text cells.
    row_filter : RowFilter
    find_column : callable
        Maps a column named in the profile to the file's header (or None).
    file_name : str
        Named in the error when a column is missing.

    Returns
    -------
    (filtered, message) : ndarray of bool, Series of str
        ``message`` is None for rows the filter keeps.

    Raises
    ------
    InputFileError
        If a column named in ``[filter]`` is not in the file.
    """
    filtered = np.zeros(len(raw), dtype=bool)
    message = pd.Series(None, index=raw.index, dtype=object)
    for mode, columns in (("keep", row_filter.keep), ("drop", row_filter.drop)):
        for column, values in columns.items():
            header = find_column(column)
            if header is None:
                found = [c for c in raw.columns if not str(c).startswith("_")]
                raise InputFileError(
                    f"{file_name}: column '{column}' named in the source profile's "
                    f"[filter] {mode} is not in the file; the file has {found}. "
                    "Fix or remove that [filter] entry"
                )
            cells = raw[header].astype(str).str.strip()
            listed = cells.str.upper().isin(values).to_numpy()
            hit = (~listed if mode == "keep" else listed) & ~filtered
            if hit.any():
                rule = "keeps only" if mode == "keep" else "drops"
                message[hit] = (
                    f"{column} was '" + cells[hit] + f"'; the profile's [filter] "
                    f"{rule} {list(values)}"
                )
                filtered |= hit
    return filtered, message


# --- drafting: a yes/no column that says a row is not a crime ------------------------

_YES_NO = (({"1"}, {"0"}), ({"Y", "YES"}, {"N", "NO"}), ({"T", "TRUE"}, {"F", "FALSE"}))
_KEEP_YES = {"crime", "founded", "iscrime"}  # yes = a crime: keep the yes rows
_DROP_YES = {"noncrime", "traffic", "accident", "crash", "collision", "unfounded"}


@dataclass(frozen=True)
class FilterProposal:
    """A yes/no column that splits the rows, and how a filter would use it."""

    column: str
    mode: str  # "keep" (keep the yes rows) or "drop" (drop the yes rows)
    values: tuple[str, ...]  # the values written in the filter, as in the file
    counts: dict[str, int]  # rows per value as written (blank as "")
    set_aside: int  # rows the filter would set aside

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def propose_filters(rows: pd.DataFrame) -> list[FilterProposal]:
    """Yes/no columns whose name says crime / non-crime / traffic / accident /
    unfounded and whose values split the rows (both answers present).

    A column named for crimes keeps its "yes" rows; one named for traffic,
    accidents, non-crimes or unfounded reports drops its "yes" rows. Columns
    named for crimes come first.

    Example
    -------
    >>> propose_filters(pd.DataFrame({"IS_CRIME": ["1", "1", "1", "0"]}))[0].mode
    'keep'
    """
    out = []
    for column in rows.columns:
        words = _name_words(str(column))
        if "non" in words and "crime" in words:
            words = (words - {"crime"}) | {"noncrime"}
        mode = "drop" if words & _DROP_YES else "keep" if words & _KEEP_YES else None
        if mode is None:
            continue
        text = rows[column].astype(str).str.strip()
        counts = text.value_counts()
        yes = _yes_values(set(counts.index.str.upper()) - {""})
        if yes is None:
            continue
        values = tuple(v for v in counts.index if v.upper() in yes)
        in_list = int(counts[list(values)].sum())
        out.append(
            FilterProposal(
                column=str(column),
                mode=mode,
                values=values,
                counts={str(k): int(v) for k, v in counts.items()},
                set_aside=len(text) - in_list if mode == "keep" else in_list,
            )
        )
    out += _ucr_part_three(rows)
    return sorted(out, key=lambda p: p.mode != "keep")


_PART_THREE = re.compile(r"^\s*(part\s*)?(three|3|iii)\s*$", re.IGNORECASE)


def _ucr_part_three(rows: pd.DataFrame) -> list[FilterProposal]:
    """A UCR-part column with a "Part Three": UCR defines only Parts I and II, so
    departments that publish a Part III use it for non-crime incidents (sick
    assists, investigate person, property found); the draft proposes dropping
    them, with a CHECK."""
    out = []
    for column in rows.columns:
        words = _name_words(str(column))
        if not {"ucr", "part"} <= words:
            continue
        text = rows[column].astype(str).str.strip()
        counts = text.value_counts()
        three = tuple(v for v in counts.index if _PART_THREE.match(v))
        if not three or len(three) == len(counts):
            continue
        out.append(
            FilterProposal(
                column=str(column),
                mode="drop",
                values=three,
                counts={str(k): int(v) for k, v in counts.items()},
                set_aside=int(counts[list(three)].sum()),
            )
        )
    return out


def _name_words(name: str) -> set[str]:
    parts = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", name)
    return {p.lower() for p in parts}


def _yes_values(found: set[str]) -> set[str] | None:
    """The "yes" spellings if ``found`` holds both answers of one yes/no pair."""
    for yes, no in _YES_NO:
        if found <= yes | no and found & yes and found & no:
            return found & yes
    return None


def render_filter_lines(proposals: list[FilterProposal]) -> list[str]:
    """TOML lines of a drafted ``[filter]``: the first proposal active, the rest
    commented out; each with a CHECK comment giving the row shares.

    Example
    -------
    >>> render_filter_lines([])
    []
    """
    if not proposals:
        return []
    lines = [
        "",
        "[filter]",
        "# Rows failing the filter are set aside as filtered_by_profile: kept with",
        "# their raw line in the store's `filtered` table, not counted anywhere.",
    ]
    for i, p in enumerate(proposals):
        lines += [f"# {line}" for line in _wrap(_proposal_note(p, active=i == 0))]
        entry = f"{p.mode} = {{ {_key(p.column)} = {_list(p.values)} }}"
        lines.append(entry if i == 0 else f"# {entry}")
    return lines


def _proposal_note(p: FilterProposal, active: bool) -> str:
    shares = ", ".join(
        f"{('blank' if v == '' else repr(v))} {n:,} rows ({n / p.rows:.1%})"
        for v, n in p.counts.items()
    )
    what = "keeps only the rows whose" if p.mode == "keep" else "drops the rows whose"
    head = "CHECK:" if active else "CHECK (not active; uncomment to use instead):"
    kind = (
        "is a UCR-part column (UCR has Parts I and II only; a Part III holds "
        "non-crime incidents)"
        if _PART_THREE.match(p.values[0])
        else "is a yes/no column that splits the rows"
    )
    return (
        f"{head} `{p.column}` {kind}: {shares}. "
        f"This filter {what} {p.column} is {_list(p.values)}, setting aside "
        f"{p.set_aside:,} of {p.rows:,} rows ({p.set_aside / p.rows:.1%}). Remove "
        "it to count every row."
    )


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, 86)


def _key(column: str) -> str:
    return column if re.fullmatch(r"[A-Za-z0-9_-]+", column) else _quote(column)


def _list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(_quote(v) for v in values) + "]"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
