"""One validator for every TOML file the tool reads: the department config
(:mod:`pipelines.settings`), source profiles (:mod:`pipelines.ingest.source_profile`)
and the simulation config (:mod:`pipelines.workload.simulation.config_file`).

Typed getters that raise :class:`~pipelines.errors.ConfigError` with a message
naming the file, the section and key, what was found and what was expected.
``where`` is the section as the user reads it in the file, e.g. ``"[public]"``
or ``"level 'district'"``.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

from pipelines.errors import ConfigError


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


def choice(
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
    >>> choice({"method": "ldap"}, "method", "none", ("local", "none"), "[auth]",
    ...        Path("c.toml"))
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
