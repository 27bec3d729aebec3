"""Where a configuration puts its store, decided without loading the whole config.

The rule (first found): the ``store`` argument (the CLI's ``--store``,
relative to the working folder), ``BEATPROFILE_STORE``, the config's
``[store] path`` (relative to the config file). :func:`load_settings` uses it,
and so does the quick path of ``ingest`` (a file already loaded), which must
not pay for importing the CRS and analysis libraries.
"""

from __future__ import annotations

import os
from pathlib import Path

from pipelines.errors import ConfigError


def store_path_of(
    doc: dict, config_path: Path, store: str | Path | None = None
) -> Path:
    """The store file of a parsed config document.

    Raises
    ------
    ConfigError
        If neither ``store``, ``BEATPROFILE_STORE`` nor ``[store] path`` is set.

    Example
    -------
    >>> store_path_of({"store": {"path": "s.duckdb"}}, Path("/d/beatprofile.toml"))
    PosixPath('/d/s.duckdb')
    """
    if store is not None:
        return Path(store).expanduser().resolve()
    value = os.environ.get("BEATPROFILE_STORE") or doc.get("store", {}).get("path")
    if not value:
        raise ConfigError(
            f"{config_path}: [store] needs `path` (where the store file goes)"
        )
    candidate = Path(os.path.expanduser(value))
    if candidate.is_absolute():
        return candidate
    return (Path(config_path).parent / candidate).resolve()


def configured_store_path(config_path: Path, store: str | Path | None = None) -> Path:
    """The store file a config file names (read only for that).

    Raises
    ------
    ConfigError
        If the config file is missing or not TOML, or names no store.
    """
    from pipelines import validate

    config_path = Path(config_path).resolve()
    if store is not None:
        return Path(store).expanduser().resolve()
    _, doc = validate.read_toml(
        config_path,
        "config file",
        "pass --config with the path of your department's beatprofile.toml (see "
        "README, 'Load your own department's data')",
    )
    return store_path_of(doc, config_path, store)
