"""Where datasets live: the bundled sample, area layers and population tables."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.io import AreaLayerError, normalize_area_ids, read_area_layer
from pipelines.errors import ConfigError, InputFileError
from pipelines.settings import LevelConfig, Settings

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = REPO_ROOT / "data" / "sample"
SAMPLE_CONFIG = SAMPLE_DIR / "beatprofile.toml"
DASHBOARD_APP = REPO_ROOT / "dashboard" / "app.py"
PUBLIC_APP = REPO_ROOT / "dashboard" / "public_app.py"
"""The public server's app (``beatprofile serve --public``): public pages only."""


def load_finest_layer(settings: Settings) -> gpd.GeoDataFrame:
    """The finest level's polygons in the analysis CRS, with parent-code columns.

    Raises
    ------
    InputFileError
        If the layer cannot be read or fails validation.
    """
    finest = settings.levels[0]
    parents = tuple(lv.parent_field for lv in settings.levels[1:] if lv.parent_field)
    try:
        return read_area_layer(
            finest.polygons,
            finest.id_field or "id",
            finest.name_field,
            settings.analysis_crs,
            extra_fields=parents,
        )
    except AreaLayerError as exc:
        raise InputFileError(str(exc)) from exc


def load_population(level: LevelConfig) -> pd.Series:
    """Residents per area id for a level (empty when none is configured).

    Raises
    ------
    InputFileError
        If the table or its columns are missing.
    """
    if level.population is None:
        return pd.Series(dtype="float64")
    pop = level.population
    if not pop.file.is_file():
        raise InputFileError(f"population table {pop.file} does not exist")
    table = pd.read_csv(pop.file, dtype={pop.id_field: str})
    for column in (pop.id_field, pop.value_field):
        if column not in table.columns:
            raise InputFileError(
                f"{pop.file}: column `{column}` not found; columns are "
                f"{list(table.columns)}. Fix [levels] population in the config"
            )
    ids = normalize_area_ids(table[pop.id_field])
    values = pd.to_numeric(table[pop.value_field], errors="coerce")
    return pd.Series(values.values, index=ids.values).groupby(level=0).sum()


def check_sources(settings: Settings) -> None:
    """Fail early when the config names no source files."""
    if not any(source.files for source in settings.sources):
        raise ConfigError(
            f"{settings.config_path}: no export files configured; add [[sources]] "
            "with `profile` and `files`"
        )
