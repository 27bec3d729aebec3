"""Which hotspot method the dashboard shows by default, and why, from the back-test."""

from __future__ import annotations

import pandas as pd

from pipelines.analysis.backtest import summarize_backtest
from pipelines.analysis.methods import BASELINE, FALLBACK, method_label

DEFAULT_COVERAGE = 0.05

__all__ = ["DEFAULT_COVERAGE", "choose_default_method", "method_label"]


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
    naive = rows[rows["method"] == BASELINE]
    versus = ""
    if len(naive) and best["method"] != BASELINE:
        versus = (
            f", against {naive['pai_mean'].iloc[0]:.2f} for "
            f"{method_label(BASELINE)}; "
            f"it beat them in {best['beats_naive']:.0%} of months"
        )
    sentence = (
        f"Default: {method_label(best['method'])}. Over the last "
        f"{int(best['periods'])} months it had the highest mean PAI at "
        f"{coverage:.0%} of the area for {category}: {best['pai_mean']:.2f} "
        f"(spread {best['pai_min']:.2f} to {best['pai_max']:.2f}){versus}."
    )
    return str(best["method"]), sentence
