"""Harm weights per offense category, for harm-weighted counts and rankings.

The defaults loosely follow the Cambridge Crime Harm Index (Sherman, Neyroud
and Neyroud 2016, Policing 10(3)), which weights an offense by the days of
imprisonment a sentencing guideline gives a first offender as its starting
point. Our 18 categories are broader than the guideline offenses, so the values
are rounded, illustrative magnitudes in "days", not a published table. They
keep the ordering that matters for ranking (a homicide outweighs years of
disorder; a robbery outweighs many thefts). A department should set its own,
e.g. from its state's sentencing guidelines, in the config file; every weight
can be overridden (:func:`pipelines.analysis_settings.harm_weights`, where the
defaults :data:`~pipelines.analysis_settings.DEFAULT_HARM_WEIGHTS` live).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd


def harm_of(categories: pd.Series, weights: Mapping[str, float]) -> pd.Series:
    """Harm weight of each row's category (0 for categories without a weight)."""
    return categories.map(dict(weights)).fillna(0.0).astype("float64")
