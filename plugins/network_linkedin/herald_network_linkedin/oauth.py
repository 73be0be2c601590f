"""OAuth 2.0 authorization code flow as LinkedIn implements it: confidential web clients, a
60-day access token and (for apps approved for them) a 365-day refresh token that a refresh does
not extend."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx

from herald.plugins import AuthRevoked, PermanentError, TokenSet, TransientError
from herald_network_linkedin.http import as_dict, json_body

#: What LinkedIn answers for a bad, expired or revoked code or refresh token.
REVOKED_ERRORS = ("invalid_grant", "invalid_request")
#: The error codes of RFC 6749 (5.2): only an answer naming one of them is LinkedIn speaking OAuth.
OAUTH_ERRORS = ("invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
                "unsupported_grant_type", "invalid_scope")
#: Kept in ``TokenSet.extra``: when the refresh token itself runs out (the member must reconnect).
REFRESH_EXPIRES_AT = "refresh_token_expires_at"


def authorize_url(base: str, *, client_id: str, redirect_uri: str, scope: str, state: str) -> str:
    query = urlencode({"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
                       "state": state, "scope": scope})
    return f"{base}/oauth/v2/authorization?{query}"


def _expiry(now: datetime, seconds: Any) -> datetime | None:
    try:
        return now + timedelta(seconds=float(seconds)) if seconds is not None else None
    except (TypeError, ValueError, OverflowError):
        return None


def token_set(body: Any, now: datetime) -> TokenSet:
    """Tokens from LinkedIn's 200 answer. No refresh token becomes None ("keep the one you have")."""
    body = as_dict(body)
    if not isinstance(body.get("access_token"), str) or not body["access_token"]:
        raise TransientError("LinkedIn's token answer had no access token.", code="bad_token_response")
    refresh = body.get("refresh_token")
    refresh_expiry = _expiry(now, body.get("refresh_token_expires_in"))
    return TokenSet(
        access_token=body["access_token"],
        refresh_token=refresh if isinstance(refresh, str) and refresh else None,
        expires_at=_expiry(now, body.get("expires_in")),
        scope=body["scope"] if isinstance(body.get("scope"), str) else None,
        extra={REFRESH_EXPIRES_AT: refresh_expiry.isoformat()} if refresh_expiry else {},
    )


def token_error(response: httpx.Response, *, refreshing: bool) -> Exception:
    """Only LinkedIn's invalid grant/request answer to a refresh means the grant is gone; a bad
    code at exchange is the person's to retry; anything else may pass."""
    body = as_dict(json_body(response))
    error = body.get("error") if body.get("error") in OAUTH_ERRORS else None
    described = body.get("error_description") if error and isinstance(body.get("error_description"), str) else None
    message = described or error or "LinkedIn's token endpoint refused the request."
    status = response.status_code
    if 400 <= status < 500 and status != 429 and error is not None:
        if refreshing and error in REVOKED_ERRORS:
            return AuthRevoked(message, code=error, status=status)
        if not refreshing:
            return PermanentError(message, code=error, status=status)
    return TransientError(message, code=error or f"http_{status}", status=status)
