"""OAuth 2.0 authorization code with PKCE (S256), as X implements it."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx

from herald.plugins import AuthRevoked, PermanentError, TokenSet, TransientError
from herald_network_x.http import json_body, x_message

#: What X answers for a bad, expired or revoked code or refresh token.
REVOKED_ERRORS = ("invalid_grant", "invalid_request")
#: The error codes of RFC 6749 (5.2): only an answer naming one of them is X speaking OAuth.
OAUTH_ERRORS = ("invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
                "unsupported_grant_type", "invalid_scope")


def code_challenge(code_verifier: str) -> str:
    """BASE64URL(SHA256(verifier)) without padding (RFC 7636, S256)."""
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize_url(base: str, *, client_id: str, redirect_uri: str, scope: str, state: str,
                  code_verifier: str) -> str:
    query = urlencode({
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": scope,
        "state": state,
        "code_challenge": code_challenge(code_verifier),
        "code_challenge_method": "S256",
    })
    return f"{base}{'&' if '?' in base else '?'}{query}"


def token_set(body: Any, now: datetime) -> TokenSet:
    """Tokens from X's 200 answer. A missing or empty refresh token becomes None ("keep the one
    you have"), never an empty string that would overwrite a stored one."""
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str) or not body["access_token"]:
        raise TransientError("X's token answer had no access token.", code="bad_token_response")
    try:
        expires_at: datetime | None = now + timedelta(seconds=float(body.get("expires_in")))  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        expires_at = None
    refresh = body.get("refresh_token")
    extra = {k: v for k, v in body.items() if k not in ("access_token", "refresh_token", "expires_in", "scope")}
    return TokenSet(
        access_token=body["access_token"],
        refresh_token=refresh if isinstance(refresh, str) and refresh else None,
        expires_at=expires_at,
        scope=body.get("scope") if isinstance(body.get("scope"), str) else None,
        extra=extra,
    )


def token_error(response: httpx.Response, *, refreshing: bool) -> Exception:
    """The typed error for a failed token call. Only X's "invalid grant/request" answer to a
    refresh means the grant is gone (:class:`AuthRevoked`); a bad code at exchange is the
    person's to retry (:class:`PermanentError`); anything else may pass (:class:`TransientError`)."""
    body = json_body(response)
    error = body.get("error") if isinstance(body, dict) and isinstance(body.get("error"), str) else None
    if error not in OAUTH_ERRORS:
        # Not an OAuth answer: whatever the endpoint said is not repeated to the person connecting.
        error, body = None, None
    message = x_message(body, "X's token endpoint refused the request.")
    if 400 <= response.status_code < 500 and error in REVOKED_ERRORS:
        if refreshing:
            return AuthRevoked(message, code=error, status=response.status_code)
        return PermanentError(message, code=error, status=response.status_code)
    if not refreshing and 400 <= response.status_code < 500 and response.status_code != 429:
        return PermanentError(message, code=error or f"http_{response.status_code}", status=response.status_code)
    return TransientError(message, code=error or f"http_{response.status_code}", status=response.status_code)
