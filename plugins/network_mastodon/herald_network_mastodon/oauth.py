"""App registration (``POST /api/v1/apps``) and OAuth 2.0 authorization code with PKCE, as
Mastodon implements them."""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import urlencode

import httpx

from herald.plugins import PermanentError, TokenSet, TransientError
from herald_network_mastodon.http import MastodonHttp, json_body, mastodon_message

#: RFC 6749 (5.2) error codes: only an answer naming one is the instance speaking OAuth.
OAUTH_ERRORS = ("invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
                "unsupported_grant_type", "invalid_scope")


def register_app(instance_url: str, *, redirect_uris: list[str], scopes: str, client_name: str = "Herald",
                 website: str | None = None, timeout: float = 30.0) -> dict[str, str]:
    """Register Herald as an app on one instance; returns ``client_id`` and ``client_secret``
    for the tenant's settings. Each instance needs its own registration."""
    form: dict[str, Any] = {"client_name": client_name, "redirect_uris": "\n".join(redirect_uris), "scopes": scopes}
    if website:
        form["website"] = website
    with MastodonHttp(instance_url, None, timeout) as http:
        body = json_body(http.call("POST", "/api/v1/apps", data=form))
    if not isinstance(body, dict) or not body.get("client_id") or not body.get("client_secret"):
        raise TransientError("The instance registered the app but sent no client credentials.", code="bad_response")
    return {"client_id": str(body["client_id"]), "client_secret": str(body["client_secret"])}


def code_challenge(code_verifier: str) -> str:
    """BASE64URL(SHA256(verifier)) without padding (RFC 7636, S256)."""
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize_url(base: str, *, client_id: str, redirect_uri: str, scope: str, state: str,
                  code_verifier: str) -> str:
    return f"{base.rstrip('/')}/oauth/authorize?" + urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "scope": scope,
        "state": state, "code_challenge": code_challenge(code_verifier), "code_challenge_method": "S256"})


def token_set(body: Any) -> TokenSet:
    """Tokens from the instance's 200 answer. Mastodon's tokens do not expire and come without
    a refresh token."""
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str) or not body["access_token"]:
        raise TransientError("The instance's token answer had no access token.", code="bad_token_response")
    refresh = body.get("refresh_token")
    return TokenSet(access_token=body["access_token"],
                    refresh_token=refresh if isinstance(refresh, str) and refresh else None,
                    scope=body.get("scope") if isinstance(body.get("scope"), str) else None)


def token_error(response: httpx.Response) -> Exception:
    """A refused code is the person's to retry (:class:`PermanentError`); anything but an OAuth
    answer may pass (:class:`TransientError`) and is not repeated to them."""
    body = json_body(response)
    error = body.get("error") if isinstance(body, dict) else None
    if error not in OAUTH_ERRORS:
        return TransientError("The instance's token endpoint did not answer as OAuth does.",
                              code=f"http_{response.status_code}", status=response.status_code)
    return PermanentError(mastodon_message(body, "The instance refused the code."), code=str(error),
                          status=response.status_code)
