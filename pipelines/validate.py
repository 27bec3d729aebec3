"""One validator for every TOML file the tool reads: the department config
(:mod:`pipelines.settings`, with its analysis sections in
:mod:`pipelines.analysis_settings`), source profiles
(:mod:`pipelines.ingest.source_profile`, with its ``[filter]`` in
:mod:`pipelines.ingest.filters` and ``[identity]``) and the simulation config
(:mod:`pipelines.workload.simulation.config_file`).

Typed getters that raise :class:`~pipelines.errors.ConfigError` with a message
naming the file, the section and key, what was found and what was expected.
``where`` is the section as the user reads it in the file, e.g. ``"[public]"``
or ``"level 'district'"``.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, TypeVar

from pipelines.errors import ConfigError

T = TypeVar("T", bound=Any)


def read_toml(path: Path, kind: str, fix: str) -> tuple[str, dict]:
    """The text and the parsed document of a TOML file.

    Parameters
    ----------
    path : Path
        The file.
    kind : str
        What the file is, as the message names it (``"source profile"``).
    fix : str
        What to do when the file is missing, after ``does not exist; ``.

    Raises
    ------
    ConfigError
        If the file is missing or is not UTF-8 TOML.

    Example
    -------
    >>> read_toml(Path("nowhere.toml"), "config file", "pass --config")
    Traceback (most recent call last):
    ...
    pipelines.errors.ConfigError: config file nowhere.toml does not exist; pass --config
    """
    if not path.is_file():
        raise ConfigError(f"{kind} {path} does not exist; {fix}")
    try:
        text = path.read_text(encoding="utf-8")
        return text, tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{kind} {path} is not valid TOML: {exc}") from exc


def section(doc: dict, name: str, path: Path) -> dict:
    """The table ``[name]`` of ``doc``; an error if it is missing or not a table.

    Example
    -------
    >>> section({"source": {"name": "x"}}, "source", Path("p.toml"))
    {'name': 'x'}
    """
    if name not in doc or not isinstance(doc[name], dict):
        raise ConfigError(f"{path}: missing section [{name}]")
    return doc[name]


def require(table: dict, key: str, where: str, path: Path) -> object:
    """``table[key]``; an error naming ``where`` if the key is absent.

    Example
    -------
    >>> require({}, "name", "[source]", Path("p.toml"))
    Traceback (most recent call last):
    ...
    pipelines.errors.ConfigError: p.toml: [source] needs `name`
    """
    if key not in table:
        raise ConfigError(f"{path}: {where} needs `{key}`")
    return table[key]


def text(table: dict, key: str, where: str, path: Path) -> str:
    """``table[key]`` as non-empty text (a path or a name).

    Example
    -------
    >>> text({"polygons": 3}, "polygons", "level 'beat'", Path("c.toml"))
    Traceback (most recent call last):
    ...
    pipelines.errors.ConfigError: c.toml: level 'beat' `polygons` must be text (a path or name); found 3
    """  # noqa: E501
    value = table.get(key)
    if not isinstance(value, str) or not value:
        raise ConfigError(
            f"{path}: {where} `{key}` must be text (a path or name); found {value!r}"
        )
    return value


def number(table: dict, key: str, default: float, where: str, path: Path) -> float:
    """``table[key]`` (``default`` when absent) as a number; booleans refused.

    Example
    -------
    >>> number({}, "min_count", 3, "[public]", Path("c.toml"))
    3.0
    """
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{path}: {where} `{key}` must be a number; found {value!r}")
    return float(value)


def bounded_number(
    value: object,
    path: Path,
    where: str,
    low: float | None = None,
    high: float | None = None,
) -> float:
    """``value`` as a finite number, at least ``low`` and at most ``high``.

    Example
    -------
    >>> bounded_number(-1, Path("s.toml"), "[units] hold_minutes", low=0)
    Traceback (most recent call last):
    ...
    pipelines.errors.ConfigError: s.toml: [units] hold_minutes was -1 but is expected to be at least 0
    """  # noqa: E501
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
    ):
        raise ConfigError(
            f"{path}: {where} was {value!r} but is expected to be a finite number"
        )
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ConfigError(f"{path}: {where} was {value} but is expected to be {bounds}")
    return float(value)


def column_list(value: object, path: Path, where: str) -> list[str]:
    """A column name or a non-empty list of them, as a list.

    Example
    -------
    >>> column_list("Date", Path("p.toml"), "[dates] occurred")
    ['Date']
    """
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return list(value)
    raise ConfigError(
        f'{path}: {where} must be a column name or a list of them (e.g. "Date" or '
        f'["Date", "Time"]); found {value!r}'
    )


def keyed_choice(
    table: dict,
    key: str,
    default: str,
    allowed: tuple[str, ...],
    where: str,
    path: Path,
) -> str:
    """``table[key]`` (``default`` when absent), which must be one of ``allowed``.

    Example
    -------
    >>> keyed_choice({"method": "ldap"}, "method", "none", ("local", "none"), "[auth]",
    ...              Path("c.toml"))
    Traceback (most recent call last):
    ...
    pipelines.errors.ConfigError: c.toml: [auth] `method` was 'ldap' but is expected to be one of: local, none
    """  # noqa: E501
    value = table.get(key, default)
    if value not in allowed:
        raise ConfigError(
            f"{path}: {where} `{key}` was {value!r} but is expected to be one of: "
            f"{', '.join(allowed)}"
        )
    return str(value)


def table(value: object, path: Path, where: str, expected: str) -> dict:
    """``value`` as a TOML table; otherwise ``where must be <expected>; found``.

    Example
    -------
    >>> table(3, Path("p.toml"), "[filter]", "a table such as `[filter] keep = {}`")
    Traceback (most recent call last):
    ...
    pipelines.errors.ConfigError: p.toml: [filter] must be a table such as `[filter] keep = {}`; found 3
    """  # noqa: E501
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: {where} must be {expected}; found {value!r}")
    return value


def known_keys(
    value: dict,
    allowed: Iterable[str],
    path: Path,
    where: str,
    expected: str | None = None,
) -> None:
    """An error naming the keys of ``value`` outside ``allowed``.

    ``expected`` says what the keys may be (default: ``some of [...]``).

    Example
    -------
    >>> known_keys({"kepp": 1}, ["keep", "drop"], Path("p.toml"), "[filter]")
    Traceback (most recent call last):
    ...
    pipelines.errors.ConfigError: p.toml: [filter] has unknown key(s) ['kepp']; expected some of ['drop', 'keep']
    """  # noqa: E501
    names = sorted(allowed)
    unknown = sorted(set(value) - set(names))
    if unknown:
        raise ConfigError(
            f"{path}: {where} has unknown key(s) {unknown}; expected "
            f"{expected or f'some of {names}'}"
        )


def text_list(
    value: object,
    path: Path,
    where: str,
    expected: str,
    allow_empty: bool = False,
    allow_integers: bool = False,
) -> list[str]:
    """``value`` as a list of text (integers too with ``allow_integers``, given
    back as text); otherwise ``where must be <expected>; found ...``.

    Example
    -------
    >>> text_list(["1", 2], Path("p.toml"), "[filter] keep.X", "a list",
    ...           allow_integers=True)
    ['1', '2']
    """
    kinds = (str, int) if allow_integers else (str,)
    ok = isinstance(value, list) and (allow_empty or bool(value))
    ok = ok and all(isinstance(v, kinds) and not isinstance(v, bool) for v in value)
    if not ok:
        raise ConfigError(f"{path}: {where} must be {expected}; found {value!r}")
    return [str(v) for v in value]


def choice(value: object, choices: Iterable[str], path: Path, where: str) -> str:
    """``value`` if it is one of ``choices``.

    Example
    -------
    >>> choice("some", ["duplicate", "separate"], Path("p.toml"), "[identity] repeats")
    Traceback (most recent call last):
    ...
    pipelines.errors.ConfigError: p.toml: [identity] repeats was "some" but is expected to be one of ['duplicate', 'separate']
    """  # noqa: E501
    options = list(choices)
    if value not in options:
        raise ConfigError(
            f'{path}: {where} was "{value}" but is expected to be one of {options}'
        )
    return str(value)


def whole_number(
    table: dict, key: str, default: int, where: str, path: Path, low: int = 1
) -> int:
    """``table[key]`` (``default`` when absent) as a whole number at least ``low``.

    Example
    -------
    >>> whole_number({"idle_minutes": 0}, "idle_minutes", 30, "[auth]", Path("c.toml"))
    Traceback (most recent call last):
    ...
    pipelines.errors.ConfigError: c.toml: [auth] `idle_minutes` was 0 but is expected to be a whole number of at least 1
    """  # noqa: E501
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(
            f"{path}: {where} `{key}` was {value!r} but is expected to be a whole "
            f"number of at least {low}"
        )
    return value


def like_defaults(cls: type[T], values: dict, path: Path, where: str) -> T:
    """The frozen dataclass ``cls`` with ``values`` over its defaults, each value
    checked against the type of its default (a default of None stands for a
    list); unknown keys are an error.

    Example
    -------
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Grid:
    ...     cell_size_m: float = 150.0
    >>> like_defaults(Grid, {"cell_size_m": "big"}, Path("c.toml"), "[hotspots]")
    Traceback (most recent call last):
    ...
    pipelines.errors.ConfigError: c.toml: [hotspots] `cell_size_m` must be a number like 150.0; found 'big'
    """  # noqa: E501
    defaults = cls()
    known_keys(values, (f.name for f in fields(cls)), path, where)
    converted = {
        key: _like(value, getattr(defaults, key), f"{path}: {where} `{key}`")
        for key, value in values.items()
    }
    return replace(defaults, **converted)


def _like(value: object, default: object, where: str) -> object:
    """``value`` in the type of ``default`` (numbers, text, lists), or ConfigError."""
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int | float):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif default is None or isinstance(default, tuple):
        ok = isinstance(value, list)
        value = tuple(value) if ok else value
    else:
        ok = isinstance(value, type(default))
    if not ok:
        like = "" if default is None else f" like {default!r}"
        raise ConfigError(f"{where} must be {_kind(default)}{like}; found {value!r}")
    return value


def _kind(default: object) -> str:
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int | float):
        return "a number"
    if default is None or isinstance(default, tuple):
        return "a list"
    return "text"
