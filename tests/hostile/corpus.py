"""Generator of the hostile-input corpus: malformed exports, layers, configs, profiles.

Nothing here is committed as data: :func:`write_corpus` writes every file into a
temporary folder during the test session. Each :class:`HostileCase` says which
piece of the clean department (:mod:`tests.hostile.world`) the file replaces
and what beatprofile must answer: exit 0 with the bad rows quarantined for the
right reason, or exit 1 with an ``Error:`` naming the file.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import random
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import geopandas as gpd
from shapely.geometry import box

from tests.hostile.world import (
    ANALYSIS_CRS,
    BEATS,
    CENTRES,
    HEADER,
    INSIDE,
    PROFILE,
    XY_HEADER,
    World,
    beats_collection,
    csv_line,
    csv_text,
    feature,
    good_rows,
    polygon,
    square,
    to_xy,
)

Target = Literal["export", "export_xy", "layer", "config", "profile"]
Expect = Literal["ok", "error"]

EVIL_NAME = "evil.txt"
# A member name nobody else uses, so its absence proves nothing was written there.
ABS_EVIL = "/tmp/beatprofile-hostile-absolute-evil.txt"
BIG_FIELD_BYTES = 10 * 1024 * 1024
BOMB_BYTES = 64 * 1024 * 1024
SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'


@dataclass(frozen=True)
class HostileCase:
    """One hostile file and the answer beatprofile owes it.

    ``rows`` is the number of records in an export (read = kept + quarantined
    must equal it); ``reasons`` the quarantine counts expected by reason (all
    other reasons zero); ``error`` text the ``Error:`` message must contain;
    ``bug`` marks a known defect (the test is a strict xfail).
    """

    name: str
    target: Target
    expect: Expect
    write: Callable[[Path, World], None]
    rows: int | None = None
    reasons: dict[str, int] = field(default_factory=dict)
    error: str = ""
    bug: str | None = None


CASES: list[HostileCase] = []


def case(name: str, target: Target, expect: Expect, **kw) -> Callable:
    def register(write: Callable[[Path, World], None]) -> Callable:
        CASES.append(HostileCase(name, target, expect, write, **kw))
        return write

    return register


def write_corpus(folder: Path, world: World) -> dict[str, Path]:
    """Write every case's file into ``folder``; name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for c in CASES:
        path = folder / c.name
        c.write(path, world)
        paths[c.name] = path
    return paths


def _text(path: Path, text: str, encoding: str = "utf-8") -> None:
    path.write_bytes(text.encode(encoding))


def _rows_with(*bad: list[str], good: int = 2) -> str:
    """``good`` clean rows followed by the ``bad`` ones."""
    return csv_text(good_rows(good) + list(bad))


def _row(
    i: int,
    *,
    occurred: str = "2019-06-01 10:00",
    code: str = "THEFT",
    desc: str = "hostile",
    lon: str | None = None,
    lat: str | None = None,
) -> list[str]:
    x, y = INSIDE
    return [
        str(i),
        occurred,
        code,
        desc,
        f"{x}" if lon is None else lon,
        f"{y}" if lat is None else lat,
    ]


# --- exports: whole-file problems (Error) ---


@case("empty.csv", "export", "error", error="the file is empty")
def _empty(path: Path, world: World) -> None:
    path.write_bytes(b"")


@case("blank_lines.csv", "export", "error", error="the file is empty")
def _blank(path: Path, world: World) -> None:
    path.write_bytes(b"\n\r\n   \n\t\n")


@case("semicolon.csv", "export", "error", error="another delimiter than a comma")
def _semicolon(path: Path, world: World) -> None:
    _text(path, "\n".join(";".join(r) for r in [HEADER, *good_rows()]) + "\n")


@case("tab.csv", "export", "error", error="another delimiter than a comma")
def _tab(path: Path, world: World) -> None:
    _text(path, "\n".join("\t".join(r) for r in [HEADER, *good_rows()]) + "\n")


@case("pipe.csv", "export", "error", error="another delimiter than a comma")
def _pipe(path: Path, world: World) -> None:
    _text(path, "\n".join("|".join(r) for r in [HEADER, *good_rows()]) + "\n")


@case("utf16.csv", "export", "error", error="UTF-16")
def _utf16(path: Path, world: World) -> None:
    text = world.good_csv.read_text()
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))


@case("huge_field_10mb.csv", "export", "ok", rows=3, reasons={"unparseable_row": 1})
def _huge_field(path: Path, world: World) -> None:
    _text(path, _rows_with(_row(9, desc="A" * BIG_FIELD_BYTES)))


@case(
    "missing_required_column.csv",
    "export",
    "error",
    error="column 'occurred' not found",
)
def _missing_column(path: Path, world: World) -> None:
    header = [h for h in HEADER if h != "occurred"]
    rows = [
        [v for h, v in zip(HEADER, r, strict=True) if h != "occurred"]
        for r in good_rows()
    ]
    _text(path, csv_text(rows, header))


@case("duplicate_header.csv", "export", "error", error="repeats column name(s) ['lon']")
def _duplicate_header(path: Path, world: World) -> None:
    _text(path, csv_text([r + [r[4]] for r in good_rows()], [*HEADER, "lon"]))


@case("truncated.csv.gz", "export", "error", error="not a readable gzip file")
def _truncated_gz(path: Path, world: World) -> None:
    data = gzip.compress(world.good_csv.read_bytes() * 50)
    path.write_bytes(data[: len(data) // 2])


@case("not_gzip.csv.gz", "export", "error", error="not a readable gzip file")
def _not_gzip(path: Path, world: World) -> None:
    path.write_bytes(world.good_csv.read_bytes())


@case("binary_garbage.csv", "export", "error", error="the header has one column")
def _garbage(path: Path, world: World) -> None:
    rng = random.Random(7)
    path.write_bytes(bytes(rng.randrange(256) for _ in range(4096)).replace(b",", b";"))


@case(
    "zip_named_csv.csv",
    "export",
    "error",
    error="this is a zip archive, not a CSV export",
)
def _zip_as_csv(path: Path, world: World) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("export.csv", world.good_csv.read_text())
    path.write_bytes(buf.getvalue())


@case("cp1252_header.csv", "export", "error", error="column 'occurred' not found")
def _cp1252_header(path: Path, world: World) -> None:
    header = ["id", "occurrëd", "code", "description", "lon", "lat"]
    _text(path, csv_text(good_rows(), header), "cp1252")


@case("no_such_export.csv", "export", "error", error="file not found")
def _no_such(path: Path, world: World) -> None:
    pass  # deliberately not written


@case("a_directory.csv", "export", "error", error="file not found")
def _directory(path: Path, world: World) -> None:
    path.mkdir()


# --- exports: read, with the bad rows quarantined ---


@case("header_only.csv", "export", "ok", rows=0)
def _header_only(path: Path, world: World) -> None:
    _text(path, csv_line(HEADER) + "\n")


@case("cp1252_bytes.csv", "export", "ok", rows=3)
def _cp1252(path: Path, world: World) -> None:
    _text(path, _rows_with(_row(9, desc="LUMIÈRE PL / O’BRIEN’S")), "cp1252")


@case("bom_crlf.csv", "export", "ok", rows=4)
def _bom_crlf(path: Path, world: World) -> None:
    path.write_bytes(codecs.BOM_UTF8 + csv_text(good_rows(), eol="\r\n").encode())


@case("cr_only_newlines.csv", "export", "ok", rows=4)
def _cr_only(path: Path, world: World) -> None:
    _text(path, csv_text(good_rows(), eol="\r"))


@case("nul_bytes.csv", "export", "ok", rows=3)
def _nul(path: Path, world: World) -> None:
    _text(path, _rows_with(_row(9, desc="before\x00after")))


@case(
    "unterminated_quote_at_eof.csv",
    "export",
    "ok",
    rows=3,
    reasons={"unparseable_row": 1},
)
def _quote_eof(path: Path, world: World) -> None:
    _text(path, _rows_with() + '9,2019-06-01 10:00,THEFT,"never closed')


@case(
    "unterminated_quote_mid_file.csv",
    "export",
    "ok",
    rows=3,
    reasons={"unparseable_row": 1},
)
def _quote_mid(path: Path, world: World) -> None:
    # The open quote swallows the following lines into one record: one row,
    # quarantined with its raw text, rather than rows silently lost.
    text = _rows_with() + '9,2019-06-01 10:00,THEFT,"never closed\n'
    _text(path, text + "\n".join(csv_line(r) for r in good_rows(3, start=20)) + "\n")


@case("ragged_rows.csv", "export", "ok", rows=5, reasons={"unparseable_row": 3})
def _ragged(path: Path, world: World) -> None:
    too_many = _row(9) + ["extra", "more"]
    too_few = _row(10)[:3]
    lone = ["11"]
    _text(path, _rows_with(too_many, too_few, lone))


@case("ten_thousand_fields.csv", "export", "ok", rows=3, reasons={"unparseable_row": 1})
def _wide(path: Path, world: World) -> None:
    _text(path, _rows_with(_row(9) + ["x"] * 10_000))


@case("empty_ids.csv", "export", "ok", rows=4, reasons={"unparseable_row": 2})
def _empty_ids(path: Path, world: World) -> None:
    _text(path, _rows_with(["", *_row(0)[1:]], [" ", *_row(0)[1:]]))


@case("blank_fields_rows.csv", "export", "ok", rows=4, reasons={"unparseable_row": 2})
def _blank_rows(path: Path, world: World) -> None:
    _text(path, _rows_with([""] * 6, [" "] * 6))


@case("nan_inf_coordinates.csv", "export", "ok", rows=11, reasons={"no_location": 9})
def _nonfinite(path: Path, world: World) -> None:
    bad = [
        ("NaN", "NaN"),
        ("inf", "38.6"),
        ("-90.29", "-inf"),
        ("1e308", "1e308"),
        ("-1e308", "38.6"),
        ("1e309", "38.6"),
        ("", ""),
        ("abc", "def"),
        ("-90.29", ""),
    ]
    rows = [_row(10 + i, lon=x, lat=y) for i, (x, y) in enumerate(bad)]
    _text(path, _rows_with(*rows))


@case(
    "comma_decimal_coordinates.csv", "export", "ok", rows=3, reasons={"no_location": 1}
)
def _comma_decimal(path: Path, world: World) -> None:
    _text(path, _rows_with(_row(9, lon="-90,295", lat="38,605")))


@case("swapped_lat_lon.csv", "export", "ok", rows=4, reasons={"no_location": 2})
def _swapped(path: Path, world: World) -> None:
    lon, lat = INSIDE
    _text(
        path,
        _rows_with(
            _row(9, lon=f"{lat}", lat=f"{lon}"), _row(10, lon=f"{lat}", lat=f"{lon}")
        ),
    )


@case("zero_zero_coordinates.csv", "export", "ok", rows=3, reasons={"no_location": 1})
def _zero_zero(path: Path, world: World) -> None:
    _text(path, _rows_with(_row(9, lon="0", lat="0")))


@case(
    "projected_xy_in_lonlat_profile.csv",
    "export",
    "ok",
    rows=3,
    reasons={"no_location": 1},
)
def _xy_as_lonlat(path: Path, world: World) -> None:
    x, y = to_xy(*INSIDE)
    _text(path, _rows_with(_row(9, lon=f"{x:.1f}", lat=f"{y:.1f}")))


@case(
    "lonlat_in_xy_profile.csv",
    "export_xy",
    "ok",
    rows=3,
    # lon/lat read as State Plane lands thousands of km away: more than 50 km
    # outside the layer is a placeholder (issue 11), so unlocated, not "outside"
    reasons={"no_location": 2},
)
def _lonlat_as_xy(path: Path, world: World) -> None:
    rows = []
    for i, (lon, lat) in enumerate(list(CENTRES.values())[:1], start=1):
        x, y = to_xy(lon, lat)
        rows.append([str(i), "2019-06-01 10:00", "THEFT", "ok", f"{x:.2f}", f"{y:.2f}"])
    lon, lat = INSIDE
    rows += [
        ["8", "2019-06-01 10:00", "THEFT", "lon/lat", f"{lon}", f"{lat}"],
        ["9", "2019-06-01 10:00", "ROB", "lon/lat", f"{lon}", f"{lat}"],
    ]
    _text(path, csv_text(rows, XY_HEADER))


@case("future_dates.csv", "export", "ok", rows=4, reasons={"future_date": 2})
def _future(path: Path, world: World) -> None:
    _text(
        path,
        _rows_with(
            _row(9, occurred="2099-01-01 00:00"), _row(10, occurred="2999-12-31 23:59")
        ),
    )


@case("dates_1900.csv", "export", "ok", rows=4, reasons={"bad_date": 2})
def _old(path: Path, world: World) -> None:
    _text(
        path,
        _rows_with(
            _row(9, occurred="1900-01-01 00:00"), _row(10, occurred="1066-10-14 09:00")
        ),
    )


@case("garbage_dates.csv", "export", "ok", rows=7, reasons={"bad_date": 5})
def _garbage_dates(path: Path, world: World) -> None:
    bad = ["yesterday", "2019-13-45 10:00", "", "0000-00-00 00:00", "2019/06/01 10:00"]
    _text(path, _rows_with(*(_row(10 + i, occurred=d) for i, d in enumerate(bad))))


@case("duplicate_ids.csv", "export", "ok", rows=4, reasons={"duplicate": 2})
def _dup_ids(path: Path, world: World) -> None:
    _text(path, _rows_with(_row(1), _row(2)))


@case("unmapped_codes.csv", "export", "ok", rows=4, reasons={"unmapped_code": 2})
def _unmapped(path: Path, world: World) -> None:
    _text(path, _rows_with(_row(9, code="ZZZ"), _row(10, code="<b>99</b>")))


@case("script_in_description.csv", "export", "ok", rows=4)
def _script(path: Path, world: World) -> None:
    _text(path, _rows_with(_row(9, desc=SCRIPT), _row(10, desc=f"{IMG} & <b>bold</b>")))


@case("formula_injection.csv", "export", "ok", rows=4)
def _formula(path: Path, world: World) -> None:
    _text(
        path,
        _rows_with(
            _row(9, desc='=HYPERLINK("http://x","click")'),
            _row(10, desc="@SUM(1+1)*cmd|' /C calc'!A0"),
        ),
    )


@case("unicode_controls.csv", "export", "ok", rows=3)
def _unicode(path: Path, world: World) -> None:
    desc = "\u202eevil\u202c \U0001f6a8 \u200b zero-width"
    _text(path, _rows_with(_row(9, desc=desc)))


# --- area layers ---


def _geojson(path: Path, doc: dict) -> None:
    path.write_text(json.dumps(doc), encoding="utf-8")


@case("bow_tie.geojson", "layer", "ok", rows=4)
def _bow_tie(path: Path, world: World) -> None:
    w, s = BEATS["11"]
    ring = [[w, s], [w + 0.01, s + 0.01], [w + 0.01, s], [w, s + 0.01], [w, s]]
    _geojson(path, beats_collection(b11=polygon(ring)))


@case("self_intersecting_loop.geojson", "layer", "ok", rows=4)
def _loop(path: Path, world: World) -> None:
    # The ring runs round the beat, then crosses itself to make a loop outside.
    w, s = BEATS["12"]
    ring = [
        [w, s],
        [w + 0.01, s],
        [w + 0.01, s + 0.01],
        [w + 0.012, s + 0.012],
        [w + 0.012, s + 0.008],
        [w, s + 0.01],
        [w, s],
    ]
    _geojson(path, beats_collection(b12=polygon(ring)))


@case("spike_polygon.geojson", "layer", "ok", rows=4)
def _spike(path: Path, world: World) -> None:
    # A zero-width spike: make_valid returns a Polygon plus a LineString.
    w, s = BEATS["21"]
    ring = [
        [w, s],
        [w + 0.01, s],
        [w + 0.01, s + 0.005],
        [w + 0.02, s + 0.005],
        [w + 0.01, s + 0.005],
        [w + 0.01, s + 0.01],
        [w, s + 0.01],
        [w, s],
    ]
    _geojson(path, beats_collection(b21=polygon(ring)))


@case("zero_area_polygon.geojson", "layer", "error", error="no polygonal part")
def _flat(path: Path, world: World) -> None:
    w, s = BEATS["22"]
    ring = [[w, s], [w + 0.01, s], [w + 0.005, s], [w, s]]
    _geojson(path, beats_collection(b22=polygon(ring)))


def _beats_frame(crs: str | None = "EPSG:4326") -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {"beat": list(BEATS), "name": [f"Beat {b}" for b in BEATS]},
        geometry=[box(w, s, w + 0.01, s + 0.01) for w, s in BEATS.values()],
        crs="EPSG:4326",
    )
    return frame if crs is None else frame.to_crs(crs)


@case("other_crs.gpkg", "layer", "ok", rows=4)
def _other_crs_gpkg(path: Path, world: World) -> None:
    _beats_frame(ANALYSIS_CRS).to_file(path, driver="GPKG")


@case("other_crs.geojson", "layer", "ok", rows=4)
def _other_crs_geojson(path: Path, world: World) -> None:
    _beats_frame("EPSG:3857").to_file(path, driver="GeoJSON")


@case("other_crs.parquet", "layer", "ok", rows=4)
def _geoparquet(path: Path, world: World) -> None:
    _beats_frame("EPSG:32615").to_parquet(path)


@case("good_nested.zip", "layer", "ok", rows=4)
def _good_zip(path: Path, world: World) -> None:
    _zip_shapefile(path, folder="layers/beats/", junk={"__MACOSX/._beats.shp": b"x"})


@case("no_crs.shp", "layer", "error", error="the layer has no CRS")
def _no_crs_shp(path: Path, world: World) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        _beats_frame().set_crs(None, allow_override=True).to_file(path)


@case("projected_no_crs.geojson", "layer", "error", error="which are not degrees")
def _projected_geojson(path: Path, world: World) -> None:
    doc = json.loads(_beats_frame(ANALYSIS_CRS).to_json())
    doc.pop("crs", None)
    _geojson(path, doc)


@case("duplicate_ids.geojson", "layer", "error", error="appear more than once")
def _dup_layer(path: Path, world: World) -> None:
    doc = beats_collection()
    doc["features"][1]["properties"]["beat"] = "11"
    _geojson(path, doc)


@case("null_ids.geojson", "layer", "error", error="have no value in `beat`")
def _null_ids(path: Path, world: World) -> None:
    doc = beats_collection()
    doc["features"][2]["properties"]["beat"] = None
    _geojson(path, doc)


@case("points.geojson", "layer", "error", error="['Point'], not polygons")
def _points(path: Path, world: World) -> None:
    _geojson(
        path,
        {
            "type": "FeatureCollection",
            "features": [
                feature(b, {"type": "Point", "coordinates": list(c)})
                for b, c in CENTRES.items()
            ],
        },
    )


@case("lines.geojson", "layer", "error", error="['LineString'], not polygons")
def _lines(path: Path, world: World) -> None:
    _geojson(
        path,
        {
            "type": "FeatureCollection",
            "features": [
                feature(b, {"type": "LineString", "coordinates": square(*BEATS[b])})
                for b in BEATS
            ],
        },
    )


@case("empty_collection.geojson", "layer", "error", error="the layer has no features")
def _empty_fc(path: Path, world: World) -> None:
    _geojson(path, {"type": "FeatureCollection", "features": []})


@case("not_json.geojson", "layer", "error", error="cannot be read as an area layer")
def _not_json(path: Path, world: World) -> None:
    path.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")


@case("plain_table.parquet", "layer", "error", error="cannot be read as an area layer")
def _plain_parquet(path: Path, world: World) -> None:
    _beats_frame().drop(columns="geometry").to_parquet(path)


@case("two_layers.gpkg", "layer", "error", error="holds 2 layers")
def _two_layers(path: Path, world: World) -> None:
    _beats_frame().to_file(path, layer="beats", driver="GPKG")
    _beats_frame().to_file(path, layer="sectors", driver="GPKG")


def _shapefile_parts(folder: str = "") -> dict[str, bytes]:
    """The four files of a beats shapefile, as bytes by member name."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        _beats_frame().to_file(Path(tmp) / "beats.shp")
        files = sorted(Path(tmp).iterdir())
        return {f"{folder}{p.name}": p.read_bytes() for p in files}


def _zip_shapefile(
    path: Path,
    folder: str = "",
    drop: tuple[str, ...] = (),
    junk: dict[str, bytes] | None = None,
) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in _shapefile_parts(folder).items():
            if drop and name.endswith(drop):
                continue
            zf.writestr(name, data)
        for name, data in (junk or {}).items():
            zf.writestr(name, data)


@case("shapefile_without_prj.zip", "layer", "error", error="no beats.prj")
def _zip_no_prj(path: Path, world: World) -> None:
    _zip_shapefile(path, drop=(".prj",))


@case("shapefile_without_dbf.zip", "layer", "error", error="beats.dbf")
def _zip_no_dbf(path: Path, world: World) -> None:
    _zip_shapefile(path, drop=(".dbf",))


@case("traversal_dotdot.zip", "layer", "error", error="path traversal")
def _zip_dotdot(path: Path, world: World) -> None:
    # Extraction happens in a temporary folder under TMPDIR: "../" would land
    # beside it and "../../" in the test's own folder; both must be refused.
    _zip_shapefile(
        path,
        junk={
            f"../{EVIL_NAME}": b"pwned",
            f"../../{EVIL_NAME}": b"x",
            f"beats/../../../{EVIL_NAME}.shp": b"x",
        },
    )


@case("traversal_absolute.zip", "layer", "error", error="path traversal")
def _zip_abs(path: Path, world: World) -> None:
    _zip_shapefile(path, junk={f"/tmp/{EVIL_NAME}": b"pwned", ABS_EVIL: b"pwned"})


@case("traversal_windows.zip", "layer", "error", error="path traversal")
def _zip_windows(path: Path, world: World) -> None:
    _zip_shapefile(path, junk={f"..\\{EVIL_NAME}": b"pwned"})


@case("zip_bomb.zip", "layer", "error", error="zip bomb")
def _zip_bomb(path: Path, world: World) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in _shapefile_parts().items():
            if not name.endswith(".dbf"):
                zf.writestr(name, data)
        with zf.open("beats.dbf", "w") as member:  # streamed: no 64 MiB in memory
            chunk = bytes(1024 * 1024)
            for _ in range(BOMB_BYTES // len(chunk)):
                member.write(chunk)


@case("corrupt.zip", "layer", "error", error="not a readable zip file")
def _corrupt_zip(path: Path, world: World) -> None:
    path.write_bytes(b"PK\x03\x04" + bytes(200))


@case("no_shapefile.zip", "layer", "error", error="holds no .shp file")
def _zip_no_shp(path: Path, world: World) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "no layer here")


# --- configs (beatprofile build --config) ---


@case("config_not_toml.toml", "config", "error", error="is not valid TOML")
def _config_not_toml(path: Path, world: World) -> None:
    path.write_text("[department\nname = 'x'\n<html>", encoding="utf-8")


@case("config_binary.toml", "config", "error", error="is not valid TOML")
def _config_binary(path: Path, world: World) -> None:
    path.write_bytes(b"\xff\xfe\x00\x00garbage\x81\x82")


@case("config_missing_pattern.toml", "config", "error", error="matches no file")
def _config_pattern(path: Path, world: World) -> None:
    text = world.config_for("tmp.toml", files=world.root / "exports" / "*.csv")
    path.write_text(text.read_text(), encoding="utf-8")


@case("config_missing_layer.toml", "config", "error", error="does not exist")
def _config_layer(path: Path, world: World) -> None:
    text = world.config_for("tmp.toml", polygons=world.root / "nowhere.geojson")
    path.write_text(text.read_text(), encoding="utf-8")


@case("config_missing_profile.toml", "config", "error", error="does not exist")
def _config_profile(path: Path, world: World) -> None:
    text = world.config_for("tmp.toml", profile=world.root / "nowhere.toml")
    path.write_text(text.read_text(), encoding="utf-8")


@case("config_unknown_crs.toml", "config", "error", error='"EPSG:999999" is not recog')
def _config_crs(path: Path, world: World) -> None:
    path.write_text(world.config_for("tmp.toml", crs="EPSG:999999").read_text())


@case("config_degrees_crs.toml", "config", "error", error="must be projected in metres")
def _config_degrees(path: Path, world: World) -> None:
    path.write_text(world.config_for("tmp.toml", crs="EPSG:4326").read_text())


@case(
    "config_no_levels.toml", "config", "error", error="define at least one [[levels]]"
)
def _config_no_levels(path: Path, world: World) -> None:
    text = world.config_for("tmp.toml").read_text()
    path.write_text(text[: text.index("[[levels]]")], encoding="utf-8")


@case("config_levels_not_tables.toml", "config", "error", error="[[levels]]")
def _config_levels_str(path: Path, world: World) -> None:
    text = world.config_for("tmp.toml").read_text()
    path.write_text(
        text[: text.index("[[levels]]")].replace(
            "[department]", 'levels = "beat"\n\n[department]'
        ),
        encoding="utf-8",
    )


@case("config_polygons_not_text.toml", "config", "error", error="polygons")
def _config_polygons_int(path: Path, world: World) -> None:
    text = world.config_for("tmp.toml").read_text()
    path.write_text(text.replace(f'polygons = "{world.layer}"', "polygons = 5"))


@case("config_files_not_a_list.toml", "config", "error", error="good.csv")
def _config_files_str(path: Path, world: World) -> None:
    text = world.config_for("tmp.toml").read_text()
    path.write_text(
        text.replace(f'files = ["{world.good_csv}"]', f'files = "{world.good_csv}"')
    )


@case("config_tolerance_text.toml", "config", "error", error="tolerance_m")
def _config_tolerance(path: Path, world: World) -> None:
    text = world.config_for("tmp.toml").read_text()
    path.write_text(text + '\n[assignment]\ntolerance_m = "one metre"\n')


# --- source profiles (beatprofile check PROFILE good.csv) ---


def _profile() -> str:
    return PROFILE.format(coordinates='lon = "lon"\nlat = "lat"', location="")


@case("profile_not_toml.toml", "profile", "error", error="is not valid TOML")
def _profile_not_toml(path: Path, world: World) -> None:
    path.write_text("this is = not = toml\n[[[", encoding="utf-8")


@case(
    "profile_unknown_category.toml",
    "profile",
    "error",
    error='category was "larceny" but is expected to be one of',
)
def _profile_category(path: Path, world: World) -> None:
    path.write_text(_profile().replace('"ROB" = "robbery"', '"ROB" = "larceny"'))


@case(
    "profile_unknown_field.toml",
    "profile",
    "error",
    error="[columns] has unknown field(s) ['offence']",
)
def _profile_field(path: Path, world: World) -> None:
    path.write_text(_profile().replace('offense_code = "code"', 'offence = "code"'))


@case(
    "profile_missing_id.toml", "profile", "error", error="[columns] needs `incident_id`"
)
def _profile_no_id(path: Path, world: World) -> None:
    path.write_text(_profile().replace('incident_id = "id"\n', ""))


@case("profile_bad_kind.toml", "profile", "error", error='kind was "crime"')
def _profile_kind(path: Path, world: World) -> None:
    path.write_text(_profile().replace('kind = "report"', 'kind = "crime"'))


@case("profile_bad_regex.toml", "profile", "error", error="not a valid regular expr")
def _profile_regex(path: Path, world: World) -> None:
    path.write_text(
        _profile() + '\n[[categories.keyword]]\npattern = "(THEFT"\n'
        'category = "theft"\n'
    )


@case("profile_column_not_text.toml", "profile", "error", error="incident_id")
def _profile_int_column(path: Path, world: World) -> None:
    path.write_text(_profile().replace('incident_id = "id"', "incident_id = 5"))


@case("profile_unknown_crs.toml", "profile", "error", error="EPSG:999999")
def _profile_crs(path: Path, world: World) -> None:
    path.write_text(
        PROFILE.format(
            coordinates='x = "lon"\ny = "lat"',
            location='\n[location]\ncrs = "EPSG:999999"\n',
        )
    )


@case("profile_bad_earliest.toml", "profile", "error", error="earliest")
def _profile_earliest(path: Path, world: World) -> None:
    path.write_text(_profile().replace('earliest = "1950-01-01"', 'earliest = "soon"'))


@case("profile_date_format_not_text.toml", "profile", "error", error="occurred_at")
def _profile_date_int(path: Path, world: World) -> None:
    path.write_text(
        _profile().replace('occurred_at = ["%Y-%m-%d %H:%M"]', "occurred_at = 5")
    )


@case("profile_missing_xy_short.toml", "profile", "error", error="missing_xy")
def _profile_missing_xy(path: Path, world: World) -> None:
    path.write_text(_profile() + "\n[location]\nmissing_xy = [0]\n")


@case("config_harm_not_a_number.toml", "config", "error", error="[harm]")
def _config_harm(path: Path, world: World) -> None:
    text = world.config_for("tmp.toml").read_text()
    path.write_text(text + '\n[harm]\ntheft = "high"\n')


@case("config_hotspot_cell_text.toml", "config", "error", error="cell_size_m")
def _config_cell(path: Path, world: World) -> None:
    text = world.config_for("tmp.toml").read_text()
    path.write_text(text + '\n[hotspots]\ncell_size_m = "big"\n')
