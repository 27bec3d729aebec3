"""The public server's app: only the public watch page, only the public store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pipelines.catalog import DASHBOARD_APP, PUBLIC_APP, REPO_ROOT
from pipelines.community import public_audit
from pipelines.community.publish import publish_public_store

ANALYST_PAGES = sorted((DASHBOARD_APP.parent / "app_pages").glob("*.py"))


@pytest.fixture(scope="module")
def public_store(sample_store, tmp_path_factory):
    path = tmp_path_factory.mktemp("public") / "public.duckdb"
    publish_public_store(sample_store, path)
    return path


def _run(store: Path, monkeypatch, query: dict | None = None) -> AppTest:
    monkeypatch.setattr(sys, "argv", ["public_app.py", "--public-store", str(store)])
    at = AppTest.from_file(str(PUBLIC_APP), default_timeout=120)
    at.query_params.update(query or {})
    return at.run()


def test_the_public_app_routes_only_the_public_watch_page(public_store, monkeypatch):
    at = _run(public_store, monkeypatch)
    routed = {Path(i["script_path"]).resolve() for i in at._registered_pages.values()}
    assert routed == {(PUBLIC_APP.parent / "public_pages" / "watch_meeting.py")}
    for page in ANALYST_PAGES:  # hotspots, overview, ... are not pages here
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(str(page))


def test_the_public_watch_page_shows_the_report_from_the_public_store(
    public_store, monkeypatch
):
    at = _run(public_store, monkeypatch, {"level": "neighborhood", "area": "26"})
    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["Compton Heights"]
    texts = [m.value for m in at.markdown]
    assert "12 months in all: 97" in texts
    assert any(t.startswith("Not shown: offences") for t in texts)
    assert not at.get("download_button")  # no exports on the public server
    page_text = "\n".join(texts)
    assert not public_audit.audit_public_payload(page_text, context="markdown")


def test_the_public_app_refuses_a_full_store(sample_store, monkeypatch):
    at = _run(sample_store, monkeypatch)
    assert at.error[0].value.startswith("Error: ")
    assert "is not a public store" in at.error[0].value
    assert "beatprofile publish" in at.error[0].value


def test_the_public_app_needs_a_public_store(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["public_app.py"])
    at = AppTest.from_file(str(PUBLIC_APP), default_timeout=120).run()
    assert at.error[0].value == (
        "Error: the public app was started without a public store; start it with "
        "`beatprofile serve --public --public-store PATH`"
    )


_PROBE = """
import json, sys
sys.argv = ["public_app.py", "--public-store", sys.argv[1]]
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({app!r}, default_timeout=120)
at.query_params.update({{"level": "neighborhood", "area": "15"}})
at.run()
print(json.dumps({{"ok": not at.exception, "modules": sorted(sys.modules)}}))
"""


def test_the_public_app_never_imports_the_full_store_loaders(public_store):
    # A fresh interpreter: what the public app imports, and nothing else.
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(app=str(PUBLIC_APP)), str(public_store)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=300,
    )
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["ok"]
    assert "dashboard.public_loaders" in found["modules"]
    assert "dashboard.loaders" not in found["modules"]
    assert not [m for m in found["modules"] if m.startswith("dashboard.app_pages")]
