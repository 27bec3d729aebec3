"""The hotspot-method registry: one record per method, listed once.

The back-test (:mod:`pipelines.analysis.backtest`), the default-method choice
(:mod:`pipelines.analysis.method_choice`), the Method back-test page and the
Hotspots page all iterate over :func:`methods`; a method's key (the ``method``
column of the ``backtest`` table and the value of the Hotspots page's selector)
and its label are spelled here only.

Adding a method: the statistic as a module in ``geo/`` (arrays in, arrays
out, an explicit seed), then one :class:`HotspotMethod` entry, either in
``_BUILT_IN`` below or at run time with :func:`register_method`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

import numpy as np

from geo.density import kde_surface
from geo.grid import Grid
from geo.hotspots import gi_star

Forecast = tuple[np.ndarray, np.ndarray]
"""A method's score per cell (higher = more expected crime) and the counts per
cell it was fitted on (for RRI)."""


@dataclass(frozen=True)
class HistoryWindow:
    """What a method may use to forecast one month: only the months before it.

    Attributes
    ----------
    months : ndarray
        Incidents per (month, cell), oldest first, ``history_months`` rows; the
        last row is the month just before the scored one.
    grid : Grid
    weights : object
        Queen contiguity weights of the grid (:func:`geo.hotspots.grid_weights`).
    kde_bandwidths_m : tuple of float
        Fixed kernel bandwidths the back-test asks for (one variant each).
    seed : int
        The back-test's seed, for a method that draws random numbers.
    """

    months: np.ndarray
    grid: Grid
    weights: object
    kde_bandwidths_m: tuple[float, ...] = (100.0,)
    seed: int = 12345

    @cached_property
    def total(self) -> np.ndarray:
        """Incidents per cell over the whole window."""
        return self.months.sum(axis=0)


@dataclass(frozen=True)
class HotspotMethod:
    """One hotspot method: its name, how it forecasts and how the page shows it.

    Attributes
    ----------
    key : str
        Stable name (``backtest.method``, the Hotspots selector, the config's
        ``[backtest] methods``).
    label : str
        Readable name used on every page and in the README.
    score : callable, optional
        ``HistoryWindow -> {method name: Forecast}``; the name is ``key`` or,
        for a method with variants (one per KDE bandwidth), ``key_<variant>``.
        None: not back-tested (emerging hot spots need no forecast score).
    column : str, optional
        Column of the ``hotspot_cells`` layer the Hotspots page maps; None: not
        on that page (it is shown by :data:`DISPLAY_FALLBACK` instead).
    page_label : str
        Label in the Hotspots page's selector (defaults to ``label``).
    legend : str
        Map legend title.
    colours : mapping, optional
        Class label -> colour for a class map; None: a value map of ``column``.
    variant_label : callable, optional
        ``variant -> label`` for the names ``key_<variant>`` a method returns.
    """

    key: str
    label: str
    score: Callable[[HistoryWindow], dict[str, Forecast]] | None = None
    column: str | None = None
    page_label: str = ""
    legend: str = ""
    colours: Mapping[str, str] | None = None
    variant_label: Callable[[str], str] | None = field(default=None, compare=False)

    @property
    def on_page(self) -> bool:
        """Whether the Hotspots page can map this method."""
        return self.column is not None

    @property
    def selector_label(self) -> str:
        return self.page_label or self.label


def _naive(window: HistoryWindow) -> dict[str, Forecast]:
    last = window.months[-1]
    return {"naive_last_period": (last.astype("float64"), last)}


def _counts(window: HistoryWindow) -> dict[str, Forecast]:
    return {"counts_12m": (window.total.astype("float64"), window.total)}


def _gi_star(window: HistoryWindow) -> dict[str, Forecast]:
    history = window.total
    z = (
        gi_star(history, window.weights, permutations=0).z
        if history.any()
        else np.zeros(window.grid.n_cells)
    )
    return {"gi_star_12m": (np.nan_to_num(z, nan=-np.inf), history)}


def _kde(window: HistoryWindow) -> dict[str, Forecast]:
    return {
        f"kde_12m_{bandwidth:g}m": (
            kde_surface(window.grid, window.total, bandwidth).per_km2,
            window.total,
        )
        for bandwidth in window.kde_bandwidths_m
    }


def _kde_label(variant: str) -> str:
    bandwidth = variant.removesuffix("m")
    return f"kernel density ({bandwidth} m bandwidth) of the last 12 months"


# Diverging, colour-blind-safe (ColorBrewer-like RdBu written out by hand).
GI_COLOURS = MappingProxyType(
    {
        "hot 99%": "#b2182b",
        "hot 95%": "#ef8a62",
        "hot 90%": "#fddbc7",
        "cold 90%": "#d1e5f0",
        "cold 95%": "#67a9cf",
        "cold 99%": "#2166ac",
    }
)
EMERGING_COLOURS = MappingProxyType(
    {
        "new hot spot": "#67001f",
        "consecutive hot spot": "#b2182b",
        "intensifying hot spot": "#d6604d",
        "persistent hot spot": "#f4a582",
        "diminishing hot spot": "#fddbc7",
        "sporadic hot spot": "#e7298a",
        "oscillating hot spot": "#c994c7",
        "historical hot spot": "#bdbdbd",
        "new cold spot": "#053061",
        "consecutive cold spot": "#2166ac",
        "intensifying cold spot": "#4393c3",
        "persistent cold spot": "#92c5de",
        "diminishing cold spot": "#d1e5f0",
        "sporadic cold spot": "#35978f",
        "oscillating cold spot": "#80cdc1",
        "historical cold spot": "#d9d9d9",
    }
)

BASELINE = "naive_last_period"
FALLBACK = "gi_star_12m"
DISPLAY_FALLBACK = "counts_12m"

_BUILT_IN = (
    HotspotMethod(key=BASELINE, label="last month's counts (naive)", score=_naive),
    HotspotMethod(
        key="counts_12m",
        label="counts of the last 12 months",
        score=_counts,
        column="n",
        page_label="Counts in the last 12 months",
        legend="Incidents",
    ),
    HotspotMethod(
        key="gi_star_12m",
        label="Getis-Ord Gi* of the last 12 months",
        score=_gi_star,
        column="significance",
        page_label="Gi* hot and cold spots (significance after FDR)",
        legend="Gi* (FDR-corrected)",
        colours=GI_COLOURS,
    ),
    HotspotMethod(
        key="kde_12m",
        label="kernel density of the last 12 months",
        score=_kde,
        column="kde_per_km2",
        page_label="Kernel density",
        legend="Incidents per km²",
        variant_label=_kde_label,
    ),
    HotspotMethod(
        key="emerging_24m",
        label="emerging hot spots of the last 24 months",
        column="emerging",
        page_label="Emerging hot spots (24 months)",
        legend="Emerging hot spots",
        colours=EMERGING_COLOURS,
    ),
)
_REGISTRY: dict[str, HotspotMethod] = {m.key: m for m in _BUILT_IN}


def register_method(method: HotspotMethod, replace: bool = False) -> HotspotMethod:
    """Add a method to the registry (after the built-in ones).

    Raises
    ------
    ValueError
        The key is taken (pass ``replace=True`` to swap it) or would shadow a
        variant name of another method.
    """
    if method.key in _REGISTRY and not replace:
        raise ValueError(
            f"hotspot method {method.key!r} is already registered "
            f"({_REGISTRY[method.key].label}); choose another key or pass "
            "replace=True"
        )
    _REGISTRY[method.key] = method
    return method


def unregister_method(key: str) -> None:
    """Remove a registered method (tests and extensions; built-ins stay)."""
    if key in {m.key for m in _BUILT_IN}:
        raise ValueError(f"hotspot method {key!r} is built in and cannot be removed")
    _REGISTRY.pop(key, None)


def methods() -> tuple[HotspotMethod, ...]:
    """Every registered method, in display order."""
    return tuple(_REGISTRY.values())


def backtested_keys() -> tuple[str, ...]:
    """Keys of the methods the back-test scores, in order."""
    return tuple(m.key for m in _REGISTRY.values() if m.score is not None)


def page_methods() -> tuple[HotspotMethod, ...]:
    """Methods the Hotspots page can map, in order."""
    return tuple(m for m in _REGISTRY.values() if m.on_page)


def method_for(name: str) -> HotspotMethod | None:
    """The method behind a back-test name (a key or ``key_<variant>``)."""
    if name in _REGISTRY:
        return _REGISTRY[name]
    for method in _REGISTRY.values():
        if method.variant_label and name.startswith(method.key + "_"):
            return method
    return None


def method_order(name: str) -> tuple[int, float | str]:
    """Sort key: registry order, then the variant (numeric where it can be)."""
    method = method_for(name)
    if method is None:
        return len(_REGISTRY), name
    keys = list(_REGISTRY)
    variant = name.removeprefix(method.key).removeprefix("_")
    try:
        return keys.index(method.key), float(variant.removesuffix("m") or 0)
    except ValueError:
        return keys.index(method.key), 0.0


def method_label(name: str) -> str:
    """Readable label of a back-test name (``kde_12m_100m`` -> ``kernel density
    (100 m bandwidth) of the last 12 months``); unknown names come back as is."""
    method = method_for(name)
    if method is None:
        return name
    if name != method.key and method.variant_label:
        return method.variant_label(name.removeprefix(method.key + "_"))
    return method.label


def page_method_for(name: str) -> str:
    """Key of the Hotspots page's method that shows a back-test winner."""
    method = method_for(name)
    return method.key if method and method.on_page else DISPLAY_FALLBACK
