"""Flag and CAD-field columns of a draft, and whether the export is crime reports or calls."""

from __future__ import annotations

from collections.abc import Callable

from pipelines.ingest.category_rules import (
    propose_call_source,
)
from pipelines.ingest.draft.columns import (
    _COLUMN_ORDER,
    _FALSE,
    _TRUE,
    Guess,
    _as_tuple,
    _best,
    _Column,
)
from pipelines.ingest.draft.required import (
    coordinate_rejections,
    missing_role_warning,
    missing_roles,
    unlocated_warning,
)

# --- flags and CAD fields ----------------------------------------------------------


def _guess_flags(cols: dict[str, _Column], taken: set[str]) -> dict[str, Guess]:
    """Count (+1/-1 reversals), a yes/no sensitive flag, and CAD call columns."""
    out: dict[str, Guess] = {}
    for col in cols.values():
        keys = set(col.levels.index.str.upper()) if col.levels is not None else set()
        if (
            "count" not in out
            and keys
            and keys <= {"1", "-1"}
            and ("-1" in keys or "count" in col.words)
        ):
            minus = int(col.levels.get("-1", 0))  # type: ignore[union-attr]
            out["count"] = Guess(
                col.name, 1.0, f"values 1 and -1 ({minus:,} rows of -1)"
            )
        elif col.words & {"domestic", "dv", "sensitive"} and keys <= _TRUE | _FALSE:
            true = tuple(v for v in map(str, col.levels.index) if v.upper() in _TRUE)  # type: ignore[union-attr]
            out["sensitive_column"] = Guess(
                (col.name, true), 0.9, f"yes/no flag; true written {list(true)}"
            )
    calls: dict[str, Callable[[_Column], bool]] = {
        "priority": lambda c: (
            bool(c.words & {"priority", "prio", "pri"}) and c.levels is not None
        ),
        "call_source": lambda c: _call_source_share(c) >= 0.6,
        "disposition": lambda c: bool(c.words & {"disposition", "clearance"}),
        "unit": lambda c: bool(c.words & {"unit", "units"}) and c.unique < 0.9,
    }
    for field, test in calls.items():
        found = _best(cols, lambda c, t=test: float(t(c)), taken)  # type: ignore[misc]
        if found:
            taken.add(found.name)
            out[field] = Guess(found.name, 0.7, f"header `{found.name}` and its values")
    if "call_source" in out:
        levels = cols[out["call_source"].value].levels  # type: ignore[index]
        mapping = {str(v): propose_call_source(str(v)) for v in levels.index}  # type: ignore[union-attr]
        out["calls.sources"] = Guess(
            mapping,
            0.7,
            "how each call came in, from the "
            "values of the call-source column; check each",
        )
    return out


def _call_source_share(col: _Column) -> float:
    """Share of rows whose value says how a call came in (911, on-view, alarm...)."""
    if col.levels is None or not col.words & {
        "call",
        "source",
        "type",
        "received",
        "origin",
        "method",
        "how",
    }:
        return 0.0
    known = [n for v, n in col.levels.items() if propose_call_source(str(v)) != "other"]
    return sum(known) / max(int(col.levels.sum()), 1)


_CAD_TIMES = ("queued_at", "dispatched_at", "arrived_at", "cleared_at")
_CAD_FIELDS = ("priority", "call_source", "calls.sources", "unit", "disposition")
_STAND_INS = {  # the best available time for occurred_at, by kind of export
    "call": ("queued_at", "dispatched_at", "reported_at"),
    "report": ("reported_at", "dispatched_at", "queued_at", "arrived_at", "cleared_at"),
}


def _kind(guesses: dict[str, Guess]) -> Guess:
    timed = {"call_source", "queued_at", "arrived_at", "cleared_at"} & set(guesses)
    if "priority" in guesses and timed:
        return Guess("call", 0.8, f"priority and {sorted(timed)} columns: CAD calls")
    return Guess("report", 0.8, "no priority/queue/arrival columns: incident reports")


def _settle_kind(guesses: dict[str, Guess]) -> dict[str, Guess]:
    """The kind of export, CAD fields only for calls, and a stand-in occurred_at.

    A crime (RMS) export's dispatch time is not a CAD field: with no priority
    and no queue, arrival or clear times it is the best available time for when
    the offense occurred, and is proposed as such under a CHECK comment.
    """
    kind = _kind(guesses)
    out, dropped = dict(guesses), {}
    if kind.value == "report":
        for field in (*_CAD_TIMES, *_CAD_FIELDS):
            for key in (field, f"dates.{field}"):
                if key in out:
                    dropped[key] = out.pop(key)
    if dropped:
        names = sorted(k for k in dropped if "." not in k)
        kind = Guess("report", kind.confidence, f"{kind.evidence}; {names} not read")
    out["kind"] = kind
    if "occurred_at" in out:
        return out
    both = dropped | out
    role = next((r for r in _STAND_INS[str(kind.value)] if r in both), None)
    if role is not None:
        out["occurred_at"] = _stand_in(role, both[role], str(kind.value))
        out["dates.occurred_at"] = both[f"dates.{role}"]
    return out


def _stand_in(role: str, guess: Guess, kind: str) -> Guess:
    """occurred_at taken from another time of the record, saying which and why."""
    columns = " + ".join(f"`{c}`" for c in _as_tuple(guess))
    if kind == "call" and role == "queued_at":
        return Guess(guess.value, 0.8, f"no occurrence date; {role} stands in")
    if kind == "report" and role != "reported_at":
        why = (
            f"no occurrence or report date; this crime (RMS) export has no "
            f"priority or queue/arrival/clear times, so {columns} ({role}) is not a "
            "CAD field but the best available time for when the offense occurred "
            "(a dispatch follows the call, and may follow the offense by days)"
        )
        return Guess(guess.value, 0.5, why)
    return Guess(guess.value, 0.5, f"no occurrence date; {columns} ({role}) stands in")


def _missing_warnings(cols: dict[str, _Column], guesses: dict[str, Guess]) -> list[str]:
    """A loud warning for each required role with no column, naming those tried."""
    out = []
    located = {"lon", "x", "location"} & set(guesses)
    if not located and "area_label" in guesses:
        label = str(guesses["area_label"].value)
        out.append(unlocated_warning(coordinate_rejections(cols.values()), label))
    for role in missing_roles(guesses):
        if role == "coordinates":
            out.append(missing_role_warning(role, coordinate_rejections(cols.values())))
            continue
        considered = list(_as_tuple(guesses.get(f"rejected.{role}")))
        if role == "occurred_at":  # e.g. updated_at: not when the offense occurred
            considered += [
                (" + ".join(_as_tuple(g)), f"used for {key}")
                for key, g in guesses.items()
                if key in _COLUMN_ORDER and key.endswith("_at")
            ]
        out.append(missing_role_warning(role, considered))
    return out
