"""Local copies of the Leaflet files the maps load, so maps render with no internet.

Streamlit serves ``dashboard/static/`` (the folder next to ``dashboard/app.py``)
at ``/app/static/`` when started with ``server.enableStaticServing=true``.
:func:`ensure_map_assets` copies Leaflet from the installed
``django-js-lib-leaflet`` package into ``<static>/vendor/leaflet/``
(gitignored); the map builders point their script and stylesheet links there.
"""

from __future__ import annotations

import logging
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from pipelines.catalog import DASHBOARD_APP

logger = logging.getLogger(__name__)

STATIC_DIR = DASHBOARD_APP.parent / "static"
"""The folder Streamlit serves at ``/app/static/`` for ``dashboard/app.py``."""

STATIC_URL_PREFIX = "/app/static/vendor/leaflet"
"""URL path at which the copied Leaflet files are served."""

LEAFLET_JS_URL = f"{STATIC_URL_PREFIX}/leaflet.js"
LEAFLET_CSS_URL = f"{STATIC_URL_PREFIX}/leaflet.css"

_PACKAGE = "js_lib_leaflet"
_PACKAGE_SUBDIR = ("static", "js_lib_leaflet")
_FILES = ("leaflet.js", "leaflet.css")
_IMAGES = "images"


def ensure_map_assets(static_dir: Path = STATIC_DIR) -> Path:
    """Copy Leaflet's JS, CSS and images into ``<static_dir>/vendor/leaflet/``.

    Idempotent: a file is copied only when it is missing or its size differs
    from the packaged one.

    Parameters
    ----------
    static_dir : Path
        The folder Streamlit serves at ``/app/static/``, i.e. ``static/`` next
        to the app's main script.

    Returns
    -------
    Path
        The ``vendor/leaflet`` folder holding ``leaflet.js``, ``leaflet.css``
        and ``images/``.

    Raises
    ------
    ModuleNotFoundError
        If the ``django-js-lib-leaflet`` package is not installed.

    Examples
    --------
    >>> ensure_map_assets(Path("dashboard/static"))  # doctest: +SKIP
    PosixPath('dashboard/static/vendor/leaflet')
    """
    source = _leaflet_source()
    target = Path(static_dir) / "vendor" / "leaflet"
    copied = 0
    for name in _FILES:
        copied += _copy_if_changed(source / name, target / name)
    for image in (source / _IMAGES).iterdir():
        if image.is_file():
            copied += _copy_if_changed(image, target / _IMAGES / image.name)
    if copied:
        logger.info("Copied %d Leaflet asset(s) into %s", copied, target)
    return target


def _leaflet_source() -> Traversable:
    """Folder of the installed package that holds leaflet.js and leaflet.css."""
    try:
        root = resources.files(_PACKAGE)
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError(
            f"Leaflet files not found: package {_PACKAGE!r} is not installed; "
            "install it with `pip install django-js-lib-leaflet==1.9.4.1`"
        ) from exc
    return root.joinpath(*_PACKAGE_SUBDIR)


def _copy_if_changed(source: Traversable, target: Path) -> int:
    """Copy unless an equal-sized file is already there; 1 if copied, else 0."""
    data = source.read_bytes()
    if target.is_file() and target.stat().st_size == len(data):
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(target)  # atomic, so a concurrent reader never sees half a file
    return 1
