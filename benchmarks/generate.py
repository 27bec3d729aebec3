"""Synthetic SLMPD-layout exports scaled up from the real St. Louis data.

``python benchmarks/generate.py --size 1000000 --seed 0 --out /tmp/bench1m``

Every generated row is a real SLMPD row (offense code, description, flags,
addresses, district and neighborhood labels, time of day) resampled with:

- a fresh ``Complaint`` id ``SYY-NNNNNNN`` (the ``S`` prefix cannot collide
  with a real id);
- an occurrence day drawn from the real month-of-year and weekday shape over
  ``years`` years ending December 2019, shifted back by the template's own
  report lag (whole weeks, so the weekday survives); ``CodedMonth`` is the
  month of the unshifted day, so it is never before the occurrence;
- located points moved by a small random offset (State Plane feet), resampled
  until it stays inside the template's own neighborhood polygon;
- the real shares of unlocated (``0,0``) rows and of reversal rows: ``Count=-1``
  rows that cancel a generated original (same ``Complaint`` and ``Crime``, same
  or later coded month) plus the real share of reversals whose original is not
  in the data (first counted before it begins).

Output: one CSV per coded month in the original layout under ``DIR/slmpd``,
``DIR/SYNTHETIC.md`` (what this is, seed, size, generator version) and
``DIR/beatprofile.toml`` (a department config for ``beatprofile build``). The
same seed and size give byte-identical files.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

if __package__ in (None, ""):  # run as a script: make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.layout import (  # noqa: E402
    COLUMNS,
    LAST_YEAR,
    REAL_DIR,
    write_config,
    write_months,
    write_readme,
)
from pipelines.ingest.readers import read_export  # noqa: E402

log = logging.getLogger(__name__)

FEET_CRS = "ESRI:102696"
JITTER_FT = 250.0  # standard deviation of the offset per axis (about 76 m)
JITTER_TRIES = 12
DAY_WEEKS = 30.4375 / 7.0  # weeks per month, to shift by a report lag

_COPIED = tuple(
    c
    for c in COLUMNS
    if c not in ("Complaint", "CodedMonth", "DateOccur", "Count", "XCoord", "YCoord")
)


@dataclass(frozen=True)
class RealData:
    """The real rows as templates, plus the shapes measured on them."""

    table: pa.Table  # real rows, COLUMNS as text
    negative: np.ndarray  # bool: Count == -1
    located: np.ndarray  # bool: usable, non-zero coordinates
    x: np.ndarray  # State Plane feet (NaN where unlocated)
    y: np.ndarray
    polygon: np.ndarray  # position of the covering neighborhood, -1 if none
    lag_months: np.ndarray  # coded month - occurrence month (>= 0)
    placeholder: np.ndarray  # bool: occurrence date before 1950 (kept as text)
    minute_of_day: np.ndarray  # occurrence time of day, minutes after midnight
    month_weight: np.ndarray  # 12 relative daily rates, January first
    weekday_weight: np.ndarray  # 7 relative daily rates, Monday first
    reversal_lag: np.ndarray  # months between original and reversal, per real pair
    unmatched_share: float  # of reversal rows, share without an original
    polygons: np.ndarray  # neighborhoods in State Plane feet


@dataclass(frozen=True)
class Generated:
    """Summary of one generated data set."""

    out: Path
    rows: int
    reversal_rows: int
    unmatched_reversals: int
    unlocated_rows: int
    files: int
    first_month: str
    last_month: str
    seconds: float

    def as_dict(self) -> dict:
        return {
            "out": str(self.out),
            "rows": self.rows,
            "reversal_rows": self.reversal_rows,
            "unmatched_reversals": self.unmatched_reversals,
            "unlocated_rows": self.unlocated_rows,
            "reversal_share": self.reversal_rows / self.rows if self.rows else 0.0,
            "unlocated_share": self.unlocated_rows / self.rows if self.rows else 0.0,
            "files": self.files,
            "first_month": self.first_month,
            "last_month": self.last_month,
            "seconds": round(self.seconds, 3),
        }


def generate(
    size: int,
    seed: int,
    out: str | Path,
    years: int | None = None,
    real_dir: str | Path = REAL_DIR,
    jitter_ft: float = JITTER_FT,
) -> Generated:
    """Write ``size`` synthetic incidents in the SLMPD layout into ``out``.

    Parameters
    ----------
    size : int
        Number of rows (originals and reversal rows together), at least 10.
    seed : int
        Seed of every random draw; the same seed and size give identical files.
    out : str or Path
        Folder to write into (created; existing generated files are replaced).
    years : int, optional
        Number of calendar years the coded months span, ending December 2019;
        by default :func:`default_years` (10 from 1M rows up, at least 2).
    real_dir : str or Path
        Folder with the real ``raw/*/*.csv`` exports and ``neighborhoods.geojson``.
    jitter_ft : float
        Standard deviation (State Plane feet, per axis) of the location offset.

    Returns
    -------
    Generated

    Raises
    ------
    ValueError
        If ``size`` or ``years`` is too small, or the real data is missing.

    Example
    -------
    >>> generate(10_000, seed=1, out="/tmp/bench10k").rows
    10000
    """
    if size < 10:
        raise ValueError(f"`size` was {size} but is expected to be at least 10")
    years = default_years(size) if years is None else years
    if years < 1:
        raise ValueError(f"`years` was {years} but is expected to be at least 1")
    started = time.perf_counter()
    real = load_real(Path(real_dir))
    rng = np.random.default_rng(seed)
    rows, summary = _make_rows(real, size, years, jitter_ft, rng)
    out = Path(out)
    files, first, last = write_months(rows, out / "slmpd")
    write_readme(out, size, seed, years, summary)
    write_config(out, Path(real_dir))
    return Generated(
        out=out,
        rows=rows.num_rows,
        files=files,
        first_month=first,
        last_month=last,
        seconds=time.perf_counter() - started,
        **summary,
    )


def default_years(size: int) -> int:
    """Years of data for ``size`` rows: 10 from 1M rows up (a department keeping a
    decade), about 100k rows a year below that, never under 2 (so a smoke run
    reads 24 monthly files, not 120)."""
    return int(np.clip(round(size / 100_000), 2, 10))


def load_real(real_dir: Path) -> RealData:
    """Read every real export (``read_export`` handles encodings) and measure it."""
    paths = sorted((real_dir / "raw").glob("*/*.csv"))
    if not paths:
        raise ValueError(
            f"no real exports under {real_dir / 'raw'}; expected "
            "raw/YYYY/<month>YYYY.csv"
        )
    frames = [_standard_columns(read_export(p).rows) for p in paths]
    raw = pd.concat(frames, ignore_index=True)
    count = raw["Count"].str.strip()
    negative = (count == "-1").to_numpy()
    x = pd.to_numeric(raw["XCoord"], errors="coerce").to_numpy("float64")
    y = pd.to_numeric(raw["YCoord"], errors="coerce").to_numpy("float64")
    located = np.isfinite(x) & np.isfinite(y) & ~((x == 0) & (y == 0))
    polygons = _neighborhoods_feet(real_dir / "neighborhoods.geojson")
    polygon = _covering(polygons, x, y, located)
    occurred = pd.to_datetime(
        raw["DateOccur"].str.strip(), format="%m/%d/%Y %H:%M", errors="coerce"
    )
    coded = pd.to_datetime(raw["CodedMonth"].str.strip(), format="%Y-%m")
    placeholder = (occurred.isna() | (occurred.dt.year < 1950)).to_numpy()
    lag = (coded.dt.year * 12 + coded.dt.month) - (
        occurred.dt.year * 12 + occurred.dt.month
    )
    lag = lag.fillna(0).clip(lower=0).astype("int64").to_numpy().copy()
    lag[placeholder] = 0
    minute_of_day = (
        (occurred.dt.hour * 60 + occurred.dt.minute).fillna(0).to_numpy("int64")
    )
    month_w, weekday_w = _calendar_shape(occurred[~negative & ~placeholder])
    rev_lag, unmatched = _reversal_shape(raw, negative, coded)
    return RealData(
        table=pa.Table.from_pandas(raw[list(COLUMNS)], preserve_index=False),
        negative=negative,
        located=located,
        x=x,
        y=y,
        polygon=polygon,
        lag_months=lag,
        placeholder=placeholder,
        minute_of_day=minute_of_day,
        month_weight=month_w,
        weekday_weight=weekday_w,
        reversal_lag=rev_lag,
        unmatched_share=unmatched,
        polygons=polygons,
    )


def _standard_columns(rows: pd.DataFrame) -> pd.DataFrame:
    """Rename any SLMPD layout's headers (e.g. May 2017's ``X-Coord``) to COLUMNS."""
    key = {c.lower(): c for c in COLUMNS}
    renamed = rows.rename(
        columns=lambda c: key.get("".join(ch for ch in c.lower() if ch.isalnum()), c)
    )
    for column in COLUMNS:
        if column not in renamed:
            renamed[column] = ""
    return renamed[list(COLUMNS)].astype(str)


def _neighborhoods_feet(path: Path) -> np.ndarray:
    import geopandas as gpd

    layer = gpd.read_file(path).to_crs(FEET_CRS)
    polygons = shapely.make_valid(layer.geometry.values)
    shapely.prepare(polygons)
    return np.asarray(polygons)


def _covering(
    polygons: np.ndarray, x: np.ndarray, y: np.ndarray, located: np.ndarray
) -> np.ndarray:
    out = np.full(len(x), -1, dtype="int64")
    rows = np.flatnonzero(located)
    tree = shapely.STRtree(polygons)
    pts, polys = tree.query(shapely.points(x[rows], y[rows]), predicate="intersects")
    order = np.lexsort((-polys, pts))  # the lowest polygon wins: written last
    out[rows[pts[order]]] = polys[order]
    return out


def _calendar_shape(occurred: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Relative daily rate by month of year and by weekday, 2015-2019 occurrences."""
    inside = occurred[(occurred >= "2015-01-01") & (occurred < "2020-01-01")]
    days = pd.date_range("2015-01-01", "2019-12-31", freq="D")
    per_month = inside.dt.month.value_counts().reindex(range(1, 13), fill_value=0)
    month_days = pd.Series(days.month).value_counts().reindex(range(1, 13))
    per_weekday = inside.dt.day_of_week.value_counts().reindex(range(7), fill_value=0)
    weekday_days = pd.Series(days.day_of_week).value_counts().reindex(range(7))
    month_w = (per_month / month_days).to_numpy("float64")
    weekday_w = (per_weekday / weekday_days).to_numpy("float64")
    return month_w / month_w.mean(), weekday_w / weekday_w.mean()


def _reversal_shape(
    raw: pd.DataFrame, negative: np.ndarray, coded: pd.Series
) -> tuple[np.ndarray, float]:
    """Months from original to reversal (matched pairs), and the unmatched share."""
    key = raw["Complaint"].str.strip() + "|" + raw["Crime"].str.strip()
    month = (coded.dt.year * 12 + coded.dt.month).to_numpy()
    originals = pd.DataFrame({"key": key[~negative], "orig": month[~negative]})
    first = originals.groupby("key")["orig"].min()
    neg = pd.DataFrame({"key": key[negative].to_numpy(), "rev": month[negative]})
    neg["orig"] = neg["key"].map(first)
    matched = neg["orig"].notna() & (neg["orig"] <= neg["rev"])
    lags = (neg.loc[matched, "rev"] - neg.loc[matched, "orig"]).astype("int64")
    return lags.to_numpy(), float(1.0 - matched.mean())


def _make_rows(
    real: RealData, size: int, years: int, jitter_ft: float, rng: np.random.Generator
) -> tuple[pa.Table, dict]:
    """All generated rows, in coded-month order (random order within a month)."""
    n_neg = round(size * real.negative.mean())
    n_unmatched = round(n_neg * real.unmatched_share)
    n_matched = n_neg - n_unmatched
    n_pos = size - n_neg
    pos_share = _located_share(real, ~real.negative)
    neg_share = _located_share(real, real.negative)
    first_day = pd.Timestamp(LAST_YEAR - years + 1, 1, 1)
    days = pd.date_range(first_day, f"{LAST_YEAR}-12-31", freq="D")

    # Originals (+1): stratified so the unlocated share is the real one exactly.
    pos_t = _stratified(real, ~real.negative, n_pos, pos_share, rng)
    pos_day = _draw_days(real, days, n_pos, rng)
    # Reversals of generated originals: same row, a later (or the same) month.
    originals = np.sort(rng.choice(n_pos, size=n_matched, replace=False))
    rev_lag = (
        rng.choice(real.reversal_lag, size=n_matched)
        if n_matched
        else np.zeros(0, dtype="int64")
    )
    # Reversals without an original: real -1 rows, ids from before the data.
    orphan_t = _stratified(real, real.negative, n_unmatched, neg_share, rng)
    orphan_day = _draw_days(real, days, n_unmatched, rng)

    templates = np.concatenate([pos_t, pos_t[originals], orphan_t])
    coded_day = np.concatenate([pos_day, pos_day[originals], orphan_day])
    last_month = LAST_YEAR * 12 + 11
    coded_month = _month_index(coded_day)
    coded_month[n_pos : n_pos + n_matched] = np.minimum(
        coded_month[n_pos : n_pos + n_matched] + rev_lag, last_month
    )
    occurred = _occurred(real, templates[:n_pos], pos_day)
    occurred = np.concatenate(
        [occurred, occurred[originals], _occurred(real, orphan_t, orphan_day)]
    )
    x, y = _jittered(real, templates[:n_pos], jitter_ft, rng)
    ox, oy = _jittered(real, orphan_t, jitter_ft, rng)
    rx, ry = x[originals].copy(), y[originals].copy()
    hide = rng.random(n_matched) >= neg_share  # reversals often withhold the location
    rx[hide] = ry[hide] = 0.0
    x = np.concatenate([x, rx, ox])
    y = np.concatenate([y, ry, oy])
    complaint = _complaint_ids(coded_month[:n_pos], n_unmatched, first_day.year, rng)
    complaint = pa.concat_arrays(
        [complaint[:n_pos], complaint.take(pa.array(originals)), complaint[n_pos:]]
    )
    count = np.concatenate([np.ones(n_pos, "int8"), -np.ones(n_neg, "int8")])

    table = real.table.select(list(_COPIED)).take(pa.array(templates))
    columns = {name: table.column(name) for name in _COPIED}
    columns["Complaint"] = complaint
    columns["CodedMonth"] = _month_text(coded_month)
    columns["DateOccur"] = _date_text(real, templates, occurred)
    columns["Count"] = pa.array(np.where(count > 0, "1", "-1"))
    columns["XCoord"], columns["YCoord"] = _coordinate_text(real, templates, x, y)
    columns["__month"] = pa.array(coded_month)
    order = np.lexsort((rng.random(size), coded_month))
    rows = pa.table({name: columns[name] for name in (*COLUMNS, "__month")}).take(
        pa.array(order)
    )
    unlocated = int(np.sum(~(np.isfinite(x) & ((x != 0) | (y != 0)))))
    return rows, {
        "reversal_rows": n_neg,
        "unmatched_reversals": n_unmatched,
        "unlocated_rows": unlocated,
    }


def _located_share(real: RealData, subset: np.ndarray) -> float:
    return float(real.located[subset].mean()) if subset.any() else 1.0


def _stratified(
    real: RealData,
    subset: np.ndarray,
    n: int,
    located_share: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """``n`` template rows from ``subset``, the located share held exactly."""
    n_located = round(n * located_share)
    located = np.flatnonzero(subset & real.located)
    unlocated = np.flatnonzero(subset & ~real.located)
    picks = np.concatenate(
        [
            rng.choice(located, size=n_located),
            rng.choice(unlocated, size=n - n_located) if n > n_located else [],
        ]
    ).astype("int64")
    return picks[rng.permutation(n)]


def _draw_days(
    real: RealData, days: pd.DatetimeIndex, n: int, rng: np.random.Generator
) -> np.ndarray:
    """``n`` days (datetime64[D]) weighted by the real month and weekday shape."""
    weight = real.month_weight[days.month - 1] * real.weekday_weight[days.day_of_week]
    chosen = rng.choice(len(days), size=n, p=weight / weight.sum())
    return days.values.astype("datetime64[D]")[chosen]


def _month_index(day: np.ndarray) -> np.ndarray:
    months = day.astype("datetime64[M]").astype("int64")  # months since 1970-01
    return months + 1970 * 12


def _occurred(
    real: RealData, templates: np.ndarray, coded_day: np.ndarray
) -> np.ndarray:
    """Occurrence minute: the coded day less the template's lag, at its time of day."""
    weeks = np.rint(real.lag_months[templates] * DAY_WEEKS).astype("int64")
    day = coded_day - (weeks * 7).astype("timedelta64[D]")
    clock = real.minute_of_day[templates].astype("timedelta64[m]")
    return day.astype("datetime64[m]") + clock


def _jittered(
    real: RealData, templates: np.ndarray, jitter_ft: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Template points moved by a random offset that keeps them in their polygon."""
    x = real.x[templates].copy()
    y = real.y[templates].copy()
    x[~real.located[templates]] = np.nan
    y[~real.located[templates]] = np.nan
    poly = np.where(real.located[templates], real.polygon[templates], -1)
    todo = np.flatnonzero(poly >= 0)
    dx = np.zeros(len(x))
    dy = np.zeros(len(x))
    for _ in range(JITTER_TRIES):
        if len(todo) == 0:
            break
        ox = rng.normal(0.0, jitter_ft, len(todo))
        oy = rng.normal(0.0, jitter_ft, len(todo))
        inside = np.zeros(len(todo), dtype=bool)
        by_poly = np.argsort(poly[todo], kind="stable")
        bounds = np.searchsorted(poly[todo][by_poly], np.arange(len(real.polygons) + 1))
        for k in range(len(real.polygons)):
            part = by_poly[bounds[k] : bounds[k + 1]]
            if len(part):
                rows = todo[part]
                inside[part] = shapely.contains_xy(
                    real.polygons[k], x[rows] + ox[part], y[rows] + oy[part]
                )
        dx[todo[inside]] = ox[inside]
        dy[todo[inside]] = oy[inside]
        todo = todo[~inside]
    return x + dx, y + dy  # rows never inside after all tries keep their real point


def _complaint_ids(
    coded_month: np.ndarray, n_orphans: int, first_year: int, rng: np.random.Generator
) -> pa.Array:
    """``SYY-NNNNNNN`` numbered per coded year (random order); orphans: year before."""
    year = np.concatenate([coded_month // 12, np.full(n_orphans, first_year - 1)])
    order = np.lexsort((rng.random(len(year)), year))
    sequence = np.empty(len(year), dtype="int64")
    starts = np.searchsorted(year[order], year[order], side="left")
    sequence[order] = np.arange(len(year)) - starts + 1
    width = max(7, len(str(int(sequence.max())))) if len(year) else 7
    yy = pc.utf8_lpad(pa.array(year % 100).cast(pa.string()), 2, "0")
    number = pc.utf8_lpad(pa.array(sequence).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(pa.scalar("S"), yy, pa.scalar("-"), number, "")


def _month_text(month: np.ndarray) -> pa.Array:
    yyyy = pa.array(month // 12).cast(pa.string())
    mm = pc.utf8_lpad(pa.array(month % 12 + 1).cast(pa.string()), 2, "0")
    return pc.binary_join_element_wise(yyyy, mm, "-")


def _date_text(real: RealData, templates: np.ndarray, occurred: np.ndarray) -> pa.Array:
    stamps = pa.array(occurred.astype("datetime64[s]"))
    text = pc.strftime(stamps, format="%m/%d/%Y %H:%M")
    keep = real.placeholder[templates]  # 01/01/1900-style placeholders stay as given
    original = real.table.column("DateOccur").take(pa.array(templates))
    return pc.if_else(pa.array(keep), original, text)


def _coordinate_text(
    real: RealData, templates: np.ndarray, x: np.ndarray, y: np.ndarray
) -> tuple[pa.Array, pa.Array]:
    """Feet with one decimal, as the department writes them; unlocated rows as 0."""
    usable = np.isfinite(x) & np.isfinite(y) & ((x != 0) | (y != 0))
    out = []
    for values, name in ((x, "XCoord"), (y, "YCoord")):
        text = pa.array(np.round(np.where(usable, values, 0.0), 1)).cast(pa.string())
        original = real.table.column(name).take(pa.array(templates))
        # Withheld locations keep the template's own text ("0" or blank).
        withheld = ~usable & ~real.located[templates]
        out.append(pc.if_else(pa.array(withheld), original, text))
    return out[0], out[1]


def main(argv: list[str] | None = None) -> Generated:
    """Command line: ``generate.py --size N --seed S --out DIR [--years Y]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, required=True, help="rows to generate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument(
        "--years",
        type=int,
        default=None,
        help="years of coded months (default: by size, 2 to 10)",
    )
    parser.add_argument("--real-dir", type=Path, default=REAL_DIR)
    args = parser.parse_args(argv)
    result = generate(args.size, args.seed, args.out, args.years, args.real_dir)
    print(result.as_dict())  # noqa: T201 - a command-line script
    return result


if __name__ == "__main__":
    main()
