"""Ask the identity provider whether it accepts beatprofile's OIDC client.

``st.login`` hides a failed token exchange (the user just lands signed out,
with a warning in the server log), so a wrong ``client_secret`` would look like
nothing happened. A token request with a made-up code tells the two apart
(RFC 6749 section 5.2): a provider answers ``invalid_client`` to credentials it
does not accept and ``invalid_grant`` to a code it never issued.
"""

from __future__ import annotations

import base64
import json
import logging
import urllib.error
import urllib.parse
import urllib.request

logger = logging.getLogger(__name__)
SECRETS = ".streamlit/secrets.toml [auth]"


def client_problem(
    metadata_url: str, client_id: str, client_secret: str, timeout: float = 5.0
) -> str | None:
    """None if the provider accepts ``client_id``/``client_secret``, else what is wrong.

    Parameters
    ----------
    metadata_url : str
        The provider's ``/.well-known/openid-configuration``.
    client_id, client_secret : str
        As in ``.streamlit/secrets.toml``.
    timeout : float
        Seconds per request.

    Returns
    -------
    str or None
        A message naming the setting and the fix, or None.

    Example
    -------
    >>> client_problem("http://127.0.0.1:9/none", "id", "s")  # doctest: +ELLIPSIS
    'the identity provider ... could not be reached ...'
    """
    try:
        with urllib.request.urlopen(metadata_url, timeout=timeout) as response:
            token_url = json.load(response)["token_endpoint"]
    except (OSError, ValueError, KeyError) as exc:
        return (
            f"the identity provider's server_metadata_url {metadata_url} could not be "
            f"reached or has no token_endpoint ({exc}); check server_metadata_url in "
            f"{SECRETS}"
        )
    answer = _probe(token_url, client_id, client_secret, timeout)
    logger.debug("token endpoint %s answered %s to the client check", token_url, answer)
    if answer == "invalid_client":
        return (
            f"the identity provider refused client_id {client_id!r} with its "
            "client_secret (invalid_client); put the client secret your identity "
            f"team issued in client_secret in {SECRETS} and restart beatprofile"
        )
    return None


def _probe(token_url: str, client_id: str, client_secret: str, timeout: float) -> str:
    """The OAuth error code the token endpoint gives a made-up code ("" if none)."""
    body = urllib.parse.urlencode(
        {
            "grant_type": "authorization_code",
            "code": "beatprofile-client-check",
            "redirect_uri": "http://127.0.0.1/oauth2callback",
        }
    ).encode()
    basic = base64.b64encode(
        f"{urllib.parse.quote(client_id)}:{urllib.parse.quote(client_secret)}".encode()
    ).decode()
    request = urllib.request.Request(
        token_url, data=body, headers={"Authorization": f"Basic {basic}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return str(json.load(response).get("error", ""))
    except urllib.error.HTTPError as exc:
        try:
            return str(json.load(exc).get("error", ""))
        except ValueError:
            return f"http_{exc.code}"
    except OSError:
        return ""
