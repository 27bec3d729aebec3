"""Typed analysis settings: ``[hotspots]``, ``[rankings]``, ``[harm]`` and
``[backtest]`` of the department config, parsed once by
:func:`pipelines.settings.load_settings`.

The frozen dataclasses live here, in the core, so that the settings module does
not import the analysis room; the algorithms that take them stay in
:mod:`pipelines.analysis` (hotspots, rankings, harm, backtest).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from pipelines import schema as s
from pipelines import validate
from pipelines.errors import ConfigError

DEFAULT_HARM_WEIGHTS: dict[str, float] = {
    "homicide": 5475.0,
    "sex offense": 1825.0,
    "robbery": 365.0,
    "aggravated assault": 365.0,
    "simple assault": 10.0,
    "burglary": 40.0,
    "theft": 5.0,
    "theft from vehicle": 5.0,
    "motor vehicle theft": 20.0,
    "arson": 365.0,
    "vandalism": 2.0,
    "drugs": 10.0,
    "weapons": 90.0,
    "disorder": 1.0,
    "domestic": 30.0,
    "traffic": 1.0,
    "fraud": 10.0,
    "other": 1.0,
}
"""Harm weight per category, in "days" (see :mod:`pipelines.analysis.harm`)."""

BACKTEST_CATEGORIES = (s.ALL_CATEGORIES, "burglary", "robbery", "motor vehicle theft")
"""The categories a build back-tests when ``[backtest] categories`` is absent."""


def harm_weights(overrides: Mapping[str, float] | None = None) -> dict[str, float]:
    """The default weights with ``overrides`` applied (e.g. from the config file).

    Raises
    ------
    ValueError
        An override names a category outside the taxonomy or is negative.

    Example
    -------
    >>> harm_weights({"burglary": 60})["burglary"]
    60.0
    """
    weights = dict(DEFAULT_HARM_WEIGHTS)
    for category, value in (overrides or {}).items():
        if category not in s.CATEGORIES:
            raise ValueError(
                f'harm weight given for "{category}", which is not a category; '
                f"expected one of {list(s.CATEGORIES)}"
            )
        value = float(value)
        if not np.isfinite(value) or value < 0:
            raise ValueError(f'harm weight of "{category}" must be >= 0, got {value}')
        weights[category] = value
    return weights


@dataclass(frozen=True)
class HotspotSettings:
    """How the hotspot cells are computed.

    ``cell_size_m`` is for the build's grid. The defaults of 150 m cells and a
    100 m kernel follow the St. Louis 2015-2019 back-test
    (:mod:`pipelines.analysis.backtest`): at 150 m, kernels of 75-100 m
    forecast about as well as the 12-month counts, wider ones markedly worse.

    ``permutations`` apply to the all-crimes map only (esda's permutation
    p-values cost ~0.7 s per map on 7,000 cells and do not drive significance);
    the per-category maps use ``category_permutations``. The emerging hot spot
    analysis (one Gi* per month) runs for ``emerging_categories`` only: about
    0.3 s each on 7,000 cells and 24 months.
    """

    cell_size_m: float = 150.0
    window_days: int = 365
    permutations: int = 999
    category_permutations: int = 0
    seed: int = 12345
    kde_bandwidth_m: float = 100.0
    kde_edge_correct: bool = False
    emerging_months: int = 24
    emerging_categories: tuple[str, ...] = (s.ALL_CATEGORIES,)
    emerging_alpha: float = 0.05
    trend_alpha: float = 0.05
    min_incidents: int = 20


@dataclass(frozen=True)
class RankingWeights:
    """Weight of each component in the score (the config file can override)."""

    volume: float = 1.0
    harm: float = 1.0
    trend: float = 1.0
    hotspot: float = 0.5
    persistence: float = 1.0
    community: float = 1.0


@dataclass(frozen=True)
class RankingSettings:
    """How the components are computed; ``harm`` maps category -> weight."""

    weights: RankingWeights = RankingWeights()
    volume_basis: Literal["per_km2", "per_1000"] = "per_km2"
    persistence_periods: int = 6
    baseline_periods: int = 13
    trend_alpha: float = 0.05
    hot_bin: int = 2
    harm: tuple[tuple[str, float], ...] = tuple(DEFAULT_HARM_WEIGHTS.items())


@dataclass(frozen=True)
class BacktestSettings:
    """What the back-test runs; the seed fixes the tie-breaking order of cells.

    ``methods`` None: every back-tested method of the registry
    (:mod:`pipelines.analysis.methods`) at the time the back-test runs, so a
    method registered after the settings were loaded is scored too.
    """

    periods: int = 24
    history_months: int = 12
    coverages: tuple[float, ...] = (0.01, 0.05, 0.10)
    methods: tuple[str, ...] | None = None
    categories: tuple[str, ...] = (s.ALL_CATEGORIES,)
    kde_bandwidths_m: tuple[float, ...] = (100.0,)
    seed: int = 12345


@dataclass(frozen=True)
class AnalysisSettings:
    """The typed analysis sections of one config file.

    ``backtest`` is None when ``[backtest] enabled = false``;
    ``backtest_periods_fixed``: the file sets ``[backtest] periods`` (the build
    then does not shorten the back-test to fit the data).
    """

    hotspots: HotspotSettings = HotspotSettings()
    rankings: RankingSettings = RankingSettings()
    backtest: BacktestSettings | None = field(
        default_factory=lambda: BacktestSettings(categories=BACKTEST_CATEGORIES)
    )
    backtest_periods_fixed: bool = False


def parse_analysis_settings(doc: dict, path: Path) -> AnalysisSettings:
    """Config sections -> the typed settings, naming an unknown key as an error.

    Parameters
    ----------
    doc : dict
        The parsed config file.
    path : Path
        The config file (named in the messages).

    Raises
    ------
    ConfigError
        On an unknown key or category, or a value of the wrong type.

    Example
    -------
    >>> doc = {"hotspots": {"cell_size_m": 200}}
    >>> parse_analysis_settings(doc, Path("c.toml")).hotspots.cell_size_m
    200
    """
    hot = validate.like_defaults(
        HotspotSettings, _table(doc, "hotspots", path), path, "[hotspots]"
    )
    rankings = _table(doc, "rankings", path)
    weights = validate.like_defaults(
        RankingWeights,
        _table(rankings, "weights", path, "[rankings.weights]"),
        path,
        "[rankings.weights]",
    )
    rank = RankingSettings(weights=weights, harm=_harm(doc, path))
    back_config = dict(_table(doc, "backtest", path))
    enabled = back_config.pop("enabled", True)
    back_config.setdefault("categories", list(BACKTEST_CATEGORIES))
    back = (
        validate.like_defaults(BacktestSettings, back_config, path, "[backtest]")
        if enabled
        else None
    )
    return AnalysisSettings(
        hotspots=hot,
        rankings=rank,
        backtest=back,
        backtest_periods_fixed="periods" in back_config,
    )


def _table(doc: dict, key: str, path: Path, where: str | None = None) -> dict:
    """``doc[key]`` (empty when absent), which must be a table."""
    return validate.table(
        doc.get(key, {}), path, where or f"[{key}]", "a table of settings"
    )


def _harm(doc: dict, path: Path) -> tuple[tuple[str, float], ...]:
    """``[harm]``: category -> weight, over the defaults."""
    section = _table(doc, "harm", path)
    given = {str(k): validate.number(section, k, 0, "[harm]", path) for k in section}
    unknown = sorted(set(given) - set(s.CATEGORIES))
    if unknown:
        raise ConfigError(
            f"{path}: [harm] has unknown categories {unknown}; expected some of "
            f"{list(s.CATEGORIES)}"
        )
    try:
        return tuple(harm_weights(given).items())
    except ValueError as exc:
        raise ConfigError(
            f"{path}: [harm] {exc}; set a weight of 0 or more (in days)"
        ) from exc
