"""Source profiles: how one department export maps onto the canonical record.

A profile is a TOML file (see ``profiles/stlouis_slmpd.toml``). Loading it
validates every section so that a typo is an error naming the file and key,
not a silent gap later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geo.crs import check_crs
from pipelines import schema, validate
from pipelines.errors import ConfigError
from pipelines.identity import EXACT_COPY, REPEATS, UNIQUE_ID, RecordIdentity
from pipelines.ingest.filters import RowFilter, parse_filter

LOCATION_TEXT = "location"  # one text column holding a point: "(lat, lon)", etc.
UPDATED_AT = "updated_at"  # when the source last changed the record
CALL_SOURCES = ("911", "phone", "on-view", "alarm", "report", "other")

_FIELDS = (
    schema.INCIDENT_ID,
    schema.OFFENSE_CODE,
    schema.OFFENSE_DESC,
    schema.OCCURRED_AT,
    schema.REPORTED_AT,
    schema.COUNT,
    schema.X,
    schema.Y,
    schema.LON,
    schema.LAT,
    schema.BLOCK_ADDRESS,
    LOCATION_TEXT,
    UPDATED_AT,
    *schema.CALL_COLUMNS,
)
_REQUIRED = (schema.INCIDENT_ID, schema.OCCURRED_AT)
_COORDINATES = (schema.X, schema.Y, schema.LON, schema.LAT, LOCATION_TEXT)
_SECTION_LINE = re.compile(r"^\s*(\[[^\]]+\])\s*(#.*)?$")
_PLACEHOLDER_LINE = re.compile(r'^\s*([A-Za-z0-9_.-]+)\s*=.*"TODO"')


@dataclass(frozen=True)
class CodeRange:
    """Inclusive range of zero-padded offense codes mapped to one category."""

    start: str
    end: str
    category: str


@dataclass(frozen=True)
class KeywordRule:
    """Regular expression (case-insensitive) on the offense description."""

    pattern: str
    category: str


@dataclass(frozen=True)
class LabelSpec:
    """Column with the department's own area code at one level."""

    column: str
    missing: tuple[str, ...] = ()
    values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceProfile:
    """Everything needed to read one kind of export into canonical rows."""

    name: str
    kind: str
    path: Path
    columns: dict[str, tuple[str, ...]]
    date_formats: dict[str, tuple[str, ...]]
    earliest: str
    crs: str | None
    missing_xy: tuple[float, float] | None
    labels: dict[str, LabelSpec]
    reversals: bool
    code_width: int
    code_categories: dict[str, str]
    code_ranges: tuple[CodeRange, ...]
    sensitive_patterns: tuple[str, ...]
    description: str = ""
    keyword_rules: tuple[KeywordRule, ...] = ()
    default_category: str | None = None
    sensitive_column: str | None = None
    sensitive_true: tuple[str, ...] = ()
    call_sources: dict[str, str] = field(default_factory=dict)
    unique_ids: bool = False
    row_filter: RowFilter = field(default_factory=RowFilter)
    identity: RecordIdentity | None = None  # a declared [identity] section

    @property
    def record_identity(self) -> RecordIdentity:
        """The declared key, else the id (``unique_ids``), else the whole row."""
        if self.identity is not None:
            return self.identity
        return UNIQUE_ID if self.unique_ids else EXACT_COPY


def load_source_profile(path: str | Path) -> SourceProfile:
    """Read and validate a source profile TOML file.

    Parameters
    ----------
    path : str or Path
        The profile file.

    Returns
    -------
    SourceProfile

    Raises
    ------
    ConfigError
        If the file is missing, is not TOML, or names an unknown field or category.

    Example
    -------
    >>> load_source_profile("profiles/stlouis_slmpd.toml").name
    'slmpd'
    """
    path = Path(path)
    text, doc = validate.read_toml(
        path,
        "source profile",
        "give the path of a .toml profile (draft one with `beatprofile profile "
        "init FILE`)",
    )
    _refuse_placeholders(text, path)
    return _parse_profile(doc, path)


def _refuse_placeholders(text: str, path: Path) -> None:
    """A ``"TODO"`` the drafter left for a role it could not find is an error."""
    section = ""
    for number, line in enumerate(text.splitlines(), start=1):
        header = _SECTION_LINE.match(line)
        if header:
            section = header.group(1)
            continue
        found = _PLACEHOLDER_LINE.match(line)
        if found is None:
            continue
        key = found.group(1)
        hint = (
            ", or delete the line if the export has no coordinates (rows are then "
            "placed by their area labels only)"
            if key in _COORDINATES
            else ""
        )
        raise ConfigError(
            f"{path}:{number}: {section} {key} is still the draft's placeholder "
            f'"TODO"; name the export\'s column for {key} on that line{hint}. The '
            "WARNING at the top of the profile (printed by `profile init`) lists the "
            "columns considered and why each was rejected"
        )


def _parse_profile(doc: dict, path: Path) -> SourceProfile:
    source = validate.section(doc, "source", path)
    name = str(validate.require(source, "name", "[source]", path))
    kind = source.get("kind", "report")
    if kind not in ("report", "call"):
        raise ConfigError(
            f'{path}: [source] kind was "{kind}" but is expected to be "report" '
            'or "call"'
        )
    columns = _parse_columns(validate.section(doc, "columns", path), path)
    dates = doc.get("dates", {})
    date_formats = {
        key: tuple(validate.column_list(value, path, f"[dates] {key}"))
        for key, value in dates.items()
        if key in _FIELDS
    }
    location = doc.get("location", {})
    missing_xy = _missing_xy(location.get("missing_xy"), path)
    earliest = _earliest(dates.get("earliest", "1950-01-01"), path)
    crs = location.get("crs")
    if crs is not None:
        try:
            check_crs(str(crs), f"{path}: [location] crs")
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc
    categories = doc.get("categories", {})
    width = int(categories.get("code_width", 0))
    return SourceProfile(
        name=name,
        kind=kind,
        path=path,
        columns=columns,
        date_formats=date_formats,
        earliest=earliest,
        crs=crs,
        missing_xy=missing_xy,
        labels=_parse_labels(doc.get("labels", {}), path),
        reversals=bool(doc.get("reversals", {}).get("enabled", False)),
        code_width=width,
        code_categories={
            pad_code(str(code), width): _check_category(
                cat, path, f"[categories.codes] {code}"
            )
            for code, cat in categories.get("codes", {}).items()
        },
        code_ranges=tuple(_parse_ranges(categories.get("range", []), width, path)),
        sensitive_patterns=tuple(
            p.upper() for p in categories.get("sensitive_patterns", [])
        ),
        description=source.get("description", ""),
        keyword_rules=tuple(_parse_keywords(categories.get("keyword", []), path)),
        default_category=_check_category(categories["default"], path, "[categories]")
        if "default" in categories
        else None,
        sensitive_column=doc.get("sensitive", {}).get("column"),
        sensitive_true=tuple(
            str(v).upper()
            for v in doc.get("sensitive", {}).get("true_values", ["TRUE"])
        ),
        call_sources=_parse_call_sources(doc.get("calls", {}).get("sources", {}), path),
        unique_ids=bool(source.get("unique_ids", False)),
        row_filter=parse_filter(doc["filter"], path)
        if "filter" in doc
        else RowFilter(),
        identity=_parse_identity(doc.get("identity"), columns, source, path),
    )


def _parse_identity(
    section: object, columns: dict[str, tuple[str, ...]], source: dict, path: Path
) -> RecordIdentity | None:
    """The ``[identity]`` section: ``key``, optional ``version`` and ``repeats``."""
    if section is None:
        return None
    where = f"{path}: [identity]"
    section = validate.table(section, path, "[identity]", "a table with `key = [...]`")
    validate.known_keys(
        section,
        ("key", "version", "repeats"),
        path,
        "[identity]",
        "key, version, repeats",
    )
    if source.get("unique_ids"):
        raise ConfigError(
            f"{where} and [source] unique_ids = true both say what identifies a "
            'record; keep one (unique_ids = true means key = ["incident_id"])'
        )
    key = validate.text_list(
        section.get("key"),
        path,
        "[identity] key",
        'a list of fields, e.g. ["incident_id", "offense_code"]',
    )
    version = section.get("version")
    for field_name in [*key, *([version] if version is not None else [])]:
        if field_name not in columns:
            raise ConfigError(
                f'{where} names "{field_name}", which is not a field mapped in '
                f"[columns] (mapped: {sorted(columns)}); map it or remove it"
            )
    repeats = validate.choice(
        section.get("repeats", "duplicate"), REPEATS, path, "[identity] repeats"
    )
    return RecordIdentity(tuple(key), version, repeats)  # type: ignore[arg-type]


def _parse_columns(section: dict, path: Path) -> dict[str, tuple[str, ...]]:
    unknown = sorted(set(section) - set(_FIELDS))
    if unknown:
        raise ConfigError(
            f"{path}: [columns] has unknown field(s) {unknown}; expected some of "
            f"{list(_FIELDS)}"
        )
    for required in _REQUIRED:
        if required not in section:
            raise ConfigError(
                f"{path}: [columns] needs `{required}` (the export's column for it)"
            )
    return {
        key: tuple(validate.column_list(value, path, f"[columns] {key}"))
        for key, value in section.items()
    }


def _parse_labels(section: dict, path: Path) -> dict[str, LabelSpec]:
    labels = {}
    for level, spec in section.items():
        if isinstance(spec, str):
            spec = {"column": spec}
        if "column" not in spec:
            raise ConfigError(f"{path}: [labels] {level} needs a `column`")
        labels[level] = LabelSpec(
            column=spec["column"],
            missing=tuple(str(v) for v in spec.get("missing", ())),
            values={str(k): str(v) for k, v in spec.get("values", {}).items()},
        )
    return labels


def _parse_ranges(items: list[dict], width: int, path: Path) -> list[CodeRange]:
    ranges = []
    for i, item in enumerate(items, start=1):
        where = f"[[categories.range]] #{i}"
        for key in ("from", "to", "category"):
            if key not in item:
                raise ConfigError(f"{path}: {where} needs `{key}`")
        start, end = (
            pad_code(str(item["from"]), width),
            pad_code(str(item["to"]), width),
        )
        if len(start) != len(end):
            raise ConfigError(
                f'{path}: {where} bounds "{start}" and "{end}" differ in length; set '
                "`code_width` so codes are compared at one width"
            )
        if start > end:
            raise ConfigError(f"{path}: {where} has from > to")
        ranges.append(
            CodeRange(
                start=start,
                end=end,
                category=_check_category(item["category"], path, where),
            )
        )
    return ranges


def _parse_keywords(items: list[dict], path: Path) -> list[KeywordRule]:
    rules = []
    for i, item in enumerate(items, start=1):
        where = f"[[categories.keyword]] #{i}"
        if "pattern" not in item or "category" not in item:
            raise ConfigError(f"{path}: {where} needs `pattern` and `category`")
        try:
            re.compile(item["pattern"])
        except re.error as exc:
            raise ConfigError(
                f"{path}: {where} pattern '{item['pattern']}' is not a valid regular "
                f"expression ({exc})"
            ) from exc
        rules.append(
            KeywordRule(item["pattern"], _check_category(item["category"], path, where))
        )
    return rules


def _parse_call_sources(mapping: dict, path: Path) -> dict[str, str]:
    for value, source in mapping.items():
        if source not in CALL_SOURCES:
            raise ConfigError(
                f'{path}: [calls.sources] "{value}" maps to "{source}" but is expected '
                f"to map to one of {list(CALL_SOURCES)}"
            )
    return {str(k).strip().upper(): v for k, v in mapping.items()}


def _check_category(category: str, path: Path, where: str) -> str:
    if category not in schema.CATEGORIES:
        raise ConfigError(
            f'{path}: {where} category was "{category}" but is expected to be one '
            f"of {list(schema.CATEGORIES)}"
        )
    return category


def pad_code(code: str, width: int) -> str:
    """Zero-pad numeric codes to ``width``; other codes are upper-cased as given."""
    code = code.strip()
    return code.zfill(width) if width and code.isdigit() else code.upper()


def _missing_xy(value: object, path: Path) -> tuple[float, float] | None:
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int | float) for v in value)
    ):
        raise ConfigError(
            f"{path}: [location] missing_xy must be two numbers, e.g. [0.0, 0.0]; "
            f"found {value!r}"
        )
    return float(value[0]), float(value[1])


def _earliest(value: object, path: Path) -> str:
    try:
        return str(pd.Timestamp(str(value)).date())
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            f"{path}: [dates] earliest must be a date like 1950-01-01; found {value!r}"
        ) from exc
