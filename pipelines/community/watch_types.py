"""What a watch-meeting report holds, and the plain words it uses for categories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import geopandas as gpd
import pandas as pd

from pipelines.analysis.coverage import DataSpan
from pipelines.community import public

Trend = Literal["up", "down", "same", "untested"]
"""``"untested"``: a window of the comparison is not inside the data."""


TREND_MARKERS: dict[str, str] = {"up": "▲", "down": "▼", "same": "●", "untested": "–"}


TREND_WORDS: dict[str, str] = {
    "up": "up: a clear rise",
    "down": "down: a clear fall",
    "same": "no clear change",
    "untested": "not compared (outside the data)",
}


PLAIN_WORDS: dict[str, str] = {
    "homicide": "Killings (homicide)",
    "robbery": "Robberies (theft by force or threat)",
    "aggravated assault": "Serious assaults",
    "simple assault": "Minor assaults",
    "burglary": "Break-ins (burglary)",
    "theft": "Thefts",
    "theft from vehicle": "Thefts from vehicles",
    "motor vehicle theft": "Stolen vehicles",
    "arson": "Deliberate fires (arson)",
    "vandalism": "Vandalism and damage",
    "drugs": "Drug offences",
    "weapons": "Weapons offences",
    "disorder": "Disorder and nuisance",
    "traffic": "Traffic offences",
    "fraud": "Fraud and scams",
    "other": "Other offences",
}


@dataclass(frozen=True)
class Problem:
    """One top problem: plain words, public counts and a trend marker."""

    category: str
    label: str
    last28_text: str
    prior28_text: str
    trend: Trend
    coverage: str = ""
    """Why the 28 days are not compared (``trend`` ``"untested"``), in words."""

    @property
    def marker(self) -> str:
        return TREND_MARKERS[self.trend]

    @property
    def sentence(self) -> str:
        if self.trend == "untested":
            return f"{self.last28_text} incidents in the last 28 days. {self.coverage}"
        return (
            f"{self.last28_text} incidents in the last 28 days, against "
            f"{self.prior28_text} incidents in the 28 days before: "
            f"{TREND_WORDS[self.trend]}."
        )


@dataclass(frozen=True)
class RaisedItem:
    """A concern raised at the last meeting and what the counts did since."""

    label: str
    status: str
    since: str


@dataclass(frozen=True)
class WatchReport:
    """Everything a public watch-meeting view shows, already public-safe."""

    level: str
    area_id: str
    area_name: str
    as_of: date
    k: int
    areas: gpd.GeoDataFrame
    map_window: tuple[date, date]
    problems: tuple[Problem, ...]
    monthly: pd.DataFrame
    last_meeting: date | None
    raised: tuple[RaisedItem, ...]
    suppressed: int
    complementary: int = 0
    span: DataSpan | None = None
    """The days the data cover (comparisons outside them are refused)."""

    @property
    def withheld(self) -> str:
        """The line saying what was withheld."""
        return public.withheld_note(
            self.k, self.suppressed, "figures", self.complementary
        )

    @property
    def total_text(self) -> str:
        """The area's 12-month total as shown (the map shows the same figure)."""
        row = self.areas.loc[self.areas["area_id"] == self.area_id]
        return str(row["n_text"].iloc[0]) if len(row) else ""

    @property
    def title(self) -> str:
        return f"{self.area_name}: {self.level} watch meeting"


def plain_words(category: str) -> str:
    """Plain-words name of a public category.

    Raises
    ------
    ValueError
        If ``category`` is sensitive (it must never be named) or unknown.

    Examples
    --------
    >>> plain_words("theft from vehicle")
    'Thefts from vehicles'
    """
    if not public.is_public_category(category) or category not in PLAIN_WORDS:
        raise ValueError(
            f"`category` was {category!r} but is expected to be a public category "
            f"in {sorted(PLAIN_WORDS)}"
        )
    return PLAIN_WORDS[category]
