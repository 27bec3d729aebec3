"""A small real St. Louis store for the update tests (drop folder, lock, re-ingest).

One real month (October 2019) built once per test module from the shared data
(``/work/shared/data/stlouis/raw``); tests copy the store and the exports
folder so that each starts from the same state.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from pipelines.build import run_build
from pipelines.catalog import REPO_ROOT
from pipelines.settings import Settings, load_settings

RAW = REPO_ROOT.parent / "shared" / "data" / "stlouis" / "raw" / "2019"
STLOUIS = RAW.parent.parent
CHICAGO = (
    STLOUIS.parent
    / "chicago"
    / "incidents"
    / "kohnenkampf_primera_entrega__Chicago_Crimes_2012_to_2017.csv"
)
PROFILE = REPO_ROOT / "profiles" / "stlouis_slmpd.toml"

CONFIG = """
[department]
name = "SLMPD (update tests)"
analysis_crs = "EPSG:26996"

[store]
path = "store/beatprofile.duckdb"

[[sources]]
profile = "{profile}"
files = ["exports/*[0-9][0-9][0-9][0-9].csv"]

[[levels]]
name = "neighborhood"
polygons = "{stlouis}/neighborhoods.geojson"
id_field = "NHD_NUM"
name_field = "NHD_NAME"

[[levels]]
name = "district"
from_label = true
"""


def write_config(folder: Path) -> Path:
    """A department folder: config, ``exports/october2019.csv``, ``drop/``."""
    (folder / "exports").mkdir(parents=True)
    (folder / "drop").mkdir()
    shutil.copy(RAW / "october2019.csv", folder / "exports" / "october2019.csv")
    config = folder / "beatprofile.toml"
    config.write_text(CONFIG.format(profile=PROFILE, stlouis=STLOUIS))
    return config


def build_base(folder: Path) -> Settings:
    """Write the department folder and build its store from October 2019."""
    settings = load_settings(write_config(folder))
    run_build(settings)
    return settings


def copy_department(base: Path, target: Path) -> Settings:
    """A copy of a built department folder (config, exports, store, drop/)."""
    shutil.copytree(base, target)
    return load_settings(target / "beatprofile.toml")


def table_differences(before: Path, after: Path) -> dict[str, tuple[int, int]]:
    """Tables whose rows differ between two stores (``EXCEPT ALL`` both ways).

    Returns ``{table: (rows only before, rows only after)}``; a table present
    in one store only counts as all its rows differing. Empty = same tables.
    """
    con = duckdb.connect()
    con.execute(f"ATTACH '{before}' AS b (READ_ONLY)")
    con.execute(f"ATTACH '{after}' AS a (READ_ONLY)")
    tables = {
        db: {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_catalog = ? AND table_type = 'BASE TABLE'",
                [db],
            ).fetchall()
        }
        for db in ("b", "a")
    }
    out = {}
    for name in sorted(tables["b"] | tables["a"]):
        if name not in tables["a"] or name not in tables["b"]:
            out[name] = (-1, -1)
            continue
        gone, new = (
            con.execute(
                f"SELECT count(*) FROM (SELECT * FROM {x}.{name} "
                f"EXCEPT ALL SELECT * FROM {y}.{name})"
            ).fetchone()[0]
            for x, y in (("b", "a"), ("a", "b"))
        )
        if gone or new:
            out[name] = (gone, new)
    con.close()
    return out
