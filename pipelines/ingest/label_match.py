"""Matching a department's area labels to area ids, forgiving of how they are written.

One normal form is used by the profile drafter (to find the label column and
write its ``values`` map) and by area assignment (so ``five-points`` names the
area called "Five Points" with no map at all): case, accents, spaces, hyphens,
underscores and punctuation are ignored, numbers lose their leading zeros, and
common abbreviations are folded ("St."/"Saint", "Mt."/"Mount", "&"/"and", ...).
Fuzzy matches (difflib ratio) are only ever proposed for review, never applied
silently at build time.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from geo.io import normalize_area_ids

FUZZY_THRESHOLD = 0.85  # difflib ratio of two keys for a fuzzy pair to be proposed

_ABBREVIATIONS = {
    "saint": "st",
    "ste": "st",
    "sainte": "st",
    "mount": "mt",
    "fort": "ft",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
    "and": "",
    "the": "",
    "avenue": "ave",
    "park": "pk",
    "heights": "hts",
    "center": "ctr",
    "centre": "ctr",
}
_WORD = re.compile(r"[a-z]+|\d+")


def label_key(value: object) -> str | None:
    """The normal form of an area label or id (``None`` for a blank or missing one).

    Example
    -------
    >>> label_key("five-points") == label_key("Five Points")
    True
    >>> label_key("St. Louis Hills") == label_key("SAINT_LOUIS_HILLS")
    True
    >>> label_key("007")
    '7'
    """
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = normalize_area_ids(pd.Series([value], dtype=object)).iloc[0]
    if text is None:
        return None
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore")
    words = _WORD.findall(folded.decode().lower().replace("&", " and "))
    parts = [str(int(w)) if w.isdigit() else _ABBREVIATIONS.get(w, w) for w in words]
    key = "".join(parts)
    return key or None


@dataclass(frozen=True)
class AreaKeys:
    """Normal forms of the areas of one level: key -> area id (unambiguous keys)."""

    ids: frozenset[str]
    by_key: dict[str, str]

    def resolve(self, label: str | None) -> str | None:
        """The area id ``label`` names (exact id first, then by normal form)."""
        if label is None:
            return None
        if label in self.ids:
            return label
        return self.by_key.get(label_key(label) or "")


def area_keys(ids: Iterable[object], names: Iterable[object] | None = None) -> AreaKeys:
    """Keys of the ids (and names) of a level's areas.

    A key that two different areas share (two names written alike) is dropped:
    such a label stays unmatched rather than being given to either.

    Example
    -------
    >>> area_keys(["37"], ["Five Points"]).resolve("five-points")
    '37'
    """
    id_list = list(normalize_area_ids(pd.Series(list(ids), dtype=object)))
    pairs: list[tuple[str | None, str]] = [(label_key(i), i) for i in id_list if i]
    if names is not None:
        pairs += [(label_key(n), i) for n, i in zip(names, id_list, strict=True) if i]
    seen: dict[str, set[str]] = {}
    for key, area in pairs:
        if key:
            seen.setdefault(key, set()).add(area)
    by_key = {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}
    return AreaKeys(ids=frozenset(i for i in id_list if i), by_key=by_key)


def resolve_labels(labels: pd.Series, keys: AreaKeys) -> pd.Series:
    """Labels replaced by the area id they name; unmatched labels are kept as they are.

    Each distinct label is resolved once.

    Example
    -------
    >>> keys = area_keys(["37"], ["Five Points"])
    >>> resolve_labels(pd.Series(["five-points", "x"]), keys)
    0    37
    1     x
    dtype: object
    """
    normalized = normalize_area_ids(labels)
    codes, uniques = pd.factorize(normalized, use_na_sentinel=True)
    resolved = [keys.resolve(u) or u for u in uniques]
    out = pd.Series([None] * len(labels), index=labels.index, dtype=object)
    known = codes >= 0
    out[known] = [resolved[c] for c in codes[known]]
    return out


def fuzzy_pairs(
    labels: Iterable[str],
    keys: AreaKeys,
    names: dict[str, str],
    threshold: float = FUZZY_THRESHOLD,
) -> dict[str, tuple[str, float]]:
    """Labels that no key matches, paired with the closest area name if close enough.

    Parameters
    ----------
    labels : iterable of str
        Distinct labels that :meth:`AreaKeys.resolve` did not match.
    keys : AreaKeys
        The level's keys.
    names : dict of str to str
        Area id -> the text to compare with (the name, or the id).
    threshold : float
        Smallest difflib ratio of the two normal forms accepted.

    Returns
    -------
    dict
        label -> (area id, ratio), for review in the drafted profile.

    Example
    -------
    >>> fuzzy_pairs(["five-pionts"], area_keys(["37"], ["Five Points"]),
    ...             {"37": "Five Points"})
    {'five-pionts': ('37', 0.9)}
    """
    targets = {label_key(text): area for area, text in names.items()}
    targets.pop(None, None)
    out: dict[str, tuple[str, float]] = {}
    for label in labels:
        key = label_key(label)
        if not key or keys.resolve(label) is not None:
            continue
        close = difflib.get_close_matches(key, list(targets), n=1, cutoff=threshold)
        if close:
            ratio = difflib.SequenceMatcher(None, key, close[0]).ratio()
            out[label] = (targets[close[0]], round(ratio, 2))  # type: ignore[index]
    return out


def find_area(areas: pd.DataFrame, text: str, level: str) -> str:
    """The id of the area ``text`` names at ``level``: its id, or its name in any
    form (``tower-grove-south`` -> "Tower Grove South").

    Parameters
    ----------
    areas : DataFrame
        ``area_id`` and ``name`` of the level's areas.
    text : str
        An id or a name as typed.
    level : str
        The level (for the message).

    Raises
    ------
    ConfigError
        If no area or more than one area has that name; the message lists the
        closest names.

    Example
    -------
    >>> find_area(pd.DataFrame({"area_id": ["15"], "name": ["Tower Grove South"]}),
    ...           "tower grove south", "neighborhood")
    '15'
    """
    from pipelines.errors import ConfigError

    ids = areas["area_id"].astype(str).tolist()
    names = areas["name"].astype(str).tolist()
    wanted = normalize_area_ids(pd.Series([text], dtype=object)).iloc[0]
    if wanted in ids:
        return str(wanted)
    key = label_key(text)
    hits = sorted({i for i, n in zip(ids, names, strict=True) if label_key(n) == key})
    if len(hits) == 1:
        return hits[0]
    by_key = {label_key(n): f"{n} ({i})" for i, n in zip(ids, names, strict=True)}
    close = difflib.get_close_matches(key or "", list(by_key), n=5, cutoff=0.6)
    listed = ", ".join(by_key[c] for c in close if c) or "none"
    what = "more than one area is" if hits else "no area is"
    raise ConfigError(
        f"--area '{text}': {what} called that at level {level}; closest names: "
        f"{listed}. Give the area's id or its exact name"
    )
