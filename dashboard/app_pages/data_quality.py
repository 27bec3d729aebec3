"""Data quality: what each source sent and what was kept, quarantined or filtered."""

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboard import loaders
from dashboard.access import gate, trail
from pipelines import schema as s
from pipelines.ingest.quality import summarize_sources
from pipelines.render.point_maps import make_point_map

MAX_POINTS = 2000

path, meta = loaders.open_store_or_stop()

st.title("Data quality")
for warning in meta.get("agreement_warnings") or []:
    st.error(
        f"Built with --allow-low-agreement: {warning}. Area figures at this level "
        "are not trustworthy; do not publish them until this is fixed."
    )
files = loaders.load_file_quality(path)
sources = summarize_sources(files)
st.caption(
    "Every row read is kept (counted, or netted against a reversal), "
    "quarantined with a reason, or filtered by the source profile's [filter] "
    "(e.g. rows the department flags as not a crime); nothing is dropped: rows "
    "read = kept + quarantined + filtered. Built "
    f"{meta.get('built_at', '')}."
)

st.subheader("Per source")
reasons = [f"q_{r}" for r in s.QUARANTINE_REASONS]
summary = sources.rename(
    columns={f"q_{r}": r.replace("_", " ") for r in s.QUARANTINE_REASONS}
)
st.dataframe(
    summary.rename(
        columns={
            "source": "Source",
            "read": "Rows read",
            "kept": "Kept",
            "quarantined": "Quarantined",
            "filtered": "Filtered by profile",
            "located_share": "Located",
            "inside_share": "Inside jurisdiction",
            "first_date": "First date",
            "last_date": "Last date",
            "date_failures": "Date failures",
        }
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "Located": st.column_config.NumberColumn(format="percent"),
        "Inside jurisdiction": st.column_config.NumberColumn(format="percent"),
    },
)

filtered_rows = int(sources["filtered"].sum()) if "filtered" in sources else 0
if filtered_rows:
    st.info(
        f"{filtered_rows:,} rows were set aside by the source profile's [filter] "
        f"({s.FILTERED_REASON}); they are kept with their raw line in the store's "
        "`filtered` table and counted nowhere else."
    )

st.subheader("Agreement with the department's own area labels")
agreement = loaders.load_label_agreement(path)
if agreement.empty:
    st.info("No source carries its own area labels.")
else:
    shown = agreement.assign(
        assigned=agreement["assigned_agree"] / agreement["compared"],
        point_in_polygon=agreement["point_in_polygon_agree"] / agreement["compared"],
    )[
        [
            "source",
            "level",
            "compared",
            "assigned",
            "point_in_polygon",
            "approximate_layer",
        ]
    ]
    st.dataframe(
        shown.rename(
            columns={
                "source": "Source",
                "level": "Level",
                "compared": "Rows compared",
                "approximate_layer": "Approximate map layer",
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "assigned": st.column_config.NumberColumn(
                "Assigned = label",
                format="percent",
                help="After the boundary rule: the label wins within the tolerance",
            ),
            "point_in_polygon": st.column_config.NumberColumn(
                "Point in polygon = label", format="percent"
            ),
        },
    )


def _table_or_ok(title: str, frame: pd.DataFrame, ok: str, warning: str) -> None:
    """A section: ``ok`` when ``frame`` is empty, else ``warning`` and the table."""
    st.subheader(title)
    if frame.empty:
        st.success(ok)
    else:
        st.warning(warning)
        st.dataframe(frame, hide_index=True, width="stretch")


_table_or_ok(
    "Offense codes with no category",
    loaders.load_unmapped_codes(path),
    "Every offense code maps to a category.",
    "Add these codes to the source profile's [categories].",
)
_table_or_ok(
    "Placeholder coordinates",
    loaders.load_placeholders(path),
    "No placeholder coordinates (0/0, null island, stacked or far points).",
    "These rows carried a placeholder instead of a location. They are treated "
    "as unlocated: kept by their area label, else quarantined as no location.",
)
_table_or_ok(
    "Data gaps",
    loaders.load_data_gaps(path),
    "No month or week falls far below the expected level.",
    "These periods hold far fewer incidents than their neighbours (below 20% "
    "of the median, Poisson p < 0.001): most likely a hole in the export. "
    "Trend charts draw a break there and the back-test does not score them.",
)

st.subheader("Located rows outside the jurisdiction")
points, total = loaders.load_quarantined_points(
    path, "outside_jurisdiction", MAX_POINTS
)
if total == 0:
    st.success("No located row fell outside the jurisdiction.")
elif not gate.allowed("incident_detail"):
    st.info(f"{total:,} rows; their points are incident-level detail.")
else:
    trail.record(
        "incident_list_view",
        "quarantined:outside_jurisdiction",
        "ok",
        {"rows": min(total, MAX_POINTS), "of": total},
    )
    if total > MAX_POINTS:
        st.caption(f"Showing the first {MAX_POINTS:,} of {total:,} points.")
    finest = meta["levels"][0]
    folium_map = make_point_map(
        points,
        loaders.load_areas(path, finest),
        [
            ("source", "Source"),
            ("file", "File"),
            ("line", "Line"),
            ("offense_desc", "Offense"),
            ("message", "Why"),
        ],
        tiles=meta.get("tiles") or None,
        attribution=meta.get("tiles_attribution") or None,
    )
    st_folium(
        folium_map,
        key="quality.map",
        height=480,
        use_container_width=True,
        returned_objects=[],
    )

st.subheader("Per file")
st.dataframe(
    files.drop(columns=[c for c in reasons if files[c].sum() == 0]),
    hide_index=True,
    width="stretch",
    column_config={
        "located_share": st.column_config.NumberColumn(format="percent"),
        "inside_share": st.column_config.NumberColumn(format="percent"),
    },
)
