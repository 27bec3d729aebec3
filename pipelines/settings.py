"""Department configuration: sources, area levels, store location, thresholds.

One TOML file (``data/sample/beatprofile.toml`` is the bundled example). The
store path is, first found: the ``store`` argument (the CLI's ``--store``), the
``BEATPROFILE_STORE`` environment variable (for users who set it), the file's
``[store] path``; ``BEATPROFILE_TILES`` overrides ``[map] tiles``. Relative
paths in the file are resolved against the config file's folder.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from pathlib import Path

from geo.crs import check_projected_metres
from pipelines import validate
from pipelines.access.policy import ROLES
from pipelines.analysis_settings import AnalysisSettings, parse_analysis_settings
from pipelines.errors import ConfigError
from pipelines.store.location import store_path_of


@dataclass(frozen=True)
class SourceConfig:
    """One source profile and the export files it reads."""

    profile: Path
    files: tuple[Path, ...]
    patterns: tuple[str, ...] = ()  # the config's `files` patterns (drop folder)


@dataclass(frozen=True)
class PopulationConfig:
    """Table of residents per area (for rates per 1,000)."""

    file: Path
    id_field: str
    value_field: str


@dataclass(frozen=True)
class LevelConfig:
    """One level of the area hierarchy (finest first).

    Exactly one of: ``polygons`` (its own layer), ``parent_field`` (dissolve the
    finer level's polygons by a parent code column), ``from_label`` (the
    incidents' own label; mapped by dissolving ``map_from`` by majority label).
    """

    name: str
    polygons: Path | None = None
    id_field: str | None = None
    name_field: str | None = None
    parent_field: str | None = None
    from_label: bool = False
    population: PopulationConfig | None = None

    @property
    def approximate_map(self) -> bool:
        """Label-only levels are drawn from a majority dissolve: approximate."""
        return self.from_label


AUTH_METHODS: tuple[str, ...] = ("local", "oidc", "none")


@dataclass(frozen=True)
class AuthSettings:
    """Sign-in (``[auth]`` and ``[auth.oidc]`` in the config).

    ``oidc_roles`` maps each role to the group names in the ``oidc_role_claim``
    claim that grant it. The OIDC provider itself is configured in Streamlit's
    ``.streamlit/secrets.toml`` ``[auth]``, as ``st.login`` requires.
    """

    method: str = "none"
    users_file: Path | None = None
    idle_minutes: int = 30
    lockout_attempts: int = 5
    lockout_minutes: int = 15
    oidc_role_claim: str = "groups"
    oidc_roles: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    """Everything a build needs, loaded once and passed to each step."""

    department: str
    analysis_crs: str
    sources: tuple[SourceConfig, ...]
    levels: tuple[LevelConfig, ...]
    store_path: Path
    tolerance_m: float = 1.0
    min_label_agreement: float = 0.8
    min_count_public: int = 3
    tiles: str | None = None
    tiles_attribution: str | None = None
    config_path: Path | None = None
    analysis: AnalysisSettings = AnalysisSettings()
    auth: AuthSettings = field(default_factory=AuthSettings)
    audit_path: Path | None = None
    audit_retention_days: int = 365

    def __post_init__(self) -> None:
        # The audit trail never lives in the file a build replaces.
        if self.audit_path is None:
            store = Path(self.store_path)
            default = store.with_name(f"{store.stem}-audit.duckdb")
            object.__setattr__(self, "audit_path", default)

    @property
    def level_names(self) -> tuple[str, ...]:
        return tuple(level.name for level in self.levels)


def load_settings(path: str | Path, store: str | Path | None = None) -> Settings:
    """Load a department configuration file.

    Parameters
    ----------
    path : str or Path
        The department's ``beatprofile.toml``.
    store : str or Path, optional
        Store file overriding ``BEATPROFILE_STORE`` and ``[store] path``; a
        relative path is relative to the working directory (where it was typed).

    Raises
    ------
    ConfigError
        If the file is missing, malformed, names missing files, defines the
        levels inconsistently, or an analysis section (``[hotspots]``,
        ``[rankings.weights]``, ``[harm]``, ``[backtest]``) has an unknown key
        or a value of the wrong type.

    Example
    -------
    >>> load_settings("data/sample/beatprofile.toml").level_names
    ('neighborhood', 'district')
    """
    path = Path(path).resolve()
    _, doc = validate.read_toml(
        path,
        "config file",
        "pass --config with the path of your department's beatprofile.toml (see "
        "README, 'Load your own department's data')",
    )
    base = path.parent
    department = doc.get("department", {})
    store_path = store_path_of(doc, path, store)
    analysis_crs = str(
        validate.require(department, "analysis_crs", "[department]", path)
    )
    try:
        check_projected_metres(analysis_crs, f"{path}: [department] analysis_crs")
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    audit = _table(doc, "audit", path)
    return Settings(
        department=department.get("name", "department"),
        analysis_crs=analysis_crs,
        sources=tuple(_source(item, base, path) for item in doc.get("sources", [])),
        levels=_levels(doc.get("levels", []), base, path),
        store_path=store_path,
        tolerance_m=validate.number(
            doc.get("assignment", {}), "tolerance_m", 1.0, "[assignment]", path
        ),
        min_label_agreement=_share(doc.get("assignment", {}), path),
        min_count_public=_min_count(doc.get("public", {}), path),
        tiles=os.environ.get("BEATPROFILE_TILES") or doc.get("map", {}).get("tiles"),
        tiles_attribution=doc.get("map", {}).get(
            "attribution", "Map tiles: your tile server"
        ),
        config_path=path,
        analysis=parse_analysis_settings(doc, path),
        auth=_auth(_table(doc, "auth", path), base, path),
        audit_path=_resolve(base, validate.text(audit, "path", "[audit]", path))
        if "path" in audit
        else None,
        audit_retention_days=validate.whole_number(
            audit, "retention_days", 365, "[audit]", path
        ),
    )


def _table(doc: dict, name: str, path: Path) -> dict:
    """``doc[name]`` if present (a table), else ``{}``."""
    value = doc.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: `{name}` must be a table [{name}]; found {value!r}")
    return value


def _auth(section: dict, base: Path, path: Path) -> AuthSettings:
    """``[auth]``: the sign-in method, lockout and idle limits, the OIDC roles."""
    oidc = _table(section, "oidc", path)
    users_file = (
        validate.text(section, "users_file", "[auth]", path)
        if "users_file" in section
        else "beatprofile-users.json"
    )
    return AuthSettings(
        method=validate.keyed_choice(
            section, "method", "none", AUTH_METHODS, "[auth]", path
        ),
        users_file=_resolve(base, users_file),
        idle_minutes=validate.whole_number(section, "idle_minutes", 30, "[auth]", path),
        lockout_attempts=validate.whole_number(
            section, "lockout_attempts", 5, "[auth]", path
        ),
        lockout_minutes=validate.whole_number(
            section, "lockout_minutes", 15, "[auth]", path
        ),
        oidc_role_claim=validate.text(
            {"role_claim": "groups", **oidc}, "role_claim", "[auth.oidc]", path
        ),
        oidc_roles=_oidc_roles(_table(oidc, "roles", path), path),
    )


def _oidc_roles(table: dict, path: Path) -> dict[str, tuple[str, ...]]:
    """``[auth.oidc.roles]``: role -> group names (a name or a list of names)."""
    roles: dict[str, tuple[str, ...]] = {}
    for role, groups in table.items():
        if role not in ROLES:
            raise ConfigError(
                f"{path}: [auth.oidc.roles] has an unknown role '{role}'; the "
                f"roles are {', '.join(ROLES)}; rename or remove that key"
            )
        names = [groups] if isinstance(groups, str) else groups
        if not isinstance(names, list) or not all(
            isinstance(g, str) and g for g in names
        ):
            raise ConfigError(
                f"{path}: [auth.oidc.roles] `{role}` must be a group name or a list "
                f'of them (e.g. ["pau-analysts"]); found {groups!r}'
            )
        roles[role] = tuple(names)
    return roles


def _source(item: dict, base: Path, path: Path) -> SourceConfig:
    profile = _resolve(base, validate.text(item, "profile", "[[sources]]", path))
    patterns = validate.text_list(
        item.get("files", []),
        path,
        "[[sources]] `files`",
        'a list of file patterns, e.g. files = ["exports/*.csv"]',
        allow_empty=True,
    )
    files: list[Path] = []
    for pattern in patterns:
        matched = sorted(glob.glob(str(_resolve(base, pattern))))
        if not matched:
            raise ConfigError(
                f"{path}: [[sources]] file pattern '{pattern}' matches no file "
                f"(looked in {base}); fix the pattern or remove it"
            )
        files.extend(Path(m) for m in matched)
    return SourceConfig(profile=profile, files=tuple(files), patterns=tuple(patterns))


def _levels(items: list[dict], base: Path, path: Path) -> tuple[LevelConfig, ...]:
    if not items:
        raise ConfigError(f"{path}: define at least one [[levels]] (finest first)")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ConfigError(
            f"{path}: `levels` must be [[levels]] tables (one per level, finest "
            f"first, each with a `name`); found {items!r}"
        )
    levels = []
    for i, item in enumerate(items):
        name = str(validate.require(item, "name", "[[levels]]", path))
        kinds = [k for k in ("polygons", "parent_field", "from_label") if item.get(k)]
        if len(kinds) != 1:
            raise ConfigError(
                f"{path}: level '{name}' needs exactly one of `polygons`, "
                f"`parent_field`, `from_label` (found {kinds or 'none'})"
            )
        if i == 0 and "polygons" not in item:
            raise ConfigError(f"{path}: the finest level '{name}' needs `polygons`")
        pop = item.get("population")
        levels.append(
            LevelConfig(
                name=name,
                polygons=_resolve(
                    base, validate.text(item, "polygons", f"level '{name}'", path)
                )
                if "polygons" in item
                else None,
                id_field=_optional_text(item, "id_field", name, path),
                name_field=_optional_text(item, "name_field", name, path),
                parent_field=_optional_text(item, "parent_field", name, path),
                from_label=bool(item.get("from_label", False)),
                population=PopulationConfig(
                    file=_resolve(base, pop["file"]),
                    id_field=pop["id_field"],
                    value_field=pop["value_field"],
                )
                if pop
                else None,
            )
        )
    return tuple(levels)


def _optional_text(item: dict, key: str, level: str, path: Path) -> str | None:
    return validate.text(item, key, f"level '{level}'", path) if key in item else None


def _min_count(section: dict, path: Path) -> int:
    """``[public] min_count``: at least 2, or small-count suppression is off."""
    value = validate.number(section, "min_count", 3, "[public]", path)
    if value < 2 or value != int(value):
        shown = int(value) if value == int(value) else value
        raise ConfigError(
            f"{path}: [public] min_count was {shown} but must be at least 2: below "
            "that, public output shows counts of a single incident; set "
            "min_count = 3 (the default) or higher"
        )
    return int(value)


def _share(section: dict, path: Path) -> float:
    value = validate.number(section, "min_label_agreement", 0.8, "[assignment]", path)
    if not 0 <= value <= 1:
        raise ConfigError(
            f"{path}: [assignment] `min_label_agreement` is a share between 0 and 1 "
            f"(e.g. 0.8 for 80%); found {value!r}"
        )
    return value


def _resolve(base: Path, value: str) -> Path:
    p = Path(os.path.expanduser(value))
    return p if p.is_absolute() else (base / p).resolve()
