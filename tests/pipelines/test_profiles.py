"""Area profiles from daily counts (pipelines/analysis/refresh/profiles.py), checked by hand.

With as_of = 2019-03-31 the windows are (inclusive):
last28 = 2019-03-04..03-31, prior28 = 2019-02-04..03-03, ytd = 2019-01-01..03-31,
prior_ytd = 2018-01-01..03-31 (90 days each, so the ytd exposure ratio is 1) and
last365 = 2018-04-01..2019-03-31. Incidents sit on both sides of every edge.

With equal exposures the exact test is a fair-coin binomial, so p-values are
``2 * P(X >= max(k, n - k))`` for X ~ Binomial(n, 1/2), written out with math.comb.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.rates import test_poisson_2indep as poisson_2indep

from pipelines.analysis.profiles import (
    Windows,
    align_prior_year,
    build_profiles,
    compare_categories,
    profile_sentences,
    summarize_areas,
)

T = pd.Timestamp
AS_OF = T(2019, 3, 31)


def fair_coin_p(k: int, n: int) -> float:
    """Two-sided exact binomial p-value for k of n with p = 1/2."""
    if n == 0 or 2 * k == n:
        return 1.0
    tail = sum(math.comb(n, j) for j in range(max(k, n - k), n + 1))
    return min(1.0, 2 * tail / 2**n)


# (area, category, day, n) with the windows each day falls in.
DAILY = [
    ("1", "theft", "2019-03-31", 2),  # last28, ytd, last365
    ("1", "theft", "2019-03-04", 3),  # first day of last28
    ("1", "theft", "2019-03-03", 1),  # last day of prior28
    ("1", "theft", "2019-02-04", 1),  # first day of prior28
    ("1", "theft", "2019-02-03", 4),  # ytd and last365 only
    ("1", "theft", "2019-01-01", 1),  # first day of ytd
    ("1", "theft", "2018-12-31", 5),  # last365 only
    ("1", "theft", "2018-04-01", 1),  # first day of last365, after prior_ytd
    ("1", "theft", "2018-03-31", 2),  # last day of prior_ytd, before last365
    ("1", "theft", "2018-01-01", 1),  # first day of prior_ytd
    ("1", "theft", "2017-12-31", 7),  # in no window
    ("1", "theft", "2019-04-01", 9),  # after as_of: in no window
    ("1", "robbery", "2019-03-10", 1),
    ("1", "robbery", "2018-02-15", 2),
    ("2", "theft", "2019-03-20", 4),
]


def daily_frame(rows=DAILY) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "level": "neighborhood",
            "area_id": [r[0] for r in rows],
            "category": [r[1] for r in rows],
            "day": pd.to_datetime([r[2] for r in rows]),
            "n": [r[3] for r in rows],
        }
    )


AREAS = pd.DataFrame(
    {
        "level": "neighborhood",
        "area_id": ["1", "2", "3"],
        "name": ["One", "Two", "Three"],
        "population": [2000, 0, 500],
        "area_km2": [4.0, 0.5, 0.0],
    }
)


@pytest.fixture(scope="module")
def profiles() -> pd.DataFrame:
    out = build_profiles(daily_frame(), AREAS, AS_OF)
    return out.set_index(["area_id", "category"])


# --- windows ---


def test_windows_for_end_of_march_2019():
    w = Windows(AS_OF)
    assert w.last28 == (T(2019, 3, 4), T(2019, 3, 31))
    assert w.prior28 == (T(2019, 2, 4), T(2019, 3, 3))
    assert w.ytd == (T(2019, 1, 1), T(2019, 3, 31))
    assert w.prior_ytd == (T(2018, 1, 1), T(2018, 3, 31))
    assert w.last365 == (T(2018, 4, 1), T(2019, 3, 31))


def test_prior_ytd_of_leap_day_ends_on_28_february():
    assert Windows(T(2020, 2, 29)).prior_ytd == (T(2019, 1, 1), T(2019, 2, 28))


# --- build_profiles ---


def test_every_area_gets_a_row_per_category_and_all(profiles):
    assert sorted(profiles.index) == sorted(
        (a, c) for a in ("1", "2", "3") for c in ("all", "robbery", "theft")
    )
    assert set(profiles["as_of"]) == {AS_OF}


@pytest.mark.parametrize(
    ("area", "category", "expected"),
    [
        # last28, prior28, ytd, prior_ytd, last365 - summed by hand from DAILY
        ("1", "theft", (5, 2, 12, 3, 18)),
        ("1", "robbery", (1, 0, 1, 2, 1)),
        ("1", "all", (6, 2, 13, 5, 19)),
        ("2", "theft", (4, 0, 4, 0, 4)),
        ("2", "all", (4, 0, 4, 0, 4)),
        ("2", "robbery", (0, 0, 0, 0, 0)),
        ("3", "all", (0, 0, 0, 0, 0)),
    ],
)
def test_window_counts_match_hand_sums(profiles, area, category, expected):
    row = profiles.loc[(area, category)]
    got = tuple(
        int(row[c]) for c in ("last28", "prior28", "ytd", "prior_ytd", "last365")
    )
    assert got == expected


@pytest.mark.parametrize(
    ("area", "category", "p_28d", "p_ytd"),
    [
        ("1", "theft", fair_coin_p(5, 7), fair_coin_p(12, 15)),
        ("1", "all", fair_coin_p(6, 8), fair_coin_p(13, 18)),
        ("1", "robbery", 1.0, 1.0),  # 1 vs 0; 1 vs 2
        ("2", "theft", 2 * 0.5**4, 2 * 0.5**4),
        ("3", "all", 1.0, 1.0),
    ],
)
def test_p_values_are_the_exact_test_of_the_window_counts(
    profiles, area, category, p_28d, p_ytd
):
    row = profiles.loc[(area, category)]
    assert row["p_28d"] == pytest.approx(p_28d)
    assert row["p_ytd"] == pytest.approx(p_ytd)


def test_hand_p_values_worked_out():
    # Spot-check the formula: 12 of 15 -> 2 * (455 + 105 + 15 + 1) / 2**15.
    assert fair_coin_p(12, 15) == pytest.approx(1152 / 32768)
    assert fair_coin_p(5, 7) == pytest.approx(58 / 128)


def test_verdicts_follow_the_p_values(profiles):
    assert profiles.loc[("1", "theft"), "verdict_ytd"] == "up"  # p = 0.035
    assert profiles.loc[("1", "theft"), "verdict_28d"] == "no significant change"
    assert profiles.loc[("1", "all"), "verdict_ytd"] == "no significant change"
    assert profiles.loc[("3", "all"), "verdict_28d"] == "no significant change"


def test_rates_per_1000_residents_and_per_km2(profiles):
    assert profiles.loc[("1", "theft"), "rate_per_1000"] == pytest.approx(
        18 / 2000 * 1000
    )
    assert profiles.loc[("1", "all"), "rate_per_1000"] == pytest.approx(9.5)
    assert profiles.loc[("1", "all"), "per_km2"] == pytest.approx(19 / 4.0)
    assert profiles.loc[("1", "robbery"), "per_km2"] == pytest.approx(0.25)
    assert profiles.loc[("3", "all"), "rate_per_1000"] == 0.0


def test_zero_population_gives_nan_rate_but_a_density(profiles):
    assert np.isnan(profiles.loc[("2", "theft"), "rate_per_1000"])
    assert profiles.loc[("2", "theft"), "per_km2"] == pytest.approx(4 / 0.5)


def test_zero_area_gives_nan_density(profiles):
    assert np.isnan(profiles.loc[("3", "all"), "per_km2"])


def test_as_of_with_a_time_of_day_uses_the_whole_day():
    out = build_profiles(daily_frame(), AREAS, T(2019, 3, 31, 15, 30))
    row = out.set_index(["area_id", "category"]).loc[("1", "theft")]
    assert (row["last28"], row["ytd"]) == (5, 12)
    assert row["as_of"] == AS_OF


def test_leap_year_ytd_uses_the_exposure_ratio():
    # 2020-01-01..03-31 is 91 days against 90 in 2019: exposure ratio 91/90.
    rows = [("1", "theft", "2020-02-10", 30), ("1", "theft", "2019-02-10", 18)]
    out = build_profiles(daily_frame(rows), AREAS, T(2020, 3, 31))
    row = out.set_index(["area_id", "category"]).loc[("1", "theft")]
    expected = poisson_2indep(30, 91, 18, 90, method="exact-cond").pvalue
    assert (row["ytd"], row["prior_ytd"]) == (30, 18)
    assert row["p_ytd"] == pytest.approx(float(expected), rel=1e-9)


def test_no_incidents_still_gives_all_rows_of_zeros():
    out = build_profiles(daily_frame([]), AREAS, AS_OF)
    assert out["area_id"].tolist() == ["1", "2", "3"]
    assert set(out["category"]) == {"all"}
    assert (out[["last28", "prior28", "ytd", "prior_ytd", "last365"]] == 0).all().all()


# --- summarize_areas ---


def test_summarize_areas_rates_zero_fill_and_order():
    areas = pd.DataFrame(
        {
            "area_id": ["B", "A", "C"],
            "name": ["Bee", "Ay", "Cee"],
            "population": [0, 1000, 4000],
            "area_km2": [1.0, 2.0, 0.0],
        }
    )
    counts = pd.DataFrame({"area_id": ["C", "A"], "n": [5, 5]})
    out = summarize_areas(areas, counts, days=28)
    # n descending, ties by area_id: A (5), C (5), B (0, not in counts).
    assert out["area_id"].tolist() == ["A", "C", "B"]
    assert out["n"].tolist() == [5, 5, 0]
    assert out["n"].dtype == "int64"
    np.testing.assert_allclose(out["rate_per_1000"], [5.0, 1.25, np.nan])
    np.testing.assert_allclose(out["per_km2"], [2.5, np.nan, 0.0])
    assert out.attrs["days"] == 28
    assert {
        "area_id",
        "name",
        "n",
        "rate_per_1000",
        "per_km2",
        "population",
        "area_km2",
    } == set(out.columns)


# --- compare_categories ---


def test_compare_categories_taxonomy_order_zero_fill_and_all_row():
    current = pd.DataFrame({"category": ["theft", "robbery"], "n": [12, 3]})
    previous = pd.DataFrame({"category": ["burglary", "theft"], "n": [2, 2]})
    out = compare_categories(current, previous)
    # Taxonomy order: robbery, burglary, theft; then the total.
    assert out["category"].tolist() == ["robbery", "burglary", "theft", "all"]
    assert out["n"].tolist() == [3, 0, 12, 15]
    assert out["previous"].tolist() == [0, 2, 2, 4]
    assert out["change"].tolist() == [3, -2, 10, 11]
    assert out["n"].dtype == "int64" and out["previous"].dtype == "int64"
    expected_p = [2 * 0.5**3, 2 * 0.5**2, fair_coin_p(12, 14), fair_coin_p(15, 19)]
    np.testing.assert_allclose(out["p_value"], expected_p)
    assert fair_coin_p(12, 14) == pytest.approx(212 / 16384)  # < 0.05
    assert fair_coin_p(15, 19) == pytest.approx(10072 / 524288)  # < 0.05
    assert out["verdict"].tolist() == [
        "no significant change",
        "no significant change",
        "up",
        "up",
    ]


def test_all_row_is_the_sum_of_the_category_rows():
    current = pd.DataFrame({"category": ["drugs", "arson", "fraud"], "n": [4, 1, 7]})
    previous = pd.DataFrame({"category": ["drugs", "homicide"], "n": [9, 1]})
    out = compare_categories(current, previous).set_index("category")
    body = out.drop(index="all")
    assert out.loc["all", "n"] == body["n"].sum() == 12
    assert out.loc["all", "previous"] == body["previous"].sum() == 10


# --- align_prior_year ---


def test_align_prior_year_fills_missing_weeks_and_shifts_364_days():
    this_year = pd.DataFrame(
        {"week": pd.to_datetime(["2019-03-11", "2019-03-25"]), "n": [5, 2]}
    )
    prior = pd.DataFrame(
        {
            # 2018-03-05 + 364 days = 2019-03-04 (both Mondays); 2018-02-26 falls
            # before the chart and is dropped.
            "week": pd.to_datetime(["2018-02-26", "2018-03-05", "2018-03-19"]),
            "n": [8, 3, 7],
        }
    )
    # Start on a Wednesday: the chart begins on that week's Monday, 2019-03-04.
    out = align_prior_year(this_year, prior, "2019-03-06", "2019-03-31")
    weeks = list(
        pd.to_datetime(["2019-03-04", "2019-03-11", "2019-03-18", "2019-03-25"])
    )
    now = out[out["series"] == "selected period"]
    before = out[out["series"] == "a year earlier"]
    assert list(now["week"]) == weeks and list(before["week"]) == weeks
    assert now["n"].tolist() == [0, 5, 0, 2]
    assert before["n"].tolist() == [3, 0, 7, 0]
    assert len(out) == 8


# --- profile_sentences ---


def test_profile_sentences_in_words(profiles):
    area = profiles.loc["1"].reset_index()
    sentences = profile_sentences(area, ("all", "homicide"))
    assert sentences == [
        "All crimes: 6 in the 28 days to 31 Mar 2019 against 2 in the 28 days "
        "before: within normal variation (exact Poisson test, p = 0.29).",
        "All crimes: 13 this year to 31 Mar against 5 in the same part of 2018: "
        "within normal variation (exact Poisson test, p = 0.10).",
        "Homicide: none recorded.",
    ]


def test_profile_sentences_for_area_without_profile():
    assert profile_sentences(pd.DataFrame()) == [
        "No profile for this area (no incidents in the store)."
    ]
