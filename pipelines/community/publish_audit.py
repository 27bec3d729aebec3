"""The privacy audit of a public store's tables, run by every ``publish``.

:func:`audit_public_tables` returns one message per problem, each naming the
table and column and saying why: a column named like an incident field; a
count below ``k`` that is shown, a hidden count whose value is stored, or a
NULL count not flagged withheld; a sensitive or unknown category; text that
names a sensitive category or shows a small count; a geometry that is not a
polygon; a total that, minus its shown parts, gives a count below ``k``
(complementary suppression, as :func:`pipelines.community.public_audit.audit_parts_total`).
"""

from __future__ import annotations

import re

import pandas as pd
import shapely

from pipelines.community import public, public_audit

FORBIDDEN_PARTS = (
    "address",
    "block",
    "narrative",
    "description",
    "incident",
    "note",
    "offense",
    "offence",
    "occurred",
)
FORBIDDEN_TOKENS = frozenset({"lon", "lat", "lng", "longitude", "latitude", "x", "y"})
_POLYGONS = {"Polygon", "MultiPolygon"}


def audit_public_tables(tables: dict[str, pd.DataFrame], k: int) -> list[str]:
    """Every way the public store's ``tables`` break the public-safe rules.

    Parameters
    ----------
    tables : dict of str to DataFrame
        As from :func:`pipelines.community.publish.build_public_tables`.
    k : int

    Returns
    -------
    list of str
        Empty when the tables may be published.

    Examples
    --------
    >>> audit_public_tables({"t": pd.DataFrame({"block_address": ["x"]})}, 3)[0][:9]
    'table t, '
    """
    problems = []
    for name, frame in tables.items():
        problems += _column_names(name, frame)
        problems += _counts(name, frame, k)
        problems += _texts(name, frame, k)
        if "category" in frame.columns:
            bad = sorted(
                {str(c) for c in frame["category"] if not public.is_public_category(c)}
            )
            if bad:
                problems.append(
                    f"table {name}, column category: sensitive or missing category "
                    f"{bad[:5]} (public outputs name public categories only)"
                )
        if "geometry_wkb" in frame.columns:
            kinds = set(shapely.from_wkb(list(frame["geometry_wkb"])).astype(object))
            types = {g.geom_type for g in kinds if g is not None}
            if not types <= _POLYGONS:
                problems.append(
                    f"table {name}, column geometry_wkb: {sorted(types)} geometries "
                    "(public maps show areas, never points)"
                )
    problems += _totals(tables, k)
    return problems


def _column_names(name: str, frame: pd.DataFrame) -> list[str]:
    out = []
    for column in frame.columns:
        lowered = str(column).lower()
        tokens = set(re.split(r"[^a-z0-9]+", lowered))
        hit = [p for p in FORBIDDEN_PARTS if p in lowered] + sorted(
            tokens & FORBIDDEN_TOKENS
        )
        if hit:
            out.append(
                f"table {name}, column {column}: named like an incident field "
                f"({', '.join(hit)}); a public store holds area aggregates only"
            )
    return out


def _counts(name: str, frame: pd.DataFrame, k: int) -> list[str]:
    if "n" not in frame.columns:
        return []
    n = pd.to_numeric(frame["n"], errors="coerce")
    withheld = (
        frame["withheld"].fillna(False).astype(bool)
        if "withheld" in frame.columns
        else pd.Series(False, index=frame.index)
    )
    out = []
    small = frame[n.notna() & (n < k)]
    if len(small):
        out.append(
            f"table {name}, column n: {len(small)} shown count(s) below {k}, e.g. "
            f"{small['n'].head(3).tolist()} (store NULL with withheld = true)"
        )
    if (n.notna() & withheld).any():
        out.append(
            f"table {name}, column n: {int((n.notna() & withheld).sum())} withheld "
            "cell(s) still hold their value (a hidden count must be NULL)"
        )
    if (n.isna() & ~withheld).any():
        out.append(
            f"table {name}, column n: {int((n.isna() & ~withheld).sum())} NULL "
            "count(s) not flagged withheld"
        )
    return out


def _texts(name: str, frame: pd.DataFrame, k: int) -> list[str]:
    out = []
    for column in frame.columns:
        if column == "category" or not pd.api.types.is_object_dtype(frame[column]):
            continue
        values = {v for v in frame[column].dropna() if isinstance(v, str)}
        found = public_audit.audit_public_payload(
            "\n".join(sorted(values)), k=k, context="text"
        )
        out += [f"table {name}, column {column}: {p}" for p in found]
    return out


def _totals(tables: dict[str, pd.DataFrame], k: int) -> list[str]:
    """Complementary rule: months against the 12-month total, categories against
    their month."""
    out = []
    pairs = (
        ("monthly", "area_totals", ["level", "area_id"]),
        ("monthly_by_category", "monthly", ["level", "area_id", "month"]),
    )
    for parts_name, total_name, keys in pairs:
        parts, totals = tables.get(parts_name), tables.get(total_name)
        if parts is None or totals is None or parts.empty or totals.empty:
            continue
        grouped = parts.groupby(keys, dropna=False).agg(
            shown=("n", lambda v: int(pd.to_numeric(v).fillna(0).sum())),
            hidden=("n", lambda v: int(v.isna().sum())),
        )
        merged = grouped.join(totals.set_index(keys)["n"].rename("total"), how="inner")
        merged = merged[merged["total"].notna() & (merged["hidden"] > 0)]
        left = merged["total"].astype(int) - merged["shown"]
        bad = merged[left < k]
        for key, row in bad.head(5).iterrows():
            out.append(
                f"table {parts_name}, column n: {dict(zip(keys, key, strict=True))} "
                f"total {int(row['total'])} in {total_name} minus the shown cells "
                f"({row['shown']}) leaves {int(row['total']) - row['shown']} for "
                f"{row['hidden']} hidden cell(s), below {k}"
            )
    return out
