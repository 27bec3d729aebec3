"""A tiny, well-formed department for the hostile-input tests to break.

Four square beats of 0.01 degree in St. Louis (2 x 2), a lon/lat source
profile and a projected (x/y) one, a clean export and a config tying them
together. Every hostile file replaces one of these pieces.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pyproj import Transformer

ANALYSIS_CRS = "EPSG:26996"  # NAD83 / Missouri East, metres
HEADER = ["id", "occurred", "code", "description", "lon", "lat"]
XY_HEADER = ["id", "occurred", "code", "description", "x", "y"]

# Beat id -> (west, south); each beat is 0.01 x 0.01 degree.
BEATS = {
    "11": (-90.30, 38.60),
    "12": (-90.29, 38.60),
    "21": (-90.30, 38.61),
    "22": (-90.29, 38.61),
}
# A point in the middle of each beat.
CENTRES = {beat: (w + 0.005, s + 0.005) for beat, (w, s) in BEATS.items()}
INSIDE = CENTRES["11"]

PROFILE = """\
[source]
name = "hostile"
kind = "report"
unique_ids = true

[columns]
incident_id = "id"
occurred_at = "occurred"
offense_code = "code"
offense_desc = "description"
{coordinates}

[dates]
occurred_at = ["%Y-%m-%d %H:%M"]
earliest = "1950-01-01"
{location}
[categories.codes]
"THEFT" = "theft"
"ROB" = "robbery"
"BURG" = "burglary"
"""

CONFIG = """\
[department]
name = "Hostile test department"
analysis_crs = "{crs}"

[store]
path = "{store}"

[[sources]]
profile = "{profile}"
files = ["{files}"]

[[levels]]
name = "beat"
polygons = "{polygons}"
id_field = "beat"
name_field = "name"
"""


@dataclass(frozen=True)
class World:
    """Paths of the well-formed pieces."""

    root: Path
    layer: Path
    profile: Path
    profile_xy: Path
    good_csv: Path
    config: Path
    store: Path

    def config_for(
        self,
        name: str,
        *,
        files: Path | None = None,
        polygons: Path | None = None,
        profile: Path | None = None,
        crs: str = ANALYSIS_CRS,
    ) -> Path:
        """Write a config replacing one piece; returns its path."""
        path = self.root / "configs" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(
            CONFIG.format(
                crs=crs,
                store=self.store,
                profile=profile or self.profile,
                files=files or self.good_csv,
                polygons=polygons or self.layer,
            ),
            encoding="utf-8",
        )
        return path


def square(west: float, south: float, size: float = 0.01) -> list[list[float]]:
    """Closed ring of a square, lon/lat."""
    e, n = west + size, south + size
    return [[west, south], [e, south], [e, n], [west, n], [west, south]]


def feature(beat: str, geometry: dict, **props: object) -> dict:
    return {
        "type": "Feature",
        "properties": {"beat": beat, "name": f"Beat {beat}", **props},
        "geometry": geometry,
    }


def polygon(ring: list[list[float]]) -> dict:
    return {"type": "Polygon", "coordinates": [ring]}


def beats_collection(**replace: dict) -> dict:
    """The four beats as a GeoJSON FeatureCollection; ``replace`` swaps geometries."""
    features = [
        feature(beat, replace.get(f"b{beat}", polygon(square(w, s))))
        for beat, (w, s) in BEATS.items()
    ]
    return {"type": "FeatureCollection", "features": features}


def csv_line(fields: list[str]) -> str:
    out = []
    for f in fields:
        f = str(f)
        out.append(
            '"' + f.replace('"', '""') + '"' if any(c in f for c in ',"\n\r') else f
        )
    return ",".join(out)


def good_rows(n: int = 4, start: int = 1) -> list[list[str]]:
    """``n`` clean records, one per beat in turn."""
    centres = list(CENTRES.values())
    codes = ["THEFT", "ROB", "BURG", "THEFT"]
    rows = []
    for i in range(n):
        lon, lat = centres[i % 4]
        rows.append(
            [
                str(start + i),
                f"2019-06-{1 + i % 28:02d} 10:00",
                codes[i % 4],
                f"clean record {start + i}",
                f"{lon:.6f}",
                f"{lat:.6f}",
            ]
        )
    return rows


def csv_text(rows: list[list[str]], header: list[str] = HEADER, eol: str = "\n") -> str:
    return eol.join([csv_line(header), *(csv_line(r) for r in rows)]) + eol


def to_xy(lon: float, lat: float) -> tuple[float, float]:
    """Lon/lat -> the analysis CRS (metres)."""
    t = Transformer.from_crs("EPSG:4326", ANALYSIS_CRS, always_xy=True)
    return t.transform(lon, lat)


def write_world(root: Path) -> World:
    """Write the clean department into ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    layer = root / "beats.geojson"
    layer.write_text(json.dumps(beats_collection()), encoding="utf-8")
    profile = root / "profile.toml"
    profile.write_text(
        PROFILE.format(coordinates='lon = "lon"\nlat = "lat"', location=""),
        encoding="utf-8",
    )
    profile_xy = root / "profile_xy.toml"
    profile_xy.write_text(
        PROFILE.format(
            coordinates='x = "x"\ny = "y"',
            location=f'\n[location]\ncrs = "{ANALYSIS_CRS}"\n',
        ),
        encoding="utf-8",
    )
    good = root / "good.csv"
    good.write_text(csv_text(good_rows()), encoding="utf-8")
    store = root / "store" / "beatprofile.duckdb"
    world = World(
        root=root,
        layer=layer,
        profile=profile,
        profile_xy=profile_xy,
        good_csv=good,
        config=root / "configs" / "base.toml",
        store=store,
    )
    world.config_for("base.toml")
    return world
