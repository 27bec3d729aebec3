"""Which hotspot method the dashboard shows by default, and why, from the back-test."""

from __future__ import annotations

import pandas as pd

from pipelines.analysis.backtest import summarize_backtest

DEFAULT_COVERAGE = 0.05
FALLBACK = "gi_star_12m"
METHOD_NAMES = {
    "naive_last_period": "last month's counts (naive)",
    "counts_12m": "counts of the last 12 months",
    "gi_star_12m": "Getis-Ord Gi* of the last 12 months",
}


def method_label(method: str) -> str:
    """Readable method name (``kde_12m_100`` -> ``kernel density, 100 m, 12 months``)."""
    if method in METHOD_NAMES:
        return METHOD_NAMES[method]
    if method.startswith("kde"):
        bandwidth = method.rsplit("_", 1)[-1].removesuffix("m")
        return f"kernel density ({bandwidth} m bandwidth) of the last 12 months"
    return method


def choose_default_method(
    backtest: pd.DataFrame, category: str, coverage: float = DEFAULT_COVERAGE
) -> tuple[str, str]:
    """The method with the highest mean PAI at ``coverage`` for ``category``.

    Returns
    -------
    (method, sentence)
        The sentence says why, with the figures; without back-test rows the
        fallback is Gi* and the sentence says so.
    """
    if backtest.empty:
        return FALLBACK, "No back-test in the store: showing Gi* hot spots."
    summary = summarize_backtest(backtest)
    rows = summary[
        (summary["category"] == category)
        & (summary["coverage"].round(4) == round(coverage, 4))
    ]
    if rows.empty:
        return FALLBACK, f"No back-test for {category}: showing Gi* hot spots."
    best = rows.sort_values(["pai_mean", "method"], ascending=[False, True]).iloc[0]
    naive = rows[rows["method"] == "naive_last_period"]
    versus = ""
    if len(naive) and best["method"] != "naive_last_period":
        versus = (
            f", against {naive['pai_mean'].iloc[0]:.2f} for last month's counts; "
            f"it beat them in {best['beats_naive']:.0%} of months"
        )
    sentence = (
        f"Default: {method_label(best['method'])}. Over the last {int(best['periods'])} "
        f"months it had the highest mean PAI at {coverage:.0%} of the area for "
        f"{category}: {best['pai_mean']:.2f} (spread {best['pai_min']:.2f} to "
        f"{best['pai_max']:.2f}){versus}."
    )
    return str(best["method"]), sentence
