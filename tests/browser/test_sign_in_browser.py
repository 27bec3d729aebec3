"""Sign-in in headless Chromium: local accounts and a real OIDC provider
(oidc-provider-mock) started here; every other non-local request is blocked.

One Streamlit server per sign-in setup, shared by the tests of this module.
"""

from __future__ import annotations

import contextlib
import json
import urllib.request

import pytest

from dashboard.access.router import CATALOGUE
from pipelines.access import audit, policy, users
from pipelines.catalog import DASHBOARD_APP
from tests.browser.harness import (
    free_port,
    save_screenshot,
    start_streamlit,
    wait_for_app_idle,
)
from tests.dashboard.access_helpers import (
    PASSWORDS,
    USER_OF_ROLE,
    local_config,
    write_config,
)

pytestmark = pytest.mark.browser
oidc_mock = pytest.importorskip("oidc_provider_mock")

TITLES = {spec.key: spec.title for spec in CATALOGUE}
NAV_LINK = '[data-testid="stSidebarNavLink"]'
DOWNLOAD = '[data-testid="stDownloadButton"]'
SIGN_IN_TITLE = "text=Sign in to beatprofile"
OIDC_AUTH = (
    '[auth]\nmethod = "oidc"\n[auth.oidc]\nrole_claim = "groups"\n'
    '[auth.oidc.roles]\nanalyst = ["pau-analysts"]\ncommander = ["watch-commanders"]\n'
    'organizer = ["community-organizers"]\nadmin = ["beatprofile-admins"]\n'
)
COMMANDER = "cmdr@pd.example"
OUTSIDER = "visitor@pd.example"


@pytest.fixture(scope="module")
def local_site(tmp_path_factory, sample_store):
    folder = tmp_path_factory.mktemp("local-signin")
    config = local_config(folder)
    users.add_user(folder / "users.json", "lock", "commander", "lock-pw-1")
    env = {"BEATPROFILE_CONFIG": str(config), "BEATPROFILE_STORE": str(sample_store)}
    with start_streamlit(DASHBOARD_APP, env) as base:
        yield base, folder / "audit.duckdb"


@pytest.fixture(scope="module")
def provider():
    """A real OIDC provider on localhost that only knows a registered client."""
    people = [
        oidc_mock.User(
            sub=COMMANDER, claims={"email": COMMANDER, "groups": ["watch-commanders"]}
        ),
        oidc_mock.User(
            sub=OUTSIDER, claims={"email": OUTSIDER, "groups": ["residents"]}
        ),
    ]
    with oidc_mock.run_server_in_thread(
        require_client_registration=True, user_claims=people
    ) as server:
        yield f"http://localhost:{server.server_port}"


def _register(provider: str, port: int) -> dict:
    request = urllib.request.Request(
        f"{provider}/oauth2/clients",
        data=json.dumps(
            {"redirect_uris": [f"http://127.0.0.1:{port}/oauth2callback"]}
        ).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


@contextlib.contextmanager
def _oidc_site(folder, provider: str, sample_store, wrong_secret: bool = False):
    port = free_port()
    client = _register(provider, port)
    secret = "not-the-secret" if wrong_secret else client["client_secret"]
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-long-random-cookie-secret-for-tests-only"\n'
        f'client_id = "{client["client_id"]}"\n'
        f'client_secret = "{secret}"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    config = write_config(folder, OIDC_AUTH)
    env = {"BEATPROFILE_CONFIG": str(config), "BEATPROFILE_STORE": str(sample_store)}
    args = ["--secrets.files", str(secrets)]
    with start_streamlit(DASHBOARD_APP, env, args=args, port=port) as base:
        yield base, folder / "audit.duckdb"


@pytest.fixture(scope="module")
def oidc_site(tmp_path_factory, provider, sample_store):
    with _oidc_site(tmp_path_factory.mktemp("oidc"), provider, sample_store) as site:
        yield site


def nav_titles(page) -> set[str]:  # noqa: ANN001
    texts = page.locator(NAV_LINK).all_inner_texts()
    return {title for title in TITLES.values() if any(title in t for t in texts)}


def sign_in_local(page, base: str, name: str, password: str) -> None:  # noqa: ANN001
    page.goto(base)
    page.wait_for_selector(SIGN_IN_TITLE, timeout=60_000)
    wait_for_app_idle(page)
    page.get_by_label("User name").fill(name)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("textbox", name="Password").press("Tab")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_timeout(500)
    wait_for_app_idle(page)


def sign_in_oidc(page, base: str, provider: str, subject: str) -> None:  # noqa: ANN001
    page.goto(base)
    page.get_by_role("button", name="Sign in with your department account").click()
    page.wait_for_url(f"{provider}/oauth2/authorize**", timeout=30_000)
    page.get_by_role("button", name=subject).click()
    page.wait_for_url(f"{base}/**", timeout=30_000)
    page.wait_for_timeout(500)
    wait_for_app_idle(page)


def test_signed_out_sees_only_the_sign_in_page(local_site, browser_page):
    base, _ = local_site
    page = browser_page.page
    page.goto(f"{base}/data_quality")
    page.wait_for_selector(SIGN_IN_TITLE, timeout=60_000)
    wait_for_app_idle(page)
    assert nav_titles(page) == set()
    assert page.locator(NAV_LINK).count() == 0
    assert "Rows read" not in page.inner_text("body")
    save_screenshot(page, "signin-typed-url-while-signed-out")
    page.goto(base)
    page.wait_for_selector(SIGN_IN_TITLE, timeout=60_000)
    wait_for_app_idle(page)
    save_screenshot(page, "signin-page-local")
    assert browser_page.blocked_of_type("script", "stylesheet", "image") == []


@pytest.mark.parametrize("role", policy.ROLES)
def test_each_role_sees_exactly_its_pages_and_buttons(local_site, browser_page, role):
    base, audit_file = local_site
    page = browser_page.page
    name = USER_OF_ROLE[role]
    sign_in_local(page, base, name, PASSWORDS[name][1])
    page.wait_for_selector(f"text=Signed in as {name}", timeout=60_000)
    expected = {TITLES[key] for key in policy.pages_for(role)}
    if len(expected) > 1:
        page.locator(NAV_LINK).first.wait_for(timeout=60_000)
        wait_for_app_idle(page)
        assert nav_titles(page) == expected
    else:  # Streamlit draws no page list for a single page: that page is all
        page.wait_for_selector("text=Choose a neighborhood to show at the meeting")
        wait_for_app_idle(page)
        assert page.locator(NAV_LINK).count() == 0
        assert "Sign in to beatprofile" not in page.inner_text("body")
    save_screenshot(page, f"signin-sidebar-{role}")
    checks = {"hotspots": "export_incidents", "sector_summary": "export_packet"}
    for key, action in checks.items():
        if not policy.may_view(role, key):
            continue
        page.locator(NAV_LINK, has_text=TITLES[key]).click()
        page.wait_for_selector(f"h1:has-text('{TITLES[key]}')", timeout=120_000)
        if policy.can(role, action):
            page.locator(DOWNLOAD).first.wait_for(timeout=120_000)
        page.wait_for_timeout(500)
        wait_for_app_idle(page, timeout=120_000)
        buttons = page.locator(DOWNLOAD).count()
        assert (buttons > 0) == policy.can(role, action), (role, key, buttons)
        if key == "hotspots" and buttons:  # a download is an audited export
            with page.expect_download() as download:
                page.get_by_role("button", name="Cells (CSV)").click()
            lines = download.value.path().read_text().count("\n")
            page.wait_for_timeout(500)
            wait_for_app_idle(page, timeout=120_000)
            events = audit.read_events(audit_file, user=name)
            export = events[events["event"] == "export"].iloc[-1]
            assert export["target"].startswith("hotspot_cells_")
            assert json.loads(export["detail"])["rows"] == lines - 1


def test_five_wrong_passwords_lock_and_the_sixth_right_one_is_refused(
    local_site, browser_page
):
    base, audit_file = local_site
    page = browser_page.page
    sign_in_local(page, base, "lock", "wrong-1")
    for attempt in range(2, 6):
        page.get_by_role("textbox", name="Password").fill(f"wrong-{attempt}")
        page.get_by_role("textbox", name="Password").press("Tab")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_timeout(500)
        wait_for_app_idle(page)
    page.get_by_role("textbox", name="Password").fill("lock-pw-1")  # the right one
    page.get_by_role("textbox", name="Password").press("Tab")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_timeout(500)
    wait_for_app_idle(page)
    assert page.locator(NAV_LINK).count() == 0
    assert "locked" in page.locator('[data-testid="stAlert"]').last.inner_text().lower()
    save_screenshot(page, "signin-locked-after-five-failures")
    events = list(audit.read_events(audit_file, user="lock")["event"])
    assert events == ["sign_in_failed"] * 4 + ["lockout", "sign_in_failed"]


# The test identity provider's own login form (oidc-provider-mock, not
# beatprofile) links a style sheet from a CDN; nothing else may leave the machine.
MOCK_PROVIDER_CSS = "https://cdn.jsdelivr.net/npm/@picocss/pico@2/css/pico.min.css"


def _only_the_mock_providers_css(guarded) -> None:
    assert {b.url for b in guarded.blocked} <= {MOCK_PROVIDER_CSS}, guarded.blocked


@pytest.mark.expects_offsite_requests
def test_oidc_group_claim_lands_in_the_mapped_role(oidc_site, provider, browser_page):
    base, audit_file = oidc_site
    page = browser_page.page
    sign_in_oidc(page, base, provider, COMMANDER)
    page.wait_for_selector(f"text=Signed in as {COMMANDER}", timeout=60_000)
    assert "(commander)" in page.inner_text('[data-testid="stSidebar"]')
    assert nav_titles(page) == {TITLES[k] for k in policy.pages_for("commander")}
    save_screenshot(page, "signin-oidc-commander-sidebar")
    events = audit.read_events(audit_file, user=COMMANDER)
    first = events.iloc[0]
    assert (first["event"], first["role"]) == ("sign_in_ok", "commander")
    assert json.loads(first["detail"])["groups"] == ["watch-commanders"]

    # A commander who types an analyst page's URL: refused, and audited.
    page.goto(f"{base}/data_quality")
    page.wait_for_selector("text=Access denied", timeout=60_000)
    wait_for_app_idle(page)
    body = page.inner_text("body")
    assert "your role commander may not open Data quality; ask an admin" in body
    assert "Rows read" not in body  # nothing of the page ran
    save_screenshot(page, "signin-commander-refused-data-quality")
    events = audit.read_events(audit_file, user=COMMANDER)
    denied = events[events["event"] == "access_denied"]
    assert list(denied["target"]) == ["data_quality"]
    assert list(denied["role"]) == ["commander"]
    assert not [b for b in browser_page.blocked if "localhost" in b.url]
    _only_the_mock_providers_css(browser_page)


@pytest.mark.expects_offsite_requests
def test_oidc_user_whose_groups_map_to_no_role_is_refused(
    oidc_site, provider, browser_page
):
    base, audit_file = oidc_site
    page = browser_page.page
    sign_in_oidc(page, base, provider, OUTSIDER)
    page.wait_for_selector("text=maps to a beatprofile role", timeout=60_000)
    assert page.locator(NAV_LINK).count() == 0
    assert "residents" in page.inner_text("body")
    events = audit.read_events(audit_file, user=OUTSIDER)
    assert (events.iloc[0]["event"], events.iloc[0]["outcome"]) == (
        "access_denied",
        "no_role",
    )
    _only_the_mock_providers_css(browser_page)


def test_wrong_oidc_client_secret_is_an_error_with_the_fix(
    tmp_path, provider, sample_store, browser_page
):
    with _oidc_site(tmp_path, provider, sample_store, wrong_secret=True) as (base, _):
        page = browser_page.page
        page.goto(base)
        page.wait_for_selector("text=invalid_client", timeout=60_000)
        wait_for_app_idle(page)
        body = page.inner_text("body")
        assert "Error: the identity provider refused client_id" in body
        assert "client_secret in .streamlit/secrets.toml [auth]" in body
        assert "Traceback" not in body
        assert page.get_by_role("button", name="Sign in").count() == 0
        save_screenshot(page, "signin-oidc-wrong-client-secret")
