"""Problem-priority rankings: one row per (area, category) with its reasons.

Each row's score is a weighted sum of named components, each on a 0-1 scale
(trend on -1..1) so that the weights are comparable:

- ``volume``: incidents in the last 28 days per km2 (or per 1,000 residents),
  as the percentile rank among the level's rows with any incident (0 = none);
- ``harm``: the same rate times the category's harm weight
  (:mod:`pipelines.analysis.harm`), as a percentile rank;
- ``trend``: the exact Poisson test of the last 28 days against the 28 before
  (:func:`pipelines.analysis.trends.compare_counts`): 0 unless significant, else the
  sign of the change times ``min(1, -log10(p) / 3)`` (1 at p <= 0.001);
- ``hotspot``: share of the area's incidents of the last 28 days that fell in
  significant Gi* hot cells of that category's map;
- ``persistence``: share of the last ``persistence_periods`` 28-day periods
  with more incidents than the area's own mean over the ``baseline_periods``
  before them;
- ``community``: the watch meeting's priority for the (area, category), 0-1
  (an input table; empty until the watch-meeting pages fill it).

Rows are ordered by score, then recent count, then area id and taxonomy
order, so ties are broken the same way whatever the order of the input rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.grid import Grid, cell_of
from pipelines import schema as s
from pipelines.analysis.periods import block_codes
from pipelines.analysis.trends import compare_counts
from pipelines.analysis.windows import PERIOD_DAYS
from pipelines.analysis_settings import RankingSettings

COMPONENTS = ("volume", "harm", "trend", "hotspot", "persistence", "community")


def period_counts(
    daily: pd.DataFrame, level: str, as_of: pd.Timestamp, periods: int
) -> pd.DataFrame:
    """Incidents per (area, category, 28-day period) from the daily counts.

    Parameters
    ----------
    daily : DataFrame
        The store's ``daily_counts``: ``level, area_id, category, day, n``.
    level : str
    as_of : Timestamp
        Last day of data (period 0 ends on it).
    periods : int
        How many periods to keep (0 = latest).

    Returns
    -------
    DataFrame
        ``area_id, category, period, n`` (periods without incidents absent;
        incidents without an area at this level left out).
    """
    rows = daily[(daily["level"] == level) & daily["area_id"].notna()]
    period = block_codes(rows["day"], as_of, PERIOD_DAYS)
    keep = (period >= 0) & (period < periods)
    frame = pd.DataFrame(
        {
            "area_id": rows["area_id"].to_numpy()[keep],
            s.CATEGORY: rows[s.CATEGORY].to_numpy()[keep],
            "period": period[keep],
            "n": rows["n"].to_numpy()[keep],
        }
    )
    return frame.groupby(["area_id", s.CATEGORY, "period"], as_index=False)["n"].sum()


def recent_cells(
    incidents: pd.DataFrame, grid: Grid, level: str, as_of: pd.Timestamp
) -> pd.DataFrame:
    """The last 28 days' incidents with their area and grid cell id.

    Parameters
    ----------
    incidents : DataFrame
        ``x, y, occurred_at, category`` and ``area_<level>``.

    Returns
    -------
    DataFrame
        ``area_id, category, cell_id`` (``cell_id`` -1 when off the grid).
    """
    column = s.area_column(level)
    missing = [
        c
        for c in (s.X, s.Y, s.OCCURRED_AT, s.CATEGORY, column)
        if c not in incidents.columns
    ]
    if missing:
        raise ValueError(f"incidents is missing columns {missing}")
    recent = incidents[block_codes(incidents[s.OCCURRED_AT], as_of, PERIOD_DAYS) == 0]
    position = cell_of(grid, recent[s.X].to_numpy(), recent[s.Y].to_numpy())
    cell_id = np.where(position >= 0, grid.cell_id[np.maximum(position, 0)], -1)
    return pd.DataFrame(
        {
            "area_id": recent[column].astype(str).to_numpy(),
            s.CATEGORY: recent[s.CATEGORY].to_numpy(),
            "cell_id": cell_id,
        }
    )


def hotspot_concentration(
    recent: pd.DataFrame, hot_cells: pd.DataFrame, hot_bin: int = 2
) -> pd.DataFrame:
    """Share of each (area, category)'s recent incidents in significant hot cells.

    Parameters
    ----------
    recent : DataFrame
        ``area_id, category, cell_id`` for each incident of the last 28 days
        (``cell_id`` from :func:`geo.grid.cell_of`; -1 off the grid).
    hot_cells : DataFrame
        ``category, cell_id, gi_bin`` (the ``hotspot_cells`` table).
    hot_bin : int
        Minimum bin counted as hot (2 = 95% confidence after FDR).

    Returns
    -------
    DataFrame
        ``area_id, category, recent_n, hot_cells, hot_share``.
    """
    hot = hot_cells.loc[hot_cells["gi_bin"] >= hot_bin, [s.CATEGORY, "cell_id"]]
    flagged = recent.merge(
        hot.assign(_hot=True), on=[s.CATEGORY, "cell_id"], how="left"
    )
    flagged["_hot"] = flagged["_hot"].fillna(False).astype(bool)
    keys = ["area_id", s.CATEGORY]
    out = (
        flagged.groupby(keys)
        .agg(
            recent_n=("cell_id", "size"),
            hot_n=("_hot", "sum"),
        )
        .reset_index()
    )
    cells = flagged[flagged["_hot"]].groupby(keys)["cell_id"].nunique()
    cells = cells.rename("hot_cells")
    out = out.merge(cells, on=keys, how="left")
    out["hot_cells"] = out["hot_cells"].fillna(0).astype("int64")
    out["hot_share"] = out["hot_n"] / out["recent_n"]
    return out.drop(columns="hot_n")


def rank_problems(
    daily: pd.DataFrame,
    areas: pd.DataFrame,
    level: str,
    as_of: pd.Timestamp,
    concentration: pd.DataFrame | None = None,
    community: pd.DataFrame | None = None,
    settings: RankingSettings = RankingSettings(),
) -> pd.DataFrame:
    """Score every (area, category) of a level and say why (module docstring).

    Parameters
    ----------
    daily : DataFrame
        ``level, area_id, category, day, n`` (the store's ``daily_counts``).
    areas : DataFrame
        ``level, area_id, name, population, area_km2``.
    level : str
    as_of : Timestamp
        Last day of data.
    concentration : DataFrame, optional
        :func:`hotspot_concentration` output; without it the component is 0 and
        the reasons do not mention hot cells.
    community : DataFrame, optional
        ``area_id, category, priority`` (0-1; an optional ``level`` column is
        filtered on); empty or None means no watch-meeting input yet.
    settings : RankingSettings

    Returns
    -------
    DataFrame
        ``rank, level, area_id, name, category, score``, the six components,
        their inputs (``last28, prior28, p_trend, rate, harm_weight,
        hot_cells, hot_share, periods_above, baseline_mean``) and ``reason``.

    Raises
    ------
    ValueError
        A missing column, or an unknown ``volume_basis``.

    Example
    -------
    >>> rank_problems(daily, areas, "neighborhood", as_of).head(10)["reason"]
    """
    _check(daily, areas, settings)
    k, base = settings.persistence_periods, settings.baseline_periods
    counts = period_counts(daily, level, as_of, max(k + base, 2))
    table = counts.pivot_table(
        index=["area_id", s.CATEGORY],
        columns="period",
        values="n",
        aggfunc="sum",
        fill_value=0,
    )
    table = table.reindex(columns=range(max(k + base, 2)), fill_value=0)
    rows = table.reset_index()[["area_id", s.CATEGORY]]
    rows = rows[rows[s.CATEGORY].isin(s.CATEGORIES)].reset_index(drop=True)
    matrix = table.loc[list(zip(rows["area_id"], rows[s.CATEGORY], strict=True))]
    matrix = matrix.to_numpy(dtype="float64")
    rows = _with_areas(rows, areas, level)
    rows["last28"] = matrix[:, 0].astype("int64")
    rows["prior28"] = matrix[:, 1].astype("int64")
    baseline = matrix[:, k : k + base].mean(axis=1)
    rows["baseline_mean"] = baseline
    rows["periods_above"] = (matrix[:, :k] > baseline[:, None]).sum(axis=1)
    _add_components(rows, concentration, community, settings)
    weights = settings.weights
    rows["score"] = sum(getattr(weights, c) * rows[c] for c in COMPONENTS)
    rows = _order(rows)
    hot_known = concentration is not None  # else say nothing about hot cells
    rows["reason"] = [_reason(r, k, hot_known) for r in rows.itertuples(index=False)]
    return rows


def _check(daily: pd.DataFrame, areas: pd.DataFrame, settings: RankingSettings) -> None:
    for name, frame, needed in (
        ("daily", daily, ("level", "area_id", s.CATEGORY, "day", "n")),
        ("areas", areas, ("level", "area_id", "name", "population", "area_km2")),
    ):
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise ValueError(
                f"{name} is missing columns {missing}; expected {list(needed)}"
            )
    if settings.volume_basis not in ("per_km2", "per_1000"):
        raise ValueError(
            f'volume_basis was "{settings.volume_basis}" but is expected to be '
            '"per_km2" or "per_1000"'
        )


def _with_areas(rows: pd.DataFrame, areas: pd.DataFrame, level: str) -> pd.DataFrame:
    columns = ["area_id", "name", "population", "area_km2"]
    info = areas.loc[areas["level"] == level, columns]
    out = rows.merge(info.astype({"area_id": str}), on="area_id", how="left")
    return out.assign(level=level)


def _add_components(
    rows: pd.DataFrame,
    concentration: pd.DataFrame | None,
    community: pd.DataFrame | None,
    settings: RankingSettings,
) -> None:
    """Compute the six components (and their inputs) in place."""
    if settings.volume_basis == "per_km2":
        exposure = rows["area_km2"].where(rows["area_km2"] > 0)
        rows["rate"] = rows["last28"] / exposure
    else:
        exposure = rows["population"].where(rows["population"] > 0)
        rows["rate"] = rows["last28"] / exposure * 1000.0
    rows["harm_weight"] = rows[s.CATEGORY].map(dict(settings.harm)).fillna(0.0)
    rows["volume"] = _percentile(rows["rate"])
    rows["harm"] = _percentile(rows["rate"] * rows["harm_weight"])
    tests = [
        compare_counts(int(a), int(b), alpha=settings.trend_alpha)
        for a, b in zip(rows["last28"], rows["prior28"], strict=True)
    ]
    rows["p_trend"] = [t.p_value for t in tests]
    rows["trend_verdict"] = [t.verdict for t in tests]
    sign = np.array([{"up": 1.0, "down": -1.0}.get(t.verdict, 0.0) for t in tests])
    strength = np.clip(-np.log10(np.maximum(rows["p_trend"], 1e-300)) / 3.0, 0.0, 1.0)
    rows["trend"] = sign * strength + 0.0  # + 0.0 turns -0.0 into 0.0
    _merge_into(rows, concentration, ["hot_cells", "hot_share"], (0, 0.0))
    rows["hot_cells"] = rows["hot_cells"].astype("int64")
    rows["hotspot"] = rows["hot_share"]
    rows["persistence"] = rows["periods_above"] / settings.persistence_periods
    _merge_into(
        rows,
        _community(community, rows["level"].iloc[0] if len(rows) else ""),
        ["priority"],
        (0.0,),
    )
    rows["community"] = rows["priority"].clip(0.0, 1.0)


def _percentile(values: pd.Series) -> pd.Series:
    """Percentile rank (ties averaged) among positive values; 0 for zero or missing."""
    positive = values.where(values > 0)
    return positive.rank(method="average", pct=True).fillna(0.0)


def _merge_into(
    rows: pd.DataFrame,
    extra: pd.DataFrame | None,
    columns: list[str],
    defaults: tuple,
) -> None:
    keys = ["area_id", s.CATEGORY]
    if extra is None or extra.empty:
        for column, default in zip(columns, defaults, strict=True):
            rows[column] = default
        return
    merged = rows[keys].merge(
        extra[keys + columns].astype({"area_id": str}), on=keys, how="left"
    )
    for column, default in zip(columns, defaults, strict=True):
        rows[column] = merged[column].fillna(default).to_numpy()


def _community(community: pd.DataFrame | None, level: str) -> pd.DataFrame | None:
    if community is None or community.empty:
        return None
    if "level" in community.columns:
        community = community[community["level"] == level]
    return community.groupby(["area_id", s.CATEGORY], as_index=False)["priority"].max()


def _order(rows: pd.DataFrame) -> pd.DataFrame:
    taxonomy = {c: i for i, c in enumerate(s.CATEGORIES)}
    ordered = (
        rows.assign(_tax=rows[s.CATEGORY].map(taxonomy))
        .sort_values(
            ["score", "last28", "area_id", "_tax"],
            ascending=[False, False, True, True],
            kind="mergesort",
        )
        .drop(columns="_tax")
        .reset_index(drop=True)
    )
    ordered.insert(0, "rank", np.arange(1, len(ordered) + 1))
    return ordered


def _reason(row, k: int, hot_known: bool = True) -> str:
    """One sentence: counts and trend, hot cells, persistence, community."""
    area = (
        row.area_id
        if str(row.name) in ("", "nan", str(row.area_id))
        else (f"{row.area_id} ({row.name})")
    )
    trend = {"up": "significant rise", "down": "significant fall"}.get(
        row.trend_verdict, "no significant change"
    )
    parts = [
        f"{str(row.category).capitalize()} in {area}: {row.last28} in the last "
        f"28 days against {row.prior28} before ({trend})"
    ]
    if hot_known and row.hot_cells > 0:
        cells = "cell holds" if row.hot_cells == 1 else "cells hold"
        parts.append(
            f"{row.hot_cells} significant hot {cells} {row.hot_share:.0%} of them"
        )
    elif hot_known and row.last28 > 0:
        parts.append("none in a significant hot cell")
    parts.append(
        f"above its baseline in {row.periods_above} of the last {k} 28-day periods"
    )
    if row.community > 0:
        parts.append(f"watch-meeting priority {row.community:.1f}")
    return ", ".join(parts) + "."
