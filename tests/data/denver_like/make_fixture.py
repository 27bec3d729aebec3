"""Writes the hand-made Denver-like fixture (run once; its output is committed).

12 square neighborhoods (0.01 degree, a 4 x 3 grid near downtown Denver) with
numeric ids 1-12 and title-case names; 3 districts of 4 neighborhoods each
(district ids 1-3 coincide with neighborhood ids 1-3); 6 precincts of 2
neighborhoods. 20 incidents per neighborhood at known points inside it, with
the department's lower-case hyphenated neighborhood slugs, State Plane
Colorado Central feet plus lon/lat, and yes/no crime/traffic flags: every
answer can be checked by hand.

    python tests/data/denver_like/make_fixture.py
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from pyproj import Transformer

HERE = Path(__file__).parent
NAMES = [
    "Five Points",
    "Capitol Hill",
    "Cheesman Park",
    "Union Station",
    "CBD",
    "Auraria",
    "Lincoln Park",
    "Baker",
    "West Colfax",
    "Sloan's Lake",
    "Jefferson Park",
    "North Capitol Hill",
]
SLUGS = [  # as the department writes them; "sloan-lake" matches only fuzzily
    "five-points",
    "capitol-hill",
    "cheesman-park",
    "union-station",
    "cbd",
    "auraria",
    "lincoln-park",
    "baker",
    "west-colfax",
    "sloan-lake",
    "jefferson-park",
    "north-capitol-hill",
]
OFFENSES = [
    ("theft-of-motor-vehicle", "auto-theft"),
    ("assault-dv", "other-crimes-against-persons"),
    ("burglary-residence-by-force", "burglary"),
    ("theft-shoplift", "larceny"),
    ("criminal-mischief-mtr-veh", "public-disorder"),
    ("robbery-street", "robbery"),
]
WEST, SOUTH, SIZE = -105.02, 39.72, 0.01


def cell(k: int) -> tuple[float, float]:
    return WEST + SIZE * (k % 4), SOUTH + SIZE * (k // 4)


def main() -> None:
    features = []
    for k, name in enumerate(NAMES):
        x0, y0 = cell(k)
        ring = [
            [x0, y0],
            [x0 + SIZE, y0],
            [x0 + SIZE, y0 + SIZE],
            [x0, y0 + SIZE],
            [x0, y0],
        ]
        features.append(
            {
                "type": "Feature",
                "properties": {"NBHD_ID": k + 1, "NBHD_NAME": name},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    (HERE / "neighborhoods.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, indent=1)
    )
    to_ft = Transformer.from_crs("EPSG:4326", "EPSG:2232", always_xy=True)
    header = [
        "INCIDENT_ID",
        "OFFENSE_ID",
        "OFFENSE_CODE",
        "OFFENSE_TYPE_ID",
        "OFFENSE_CATEGORY_ID",
        "FIRST_OCCURRENCE_DATE",
        "REPORTED_DATE",
        "INCIDENT_ADDRESS",
        "GEO_X",
        "GEO_Y",
        "GEO_LON",
        "GEO_LAT",
        "DISTRICT_ID",
        "PRECINCT_ID",
        "NEIGHBORHOOD_ID",
        "IS_CRIME",
        "IS_TRAFFIC",
    ]
    rows = []
    for k, slug in enumerate(SLUGS):
        x0, y0 = cell(k)
        district = k // 4 + 1
        precinct = district * 100 + (k % 4) // 2 + 11
        for i in range(20):
            lon = x0 + SIZE * (0.1 + 0.8 * (i % 5) / 4)
            lat = y0 + SIZE * (0.1 + 0.8 * (i // 5) / 3)
            gx, gy = to_ft.transform(lon, lat)
            n = k * 20 + i
            offense, category = OFFENSES[n % len(OFFENSES)]
            day = f"{1 + n % 12}/{1 + n % 28}/2023 {1 + n % 12}:{n % 60:02d}:00 PM"
            rows.append(
                [
                    2023000000 + n,
                    f"{2023000000 + n}240100",
                    2400 + n % 6,
                    offense,
                    category,
                    day,
                    day,
                    f"{100 + i} N MAIN ST",
                    round(gx),
                    round(gy),
                    f"{lon:.7f}",
                    f"{lat:.7f}",
                    district,
                    precinct,
                    slug,
                    1,
                    0,
                ]
            )
    with open(HERE / "crimes.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


if __name__ == "__main__":
    main()
