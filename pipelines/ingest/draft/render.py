"""The drafted profile as TOML text, with a comment on every guess."""

from __future__ import annotations

import itertools
import re
import textwrap

import pandas as pd

from pipelines.ingest.category_rules import (
    toml_value,
)
from pipelines.ingest.draft.columns import _COLUMN_ORDER, Guess, _as_tuple
from pipelines.ingest.draft.required import (
    missing_role_lines,
    missing_roles,
)
from pipelines.ingest.readers import ExportTable
from pipelines.ingest.source_profile import LabelSpec

# --- TOML rendering --------------------------------------------------------------


def _render(
    table: ExportTable, source: str, g: dict[str, Guess], warnings: list[str]
) -> list[str]:
    """Every section but [categories], each value under a comment saying why."""
    lines = [
        "# Source profile drafted by `beatprofile profile init` from",
        f"# {table.file_name} ({len(table.rows):,} rows, {table.encoding}).",
        "# Every value is a guess; the comment above it says what it rests on. Look at",
        "# lines marked CHECK, then try it with `beatprofile check PROFILE FILE`.",
        *(line for w in warnings for line in _comment(f"WARNING: {w}")),
        "",
        "[source]",
        f"name = {toml_value(source)}",
        *_entry("kind", g["kind"]),
        f"description = {toml_value('Drafted from ' + table.file_name)}",
    ]
    if "unique_ids" in g:
        lines += _entry("unique_ids", g["unique_ids"])
    lines += ["", "[columns]"]
    for field in _COLUMN_ORDER:
        lines += _entry(field, g[field]) if field in g else []
    for role in missing_roles(g):  # a "TODO" the loader refuses, naming the line
        lines += missing_role_lines(role)
    lines += ["", "[dates]", "# Formats are tried in turn; if none parses: bad_date."]
    for field in _COLUMN_ORDER:
        lines += _entry(field, g[f"dates.{field}"]) if f"dates.{field}" in g else []
    lines += [
        "# Dates before this are placeholders for an unknown date (bad_date).",
        'earliest = "1950-01-01"',
    ]
    return lines + _location_lines(g) + _label_lines(g) + _flag_lines(g)


# Fields that, with the id, may tell the rows of one incident apart.
_IDENTITY_FIELDS = ("offense_code", "reported_at", "occurred_at", "offense_desc")


def _guess_identity(rows: pd.DataFrame, g: dict[str, Guess]) -> Guess | None:
    """The id alone if unique (``unique_ids``), else the smallest combination of
    the id and other mapped fields that is unique in the sample."""
    if "incident_id" not in g or g.get("unique_ids", Guess(False, 0, "")).value:
        return None
    fields = [f for f in _IDENTITY_FIELDS if f in g]

    def columns(names: tuple[str, ...]) -> list[str]:
        return [c for f in names for c in _as_tuple(g[f])]

    combos = [
        ("incident_id", *extra)
        for size in range(1, len(fields) + 1)
        for extra in itertools.combinations(fields, size)
    ]
    if not combos:
        return None
    repeats = {key: int(rows.duplicated(columns(key)).sum()) for key in combos}
    key = min(combos, key=lambda k: (repeats[k], len(k)))  # smallest unique first
    if repeats[key] == 0:
        why = (
            f"`{g['incident_id'].value}` repeats; these fields together are unique "
            f"in {len(rows):,} rows (re-pulls replace the rows of a key with the "
            "export loaded last)"
        )
        return Guess(list(key), 0.5, why)
    return Guess(
        list(key),
        0.3,
        f"no combination of mapped fields is unique: with the fewest repeats, "
        f"{repeats[key]:,} rows repeat the key; they are quarantined as duplicates "
        'unless you set repeats = "separate" (if they are separate records, e.g. '
        "one row per victim)",
    )


def _identity_lines(g: dict[str, Guess], identical_rows: int) -> list[str]:
    """The ``[identity]`` section (none when the id alone is unique)."""
    if "identity.key" not in g:
        return []
    lines = ["", "[identity]", "# What makes two rows the same record."]
    if identical_rows:
        lines += _comment(
            f"CHECK: {identical_rows:,} rows are identical to another in every "
            "field; as drafted they are quarantined as duplicates; repeats = "
            '"separate" keeps them (e.g. one row per victim).'
        )
    return lines + _entry("key", g["identity.key"])


def _entry(key: str, guess: Guess) -> list[str]:
    check = "CHECK: " if guess.confidence < 0.6 else ""
    note = f"{check}{guess.evidence} (confidence {guess.confidence:.2f})"
    return [*_comment(note), f"{key} = {toml_value(guess.value)}"]


def _comment(text: str) -> list[str]:
    """``text`` as comment lines of at most 88 characters."""
    return textwrap.wrap(text, 86, initial_indent="# ", subsequent_indent="# ")


def _location_lines(g: dict[str, Guess]) -> list[str]:
    lines = ["", "[location]"]
    crs = g.get("crs")
    if crs is not None and crs.value is not None:
        lines += _entry("crs", crs)
    elif crs is not None and "x" in g:
        lines += [
            *_comment(f"CHECK: {crs.evidence}"),
            '# TODO: crs = "EPSG:...."  (the CRS of the x/y columns)',
        ]
    elif crs is not None:
        lines += _comment(
            f"{crs.evidence} (confidence {crs.confidence:.2f}); no crs needed"
        )
    if "missing_xy" in g:
        lines += ["# A pair equal to this means 'no location'."]
        lines += _entry("missing_xy", g["missing_xy"])
    return lines


def _label_lines(g: dict[str, Guess]) -> list[str]:
    """[labels]: the finest and coarser levels active (the finest with its
    values map as a sub-table), other label columns as comments."""
    active = (
        {lv for lv, _ in g["labels.levels"].value} if "labels.levels" in g else set()
    )
    finest = g["area_label"].value if "area_label" in g else None
    lines = [
        "",
        "[labels]",
        "# level = the department's own area code. The level must also be a",
        "# [[levels]] name in beatprofile.toml, or the build ignores the label.",
    ]
    others: list[str] = []
    table: list[str] = []
    for key, guess in g.items():
        if not key.startswith("label."):
            continue
        level = key.removeprefix("label.")
        spec: LabelSpec = guess.value  # type: ignore[assignment]
        missing = f", missing = {toml_value(spec.missing)}" if spec.missing else ""
        column = toml_value(spec.column)
        entry = f"{level} = {{ column = {column}{missing} }}"
        note = f"{guess.evidence} (confidence {guess.confidence:.2f})"
        if spec.column == finest:
            table = _finest_label_table(level, spec, note, g)
        elif level in active:
            check = "CHECK: a coarser level (from_label = true in beatprofile.toml); "
            lines += [*_comment(check + note), entry]
        else:
            others += [*_comment(guess.evidence), f"# {entry}"]
    if others:
        lines += ["# Other label columns: uncomment those with a level in your config"]
    return lines + others + table


def _finest_label_table(
    level: str, spec: LabelSpec, note: str, g: dict[str, Guess]
) -> list[str]:
    lines = ["", f"[labels.{level}]", *_comment(note)]
    lines.append(f"column = {toml_value(spec.column)}")
    if spec.missing:
        lines.append(f"missing = {toml_value(spec.missing)}")
    if not spec.values:
        return lines
    fuzzy = next(c.fuzzy for lv, c in g["labels.levels"].value if lv == level)
    lines += [
        "",
        f"[labels.{level}.values]",
        *_comment(
            "Labels written differently from the layer's ids, and the area id each "
            "names (matched by name or normal form; the build matches those by "
            "itself too). Fuzzy matches are marked CHECK."
        ),
    ]
    for label, area in sorted(spec.values.items()):
        mark = (
            f"  # CHECK: fuzzy match, ratio {fuzzy[label][1]:.2f}"
            if label in fuzzy
            else ""
        )
        lines.append(f"{toml_value(label)} = {toml_value(area)}{mark}")
    return lines


def _flag_lines(g: dict[str, Guess]) -> list[str]:
    lines: list[str] = []
    if "count" in g and not g["count"].evidence.endswith("(0 rows of -1)"):
        note = f"{g['count'].evidence}: a -1 row cancels the +1 row with the same id "
        lines += ["", "[reversals]", *_comment(note + "and offense code.")]
        lines += ["enabled = true"]
    if "sensitive_column" in g:
        flag: tuple[str, tuple[str, ...]] = g["sensitive_column"].value  # type: ignore[assignment]
        lines += [
            "",
            "[sensitive]",
            *_comment(g["sensitive_column"].evidence),
            f"column = {toml_value(flag[0])}",
            f"true_values = {toml_value(flag[1])}",
        ]
    if "calls.sources" in g:
        lines += ["", "[calls.sources]", *_comment(g["calls.sources"].evidence)]
        lines += [
            f"{toml_value(k)} = {toml_value(v)}"
            for k, v in g["calls.sources"].value.items()
        ]  # type: ignore[attr-defined]
    return lines


def _slug(file_name: str) -> str:
    stem = re.sub(r"\.(csv|txt)(\.gz)?$", "", file_name, flags=re.IGNORECASE)
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:40] or "source"
