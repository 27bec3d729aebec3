"""Harm weights per offense category, for harm-weighted counts and rankings.

The defaults loosely follow the Cambridge Crime Harm Index (Sherman, Neyroud
and Neyroud 2016, Policing 10(3)), which weights an offense by the days of
imprisonment a sentencing guideline gives a first offender as its starting
point. Our 18 categories are broader than the guideline offenses, so the values
are rounded, illustrative magnitudes in "days", not a published table. They
keep the ordering that matters for ranking (a homicide outweighs years of
disorder; a robbery outweighs many thefts). A department should set its own,
e.g. from its state's sentencing guidelines, in the config file; every weight
can be overridden (:func:`harm_weights`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from pipelines import schema as s

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


def harm_of(categories: pd.Series, weights: Mapping[str, float]) -> pd.Series:
    """Harm weight of each row's category (0 for categories without a weight)."""
    return categories.map(dict(weights)).fillna(0.0).astype("float64")
