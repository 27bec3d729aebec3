"""A signed-in copy of the sample configuration, real local users, real audit file."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from dashboard import state
from pipelines.access import users
from pipelines.catalog import DASHBOARD_APP, SAMPLE_CONFIG, SAMPLE_DIR

PASSWORDS = {
    "ann": ("analyst", "ann-pw-1"),
    "cmd": ("commander", "cmd-pw-1"),
    "org": ("organizer", "org-pw-1"),
    "adm": ("admin", "adm-pw-1"),
}
USER_OF_ROLE = {role: name for name, (role, _) in PASSWORDS.items()}


def write_config(folder: Path, auth: str) -> Path:
    """The sample config with absolute data paths, ``[audit]`` in ``folder``
    and the given ``[auth]`` text appended."""
    text = SAMPLE_CONFIG.read_text(encoding="utf-8")
    for relative in (
        "../../profiles/",
        "slmpd/",
        "neighborhoods.geojson",
        "population_by_neighborhood.csv",
    ):
        text = text.replace(f'"{relative}', f'"{SAMPLE_DIR}/{relative}')
    text += f'\n[audit]\npath = "{folder / "audit.duckdb"}"\n\n{auth}\n'
    config = folder / "beatprofile.toml"
    config.write_text(text, encoding="utf-8")
    return config


def local_config(folder: Path) -> Path:
    """A config with local accounts, one user per role (see PASSWORDS)."""
    users_file = folder / "users.json"
    for name, (role, password) in PASSWORDS.items():
        users.add_user(users_file, name, role, password)
    auth = f'[auth]\nmethod = "local"\nusers_file = "{users_file}"\n'
    return write_config(folder, auth)


def new_app() -> AppTest:
    return AppTest.from_file(str(DASHBOARD_APP), default_timeout=120)


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    """Type a name and password into the sign-in form and submit it."""
    at.text_input(key=state.SIGNIN_NAME).input(name)
    at.text_input(key=state.SIGNIN_PASSWORD).input(password)
    return at.button(key=state.SIGNIN_SUBMIT).click().run()


def open_url_path(at: AppTest, url_path: str) -> AppTest:
    """Request the page at ``/url_path``, as typing the URL does.

    AppTest's public ``switch_page`` only finds file pages; a refused page is a
    callable registered at the same URL path, whose script hash Streamlit
    computes from that path (``st.Page._script_hash``).
    """
    at._page_hash = calc_hash(url_path)  # noqa: SLF001 - no public API for this
    return at.run()


def registered_paths(at: AppTest, candidates: set[str]) -> set[str]:
    """Which of the URL paths ``candidates`` the last run registered (the
    default page is listed at "" but hashed from its own path)."""
    pages = at._registered_pages  # noqa: SLF001 - no public API for this
    return {path for path in candidates if calc_hash(path) in pages}
