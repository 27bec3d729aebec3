"""Label agreement per level, in words, and the build's rule on it.

``check`` and ``build`` print one line per level, always: the share of
labelled rows whose final area is the one their own label names, "0% of
labels match any area" when the labels name nothing the level has, "from
labels" for label-only levels (100% by construction), or that the level has
no labels. A build fails when a level comes out empty or its agreement is
below ``[assignment] min_label_agreement`` (default 80%), unless
``--allow-low-agreement`` turns those failures into loud warnings.
"""

from __future__ import annotations

import pandas as pd

from pipelines.errors import LowAgreementError
from pipelines.ingest.areas import ALL_SOURCES

DEFAULT_MIN_AGREEMENT = 0.8
_FIX_LABELS = (
    "see the [labels] {level} entry of the source profile: its column must hold "
    "the ids or names of the level's areas (run `beatprofile profile init` with "
    "--areas to find the right column, or add a values = {{...}} map)"
)


def agreement_lines(table: pd.DataFrame, source: str = ALL_SOURCES) -> list[str]:
    """One line per level of ``source`` from the agreement table (areas.py).

    Example
    -------
    >>> agreement_lines(derived.agreement)[0]
    'label agreement, beat: 99.71% of 1,542 labelled rows agree ...'
    """
    rows = table[table["source"] == source]
    return [f"label agreement, {r['level']}: {_figure(r)}" for _, r in rows.iterrows()]


def _figure(row: pd.Series) -> str:
    level, labelled = row["level"], int(row["labelled"])
    if int(row["assigned_rows"]) == 0:
        return f"no incident was assigned to any area of level {level}"
    if row["from_label"]:
        pip = _share(row["point_in_polygon_agree"], row["compared"])
        return (
            f"from labels ({labelled:,} labelled rows; point-in-polygon on the "
            f"approximate map {pip})"
        )
    if labelled == 0:
        return "no source labels at this level (nothing to compare)"
    if int(row["matched"]) == 0:
        return f"0% of labels match any area at level {level}: " + _FIX_LABELS.format(
            level=level
        )
    return (
        f"{_share(row['assigned_agree'], labelled)} assigned, "
        f"{_share(row['point_in_polygon_agree'], labelled)} point-in-polygon "
        f"of {labelled:,} labelled rows (labels naming an area: "
        f"{_share(row['matched'], labelled)}"
        f"{'; approximate layer' if row['approximate_layer'] else ''})"
    )


def _share(part: object, whole: object) -> str:
    return f"{int(part) / int(whole):.2%}" if int(whole) else "n/a"


def agreement_problems(table: pd.DataFrame, minimum: float) -> list[str]:
    """What fails a build: empty levels and agreement below ``minimum``.

    Example
    -------
    >>> agreement_problems(derived.agreement, 0.8)
    ['level district is empty: ...']
    """
    problems = []
    for _, row in table[table["source"] == ALL_SOURCES].iterrows():
        level, labelled = row["level"], int(row["labelled"])
        if int(row["assigned_rows"]) == 0:
            problems.append(
                f"level {level} is empty: no incident was assigned to any of its "
                "areas; "
                + _FIX_LABELS.format(level=level)
                + " (or its parent_field in beatprofile.toml)"
            )
        elif labelled and not row["from_label"]:
            share = int(row["assigned_agree"]) / labelled
            if share < minimum:
                problems.append(
                    f"label agreement at level {level} is {share:.1%} of {labelled:,} "
                    f"labelled rows, below [assignment] min_label_agreement "
                    f"{minimum:.0%}; " + _FIX_LABELS.format(level=level)
                )
    return problems


def enforce_agreement(
    table: pd.DataFrame, minimum: float, allow_low: bool
) -> tuple[str, ...]:
    """Raise on :func:`agreement_problems`, or return them as warnings.

    Raises
    ------
    LowAgreementError
        If there are problems and ``allow_low`` is false.
    """
    problems = agreement_problems(table, minimum)
    if problems and not allow_low:
        raise LowAgreementError(
            "; ".join(problems)
            + ". Nothing was written. To build anyway, pass --allow-low-agreement "
            "(the Data quality page then shows this warning)"
        )
    return tuple(problems)
