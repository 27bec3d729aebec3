"""Method back-test: how well each hotspot method forecast the next month's crime."""

import streamlit as st

from dashboard import loaders, state
from pipelines.analysis.backtest import summarize_backtest
from pipelines.analysis.method_choice import choose_default_method
from pipelines.analysis.methods import method_label
from pipelines.render.charts import pai_curve_chart, pai_over_time_chart

path, meta = loaders.open_store_or_stop()
table = loaders.load_backtest(path)
st.title("Method back-test")
if table.empty:
    st.info("This store has no back-test (it needs at least 13 months of data).")
    st.stop()
categories = sorted(table["category"].unique(), key=lambda c: (c != "all", c))
coverages = sorted(table["coverage"].unique())
with st.sidebar:
    category = st.selectbox("Category", categories, key=state.BACKTEST_CATEGORY)
    coverage = st.select_slider(
        "Share of the jurisdiction's area flagged",
        coverages,
        value=0.05 if 0.05 in coverages else coverages[0],
        format_func=lambda c: f"{c:.0%}",
        key=state.BACKTEST_COVERAGE,
    )
method, why = choose_default_method(table, category, coverage)
st.markdown(
    "Each month, every method is fitted on the data before that month only, flags "
    f"the top {coverage:.0%} of the jurisdiction's area, and is scored on the "
    "following month's incidents. **PAI** = share of incidents caught / share of "
    "area; **RRI** = how well last period's hot areas keep their share; **PEI\\*** = "
    "incidents caught / the most any set of the same cells could have caught."
)
st.info(why)
skipped = loaders.load_backtest_skipped(path)
if len(skipped):
    st.warning(
        "Months left out of the scoring because the export has a hole there "
        "(see Data quality): " + "; ".join(skipped["note"])
    )
summary = summarize_backtest(table)
rows = summary[
    (summary["category"] == category)
    & (summary["coverage"].round(4) == round(coverage, 4))
]
rows = rows.assign(method=rows["method"].map(method_label)).rename(
    columns={
        "method": "Method",
        "periods": "Months",
        "pai_mean": "PAI mean",
        "pai_sd": "PAI sd",
        "pai_min": "PAI min",
        "pai_max": "PAI max",
        "rri_mean": "RRI mean",
        "pei_star_mean": "PEI* mean",
        "beats_naive": "Months beating naive",
    }
)
st.dataframe(
    rows[
        [
            "Method",
            "Months",
            "PAI mean",
            "PAI sd",
            "PAI min",
            "PAI max",
            "RRI mean",
            "PEI* mean",
            "Months beating naive",
        ]
    ],
    hide_index=True,
    width="stretch",
    column_config={
        c: st.column_config.NumberColumn(format="%.2f")
        for c in ("PAI mean", "PAI sd", "PAI min", "PAI max", "RRI mean", "PEI* mean")
    }
    | {"Months beating naive": st.column_config.NumberColumn(format="percent")},
)
left, right = st.columns(2)
with left:
    st.altair_chart(
        pai_curve_chart(summary[summary["category"] == category], method_label),
        width="stretch",
    )
with right:
    st.altair_chart(
        pai_over_time_chart(
            table[
                (table["category"] == category)
                & (table["coverage"].round(4) == round(coverage, 4))
            ],
            method_label,
        ),
        width="stretch",
    )
