"""The client check against a real OIDC provider started here (oidc-provider-mock)."""

from __future__ import annotations

import json
import urllib.request

import pytest

from pipelines.access.oidc_check import client_problem
from tests.browser.harness import free_port

oidc_mock = pytest.importorskip("oidc_provider_mock")


@pytest.fixture(scope="module")
def provider_and_client():
    with oidc_mock.run_server_in_thread(require_client_registration=True) as server:
        base = f"http://localhost:{server.server_port}"
        request = urllib.request.Request(
            f"{base}/oauth2/clients",
            data=json.dumps(
                {"redirect_uris": ["http://127.0.0.1:8501/oauth2callback"]}
            ).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            client = json.load(response)
        yield f"{base}/.well-known/openid-configuration", client


def test_the_registered_secret_passes(provider_and_client):
    metadata, client = provider_and_client
    assert (
        client_problem(metadata, client["client_id"], client["client_secret"]) is None
    )


def test_a_wrong_secret_is_named_with_the_fix(provider_and_client):
    metadata, client = provider_and_client
    message = client_problem(metadata, client["client_id"], "wrong")
    assert message == (
        f"the identity provider refused client_id {client['client_id']!r} with its "
        "client_secret (invalid_client); put the client secret your identity team "
        "issued in client_secret in .streamlit/secrets.toml [auth] and restart "
        "beatprofile"
    )


def test_an_unreachable_provider_names_server_metadata_url():
    url = f"http://127.0.0.1:{free_port()}/.well-known/openid-configuration"
    message = client_problem(url, "id", "secret", timeout=2)
    assert message.startswith(f"the identity provider's server_metadata_url {url}")
    assert message.endswith(
        "check server_metadata_url in .streamlit/secrets.toml [auth]"
    )
