"""Normalize one export into canonical staged rows (pure: frames in, frames out).

Every input row comes out as one staged row. Rows that cannot become a record
carry an ``issue`` (a quarantine reason) and a message; netting and area
assignment (later steps) decide the rest.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.crs import LONLAT, transform_xy
from pipelines import schema as s
from pipelines.errors import InputFileError
from pipelines.ingest.categories import OffenseMemo, classify_offenses
from pipelines.ingest.filters import filter_rows
from pipelines.ingest.locations import parse_point_text
from pipelines.ingest.parsing import parse_dates, parse_numbers
from pipelines.ingest.readers import (
    LINE_COLUMN,
    PROBLEM_COLUMN,
    TEXT_DTYPE,
    ExportTable,
    normalize_header,
)
from pipelines.ingest.source_profile import LOCATION_TEXT, UPDATED_AT, SourceProfile

_META = (LINE_COLUMN, PROBLEM_COLUMN)
ISSUE = "issue"
ISSUE_MESSAGE = "issue_message"


def normalize_export(
    table: ExportTable,
    profile: SourceProfile,
    analysis_crs: str,
    memo: OffenseMemo | None = None,
) -> pd.DataFrame:
    """Turn an export's text cells into canonical staged rows.

    Parameters
    ----------
    table : ExportTable
        Output of :func:`pipelines.ingest.readers.read_export`.
    profile : SourceProfile
        How the export's columns map to the canonical record.
    analysis_crs : str
        Projected CRS (metres) for ``x``/``y``.
    memo : OffenseMemo, optional
        Offense answers for ``profile`` from earlier files of the same build.

    Returns
    -------
    DataFrame
        One row per input row, canonical columns plus ``file``, ``line``,
        ``raw``, ``issue`` and ``issue_message``; label columns per level.

    Raises
    ------
    InputFileError
        If a column the profile needs is not in the file.
    """
    raw = table.rows
    cols = _resolve_columns(raw, profile, table.file_name)
    text = {field: _text(raw, names) for field, names in cols.items()}
    out = pd.DataFrame(
        {
            s.SOURCE: profile.name,
            s.KIND: profile.kind,
            s.FILE: table.file_name,
            s.LINE: raw[LINE_COLUMN].astype("int64").to_numpy(),
            s.INCIDENT_ID: text[s.INCIDENT_ID],
            s.OFFENSE_CODE: text.get(s.OFFENSE_CODE, _blank(raw)),
            s.OFFENSE_DESC: _squeeze_spaces(text.get(s.OFFENSE_DESC, _blank(raw))),
            s.BLOCK_ADDRESS: text.get(s.BLOCK_ADDRESS, _blank(raw)),
        }
    )
    out[s.OCCURRED_AT] = _parse_dates(text[s.OCCURRED_AT], profile, s.OCCURRED_AT)
    if s.REPORTED_AT in text:
        out[s.REPORTED_AT] = _parse_dates(text[s.REPORTED_AT], profile, s.REPORTED_AT)
    else:
        out[s.REPORTED_AT] = pd.NaT
    out[s.COUNT] = _parse_count(text.get(s.COUNT), out.index)
    out[s.CATEGORY], out[s.SENSITIVE], out[s.CLASSIFIED] = classify_offenses(
        out[s.OFFENSE_CODE], out[s.OFFENSE_DESC], profile, memo
    )
    _flag_sensitive_column(out, raw, profile, table.file_name)
    _add_location(out, text, profile, analysis_crs)
    for level, spec in profile.labels.items():
        values = _text(raw, (_match_header(raw, spec.column, table.file_name),))
        if spec.values:
            values = values.replace(spec.values)
        out[s.label_column(level)] = values.where(
            ~values.isin(("", *spec.missing)), None
        )
    _add_call_fields(out, text, profile)
    out[s.RAW] = _raw_text(raw)
    out[PROBLEM_COLUMN] = raw[PROBLEM_COLUMN].to_numpy()
    filtered = filter_rows(
        raw,
        profile.row_filter,
        lambda name: _find_header(raw, name),
        table.file_name,
    )
    _flag_issues(out, text, profile, filtered)
    return out.drop(columns=PROBLEM_COLUMN)


def conform_labels(staged: pd.DataFrame, levels: tuple[str, ...]) -> pd.DataFrame:
    """Exactly one ``label_<level>`` column per configured level (None if absent)."""
    wanted = {s.label_column(level) for level in levels}
    extra = [c for c in staged.columns if c.startswith("label_") and c not in wanted]
    missing = {c: None for c in sorted(wanted) if c not in staged}
    return staged.drop(columns=extra).assign(**missing)


def _resolve_columns(
    raw: pd.DataFrame, profile: SourceProfile, file_name: str
) -> dict[str, tuple[str, ...]]:
    return {
        field: tuple(_match_header(raw, name, file_name) for name in names)
        for field, names in profile.columns.items()
    }


def _find_header(raw: pd.DataFrame, wanted: str) -> str | None:
    """The file's header for ``wanted`` (ignoring case, spaces, hyphens), or None."""
    key = normalize_header(wanted)
    for column in raw.columns:
        if column not in _META and normalize_header(column) == key:
            return column
    return None


def _match_header(raw: pd.DataFrame, wanted: str, file_name: str) -> str:
    column = _find_header(raw, wanted)
    if column is not None:
        return column
    found = [c for c in raw.columns if c not in _META]
    raise InputFileError(
        f"{file_name}: column '{wanted}' not found (headers are matched ignoring "
        f"case, spaces, hyphens and underscores); the file has {found}. Fix the "
        "source profile's [columns] or [labels] to name the file's column"
    )


def _text(raw: pd.DataFrame, names: tuple[str, ...]) -> pd.Series:
    """The columns' stripped text, joined with a space (and stripped again)."""
    parts = [pc.utf8_trim_whitespace(_arrow_text(raw[name])) for name in names]
    joined = parts[0]
    for part in parts[1:]:
        joined = pc.utf8_trim_whitespace(
            pc.binary_join_element_wise(joined, part, pa.scalar(" ", pa.large_string()))
        )
    return pd.Series(joined, index=raw.index, dtype=TEXT_DTYPE)


def _arrow_text(values: pd.Series) -> pa.Array:
    return pa.array(values.astype(str), type=pa.large_string())


def _blank(raw: pd.DataFrame) -> pd.Series:
    return pd.Series([""] * len(raw), index=raw.index, dtype=object)


def _squeeze_spaces(values: pd.Series) -> pd.Series:
    """Each run of whitespace as one space (worked out once per distinct text)."""
    codes, uniques = pd.factorize(values)
    squeezed = pd.Series(uniques).str.replace(r"\s+", " ", regex=True)
    return pd.Series(
        squeezed.array.take(codes, allow_fill=True),
        index=values.index,
        dtype=values.dtype,
    )


def _parse_dates(values: pd.Series, profile: SourceProfile, field: str) -> pd.Series:
    return parse_dates(values, profile.date_formats.get(field, ()))


def _parse_count(values: pd.Series | None, index: pd.Index) -> pd.Series:
    if values is None:
        return pd.Series(1, index=index, dtype="Int64")
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    counts = pd.to_numeric(pd.Series(uniques), errors="coerce").astype("Int64")
    return pd.Series(counts.array.take(codes), index=index, dtype="Int64")


def _add_location(
    out: pd.DataFrame, text: dict, profile: SourceProfile, analysis_crs: str
) -> None:
    """x/y (analysis CRS), lon/lat and ``located``, from the first usable source.

    Sources in order: projected ``x``/``y`` (the profile's CRS), ``lon``/``lat``
    columns, then one ``location`` text column. A pair equal to the profile's
    ``missing_xy``, non-finite, or outside lon/lat range counts as no location.
    """
    n = len(out)
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    for src, xs, ys in _candidate_points(text, profile, n):
        usable = np.isfinite(xs) & np.isfinite(ys) & np.isnan(lon)
        if profile.missing_xy is not None:
            mx, my = profile.missing_xy
            usable &= ~((xs == mx) & (ys == my))
        if src != LONLAT:
            usable &= (np.abs(xs) < 1e8) & (np.abs(ys) < 1e8)
        if not usable.any():
            continue
        cand_lon, cand_lat = transform_xy(
            np.where(usable, xs, np.nan), np.where(usable, ys, np.nan), src, LONLAT
        )
        usable &= (np.abs(cand_lon) <= 180) & (np.abs(cand_lat) <= 90)
        lon[usable], lat[usable] = cand_lon[usable], cand_lat[usable]
    out[s.LON], out[s.LAT] = lon, lat
    out[s.X], out[s.Y] = transform_xy(lon, lat, LONLAT, analysis_crs)
    out[s.LOCATED] = np.isfinite(out[s.X].to_numpy()) & np.isfinite(out[s.Y].to_numpy())


def _candidate_points(text: dict, profile: SourceProfile, n: int):
    def numbers(field: str) -> np.ndarray:
        return parse_numbers(text[field])

    if s.X in text and s.Y in text:
        yield profile.crs or LONLAT, numbers(s.X), numbers(s.Y)
    if s.LON in text and s.LAT in text:
        yield LONLAT, numbers(s.LON), numbers(s.LAT)
    if LOCATION_TEXT in text:
        lon, lat = parse_point_text(text[LOCATION_TEXT])
        yield LONLAT, lon, lat


def _add_call_fields(out: pd.DataFrame, text: dict, profile: SourceProfile) -> None:
    """CAD fields: priority, mapped call source and the call's timestamps."""
    for column in s.CALL_COLUMNS:
        out[column] = None
    if s.PRIORITY in text:
        out[s.PRIORITY] = text[s.PRIORITY].where(text[s.PRIORITY] != "", None)
    if s.CALL_SOURCE in text:
        raw = text[s.CALL_SOURCE].str.upper()
        out[s.CALL_SOURCE] = raw.map(profile.call_sources).where(raw != "", None)
        out.loc[out[s.CALL_SOURCE].isna() & (raw != ""), s.CALL_SOURCE] = "other"
    for column in (s.QUEUED_AT, s.DISPATCHED_AT, s.ARRIVED_AT, s.CLEARED_AT):
        if column in text:
            out[column] = _parse_dates(text[column], profile, column)
    for column in (s.UNIT, s.DISPOSITION):
        if column in text:
            out[column] = text[column]
    out[UPDATED_AT] = (
        _parse_dates(text[UPDATED_AT], profile, UPDATED_AT)
        if UPDATED_AT in text
        else pd.NaT
    )


def _flag_sensitive_column(
    out: pd.DataFrame, raw: pd.DataFrame, profile: SourceProfile, file_name: str
) -> None:
    if profile.sensitive_column:
        column = _match_header(raw, profile.sensitive_column, file_name)
        flagged = (
            raw[column].astype(str).str.strip().str.upper().isin(profile.sensitive_true)
        )
        out[s.SENSITIVE] = out[s.SENSITIVE] | flagged.to_numpy()


def _raw_text(raw: pd.DataFrame) -> pd.Series:
    """The record's cells joined with commas (kept for quarantined rows)."""
    columns = [c for c in raw.columns if c not in _META]
    arrays = [_arrow_text(raw[c]) for c in columns]
    joined = pc.binary_join_element_wise(*arrays, pa.scalar(",", pa.large_string()))
    return pd.Series(joined, index=raw.index, dtype=TEXT_DTYPE)


def _day_after_month_end(stamps: pd.Series) -> pd.Series:
    """The day after each timestamp's month ends (worked out once per distinct one)."""
    codes, uniques = pd.factorize(stamps)
    after = pd.Series(uniques) + pd.offsets.MonthEnd(0) + pd.Timedelta(days=1)
    return pd.Series(
        after.array.take(codes, allow_fill=True), index=stamps.index, dtype=after.dtype
    )


def _flag_issues(
    out: pd.DataFrame,
    text: dict,
    profile: SourceProfile,
    filtered: tuple[np.ndarray, pd.Series],
) -> None:
    """Set ``issue``/``issue_message``; the first problem found wins.

    A ragged row is unparseable before anything else; then the profile's
    ``[filter]`` sets rows aside (``filtered_by_profile``) before any other check.
    """
    issue = pd.Series(None, index=out.index, dtype=object)
    message = pd.Series(None, index=out.index, dtype=object)
    unflagged = np.ones(len(out), dtype=bool)

    def flag(mask: pd.Series, reason: str, make_message) -> None:
        hit = np.asarray(mask, dtype=bool) & unflagged
        if hit.any():
            unflagged[hit] = False
            mask = pd.Series(hit, index=out.index)
            issue[mask] = reason
            message[mask] = make_message(mask)

    problem = out[PROBLEM_COLUMN]  # reader-level: a ragged row
    flag(
        problem.notna(),
        "unparseable_row",
        lambda m: "row has " + problem[m] + "; expected one value per column",
    )
    flag(filtered[0], s.FILTERED_REASON, lambda m: filtered[1][m])
    flag(
        out[s.INCIDENT_ID] == "",
        "unparseable_row",
        lambda m: "no incident id; expected a value in the id column",
    )
    flag(
        out[s.COUNT].isna() | ~out[s.COUNT].isin([1, -1]).fillna(False),
        "unparseable_row",
        lambda m: (
            "count was '" + text.get(s.COUNT, _blank(out))[m] + "'; expected 1 or -1"
        ),
    )
    occurred = text[s.OCCURRED_AT]
    formats = " or ".join(profile.date_formats.get(s.OCCURRED_AT, ("a date",)))
    flag(
        out[s.OCCURRED_AT].isna(),
        "bad_date",
        lambda m: "date '" + occurred[m] + f"' could not be read; expected {formats}",
    )
    earliest = pd.Timestamp(profile.earliest)
    flag(
        out[s.OCCURRED_AT] < earliest,
        "bad_date",
        lambda m: (
            "date '" + occurred[m] + f"' is before {profile.earliest}, "
            "a placeholder for an unknown date"
        ),
    )
    latest = _day_after_month_end(out[s.REPORTED_AT]).fillna(pd.Timestamp.now())
    flag(
        out[s.OCCURRED_AT] > latest,
        "future_date",
        lambda m: "date '" + occurred[m] + "' is after the record was reported",
    )
    flag(
        out[s.CATEGORY].isna() & (out[s.COUNT] == 1).fillna(False),
        "unmapped_code",
        lambda m: (
            "offense code '"
            + out[s.OFFENSE_CODE][m]
            + "' ('"
            + out[s.OFFENSE_DESC][m]
            + "') matches no rule in the profile's "
            "[categories]; add it there"
        ),
    )
    out[ISSUE] = issue
    out[ISSUE_MESSAGE] = message
