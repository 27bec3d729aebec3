"""Area profile: trend against last year, hour x weekday, categories, 28-day and YTD tests."""

import streamlit as st

from dashboard import loaders, state
from dashboard.filters import describe_filters, sidebar_filters
from pipelines.analysis.profiles import (
    align_prior_year,
    compare_categories,
    profile_sentences,
)
from pipelines.analysis.windows import DayRange, preceding, weeks_year_earlier
from pipelines.render.charts import hour_weekday_heatmap, weekly_trend_chart
from pipelines.render.text import md_escape

path, meta = loaders.open_store_or_stop()

filters = sidebar_filters(path)
areas = loaders.load_areas(path, filters.level).sort_values("name")
names = dict(zip(areas["area_id"], areas["name"], strict=True))
ids = list(names)
current = st.session_state.get(state.AREA)
area_id = st.selectbox(
    f"{filters.level.capitalize()}",
    ids,
    index=ids.index(current) if current in ids else None,
    format_func=lambda a: f"{names[a]} ({a})" if names[a] != a else a,
    placeholder=f"Choose a {filters.level}",
    key=f"{state.PROFILE_AREA}.{filters.level}",
)
if area_id is None:
    st.info(f"Choose a {filters.level} above, or select one on the Overview page.")
    st.stop()
st.session_state[state.AREA] = area_id
area = areas.set_index("area_id").loc[area_id]

st.title(f"{md_escape(area['name'])}")
residents = (
    "no residents on record"
    if not area["population"] > 0
    else (f"{area['population']:,.0f} residents (2017 estimate)")
)
st.caption(
    f"{filters.level.capitalize()} {md_escape(area_id)}: {residents}, "
    f"{area['area_km2']:.2f} km². Showing {describe_filters(filters)}."
)

profile = loaders.load_profile(path, filters.level, area_id)
st.subheader("Latest 28 days and year to date")
for sentence in profile_sentences(profile, filters.categories):
    st.markdown(f"- {md_escape(sentence)}")

weekly = loaders.load_weekly(path, filters, area_id, filters.start, filters.end)
prior = loaders.load_weekly(
    path,
    filters,
    area_id,
    *weeks_year_earlier(DayRange(filters.start, filters.end)).as_tuple(),
)
trend_column, heat_column = st.columns([3, 2])
with trend_column:
    st.altair_chart(
        weekly_trend_chart(
            align_prior_year(
                weekly, prior, filters.start, filters.end, loaders.load_data_gaps(path)
            ),
            "Incidents per week, against the same weeks a year earlier",
        ),
        width="stretch",
    )
with heat_column:
    st.altair_chart(
        hour_weekday_heatmap(
            loaders.load_hour_weekday(path, filters, area_id),
            "When: hour of day by weekday",
        ),
        width="stretch",
    )

st.subheader("Categories: selected period against the period before")
before_start, before_end = preceding(DayRange(filters.start, filters.end)).as_tuple()
table = compare_categories(
    loaders.load_category_counts(path, filters, area_id, filters.start, filters.end),
    loaders.load_category_counts(path, filters, area_id, before_start, before_end),
)
st.caption(
    f"Period before: {before_start:%d %b %Y} to {before_end:%d %b %Y}. "
    "Verdicts use an exact Poisson test at the 5% level."
)
st.dataframe(
    table.rename(
        columns={
            "category": "Category",
            "n": "Selected period",
            "previous": "Period before",
            "change": "Change",
            "p_value": "p-value",
            "verdict": "Verdict",
        }
    ),
    hide_index=True,
    width="stretch",
    column_config={"p-value": st.column_config.NumberColumn(format="%.3f")},
)
