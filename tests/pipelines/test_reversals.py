"""Netting reversal rows against their originals (pipelines/ingest/normalize/reversals.py).

The rule under test (module docstring): a -1 row cancels one +1 row with the same
source, incident id and offense code reported in the same or an earlier month,
namely the most recent such row not yet cancelled. A -1 row with no such
original is unmatched. Counted + netted + unmatched rows = input rows.
"""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines import schema as s
from pipelines.ingest.reversals import NETTED_ROLE, net_reversals


def staged(*rows: tuple) -> pd.DataFrame:
    """Rows of (count, reported 'YYYY-MM[-DD]', line[, code[, incident[, source]]])."""
    records = []
    for r in rows:
        count, reported, line, *rest = r
        code = rest[0] if len(rest) > 0 else "31111"
        incident = rest[1] if len(rest) > 1 else "19-000001"
        source = rest[2] if len(rest) > 2 else "slmpd"
        if len(reported) == 7:
            reported += "-01"
        records.append(
            {
                s.SOURCE: source,
                s.INCIDENT_ID: incident,
                s.OFFENSE_CODE: code,
                s.REPORTED_AT: pd.Timestamp(reported),
                s.FILE: "export.csv",
                s.LINE: line,
                s.COUNT: count,
            }
        )
    return pd.DataFrame(records)


def lines(frame: pd.DataFrame) -> list[int]:
    return sorted(frame[s.LINE].tolist())


def roles(frame: pd.DataFrame) -> dict[int, str]:
    return dict(zip(frame[s.LINE], frame[NETTED_ROLE], strict=True))


def test_original_then_later_reversal_are_both_netted():
    result = net_reversals(staged((1, "2019-01", 2), (-1, "2019-03", 3)))
    assert result.counted.empty
    assert result.unmatched.empty
    assert roles(result.netted) == {2: "cancelled", 3: "reversal"}


def test_reversal_in_month_before_its_original_is_unmatched():
    result = net_reversals(staged((-1, "2019-01", 2), (1, "2019-03", 3)))
    assert lines(result.unmatched) == [2]
    assert lines(result.counted) == [3]
    assert result.netted.empty


def test_one_reversal_of_two_originals_cancels_the_later_one():
    result = net_reversals(
        staged((1, "2019-01", 2), (1, "2019-02", 3), (-1, "2019-03", 4))
    )
    assert lines(result.counted) == [2]
    assert roles(result.netted) == {3: "cancelled", 4: "reversal"}
    assert result.unmatched.empty


def test_later_line_is_the_more_recent_original_within_a_month():
    result = net_reversals(
        staged((1, "2019-02", 7), (1, "2019-02", 5), (-1, "2019-03", 2))
    )
    assert lines(result.counted) == [5]
    assert roles(result.netted) == {7: "cancelled", 2: "reversal"}


def test_original_after_the_reversal_month_is_not_cancelled():
    # Jan +1, Feb -1, Mar +1: the Feb reversal can only take the Jan original.
    result = net_reversals(
        staged((1, "2019-01", 2), (-1, "2019-02", 3), (1, "2019-03", 4))
    )
    assert lines(result.counted) == [4]
    assert roles(result.netted) == {2: "cancelled", 3: "reversal"}


def test_same_month_reversal_listed_before_its_original_matches():
    result = net_reversals(staged((-1, "2019-03", 2), (1, "2019-03", 5)))
    assert result.counted.empty
    assert result.unmatched.empty
    assert roles(result.netted) == {5: "cancelled", 2: "reversal"}


def test_same_month_original_reported_later_in_the_month_matches():
    result = net_reversals(staged((-1, "2019-03-01", 2), (1, "2019-03-20", 5)))
    assert roles(result.netted) == {5: "cancelled", 2: "reversal"}


def test_reclassification_counts_the_new_code_only():
    # Jan: reported as 31111; Mar: reversed and re-reported as 41021.
    result = net_reversals(
        staged(
            (1, "2019-01", 2, "31111"),
            (-1, "2019-03", 3, "31111"),
            (1, "2019-03", 4, "41021"),
        )
    )
    assert lines(result.counted) == [4]
    assert result.counted[s.OFFENSE_CODE].tolist() == ["41021"]
    assert roles(result.netted) == {2: "cancelled", 3: "reversal"}
    assert result.unmatched.empty


def test_reversal_without_any_original_is_unmatched():
    result = net_reversals(staged((-1, "2019-03", 2)))
    assert lines(result.unmatched) == [2]
    assert result.counted.empty
    assert result.netted.empty


def test_reversal_does_not_cancel_another_code_incident_or_source():
    result = net_reversals(
        staged(
            (1, "2019-01", 2, "31111", "19-1", "slmpd"),
            (-1, "2019-02", 3, "31112", "19-1", "slmpd"),  # other code
            (-1, "2019-02", 4, "31111", "19-2", "slmpd"),  # other incident
            (-1, "2019-02", 5, "31111", "19-1", "other"),  # other source
        )
    )
    assert lines(result.counted) == [2]
    assert lines(result.unmatched) == [3, 4, 5]
    assert result.netted.empty


def test_second_reversal_of_a_single_original_is_unmatched():
    result = net_reversals(
        staged((1, "2019-01", 2), (-1, "2019-02", 3), (-1, "2019-03", 4))
    )
    assert result.counted.empty
    assert roles(result.netted) == {2: "cancelled", 3: "reversal"}
    assert lines(result.unmatched) == [4]


def test_no_reversals_counts_every_row():
    rows = staged((1, "2019-01", 2), (1, "2019-01", 3, "64701"))
    result = net_reversals(rows)
    pd.testing.assert_frame_equal(result.counted, rows)
    assert result.netted.empty and NETTED_ROLE in result.netted.columns
    assert result.unmatched.empty


def test_outputs_keep_the_input_columns_and_index():
    rows = staged((1, "2019-01", 2), (1, "2019-02", 3), (-1, "2019-03", 4))
    rows.index = [10, 20, 30]
    result = net_reversals(rows)
    assert list(result.counted.columns) == list(rows.columns)
    assert list(result.unmatched.columns) == list(rows.columns)
    assert list(result.netted.columns) == [*rows.columns, NETTED_ROLE]
    assert result.counted.index.tolist() == [10]
    assert sorted(result.netted.index.tolist()) == [20, 30]


# --- properties ---


def reference_netting(rows: pd.DataFrame) -> tuple[set, dict, set]:
    """The docstring's rule written out plainly (quadratic, per key group)."""
    counted, netted, unmatched = set(), {}, set()
    order = [s.REPORTED_AT, s.FILE, s.LINE]
    for _, group in rows.groupby([s.SOURCE, s.INCIDENT_ID, s.OFFENSE_CODE]):
        group = group.sort_values(order)
        records = list(group.itertuples(index=False))
        cancelled: set = set()
        for neg in (r for r in records if r.count == -1):
            month = neg.reported_at.to_period("M")
            open_originals = [
                r
                for r in records
                if r.count == 1
                and r.reported_at.to_period("M") <= month
                and r.line not in cancelled
            ]
            if open_originals:
                latest = open_originals[-1]  # records are in reporting order
                cancelled.add(latest.line)
                netted[latest.line] = "cancelled"
                netted[neg.line] = "reversal"
            else:
                unmatched.add(neg.line)
        counted |= {r.line for r in records if r.count == 1} - cancelled
    return counted, netted, unmatched


row_strategy = st.tuples(
    st.sampled_from([1, 1, -1]),
    st.sampled_from(["2019-01-01", "2019-01-15", "2019-02-01", "2019-03-01"]),
    st.sampled_from(["31111", "64701"]),
    st.sampled_from(["19-1", "19-2"]),
    st.sampled_from(["a.csv", "b.csv"]),
)


def random_rows(specs) -> pd.DataFrame:
    return pd.DataFrame(
        {
            s.SOURCE: "slmpd",
            s.INCIDENT_ID: [spec[3] for spec in specs],
            s.OFFENSE_CODE: [spec[2] for spec in specs],
            s.REPORTED_AT: pd.to_datetime([spec[1] for spec in specs]),
            s.FILE: [spec[4] for spec in specs],
            s.LINE: range(2, len(specs) + 2),  # unique: identifies each row
            s.COUNT: [spec[0] for spec in specs],
        }
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(row_strategy, min_size=1, max_size=25))
def test_counted_netted_unmatched_partition_the_input(specs):
    rows = random_rows(specs)
    result = net_reversals(rows)
    parts = [result.counted, result.netted, result.unmatched]
    assert sum(len(p) for p in parts) == len(rows)
    assert sorted(sum((p[s.LINE].tolist() for p in parts), [])) == rows[s.LINE].tolist()
    assert (result.counted[s.COUNT] == 1).all()
    assert (result.unmatched[s.COUNT] == -1).all()
    role_counts = result.netted[NETTED_ROLE].value_counts()
    assert role_counts.get("cancelled", 0) == role_counts.get("reversal", 0)


@settings(max_examples=150, deadline=None)
@given(st.lists(row_strategy, min_size=1, max_size=25))
def test_netting_matches_a_plain_reference_of_the_rule(specs):
    rows = random_rows(specs)
    result = net_reversals(rows)
    counted, netted, unmatched = reference_netting(rows)
    assert set(result.counted[s.LINE]) == counted
    assert roles(result.netted) == netted
    assert set(result.unmatched[s.LINE]) == unmatched


@settings(max_examples=100, deadline=None)
@given(
    st.lists(row_strategy, min_size=1, max_size=25), st.randoms(use_true_random=False)
)
def test_netting_does_not_depend_on_row_order(specs, rng):
    rows = random_rows(specs)
    before = net_reversals(rows)
    order = list(range(len(rows)))
    rng.shuffle(order)
    after = net_reversals(rows.iloc[order].reset_index(drop=True))
    assert set(after.counted[s.LINE]) == set(before.counted[s.LINE])
    assert roles(after.netted) == roles(before.netted)
    assert set(after.unmatched[s.LINE]) == set(before.unmatched[s.LINE])
