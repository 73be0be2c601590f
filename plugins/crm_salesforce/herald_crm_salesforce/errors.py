"""How Salesforce's answers become Herald's typed errors.

Data API errors are a JSON array of ``{"message", "errorCode"}``; sObject Collections results
carry ``errors: [{"statusCode", "message", "fields"}]``; the token endpoint answers OAuth's
``{"error", "error_description"}``. Salesforce's own words are kept: admins read them."""

from __future__ import annotations

from typing import Any

import httpx

from herald.plugins import AuthExpired, PermanentError, RateLimited, TransientError

#: per-record codes worth trying again later (row locks, a busy org); every other refusal of a
#: record is permanent until someone fixes the data or the org's rules
TRANSIENT_CODES = frozenset({"UNABLE_TO_LOCK_ROW", "REQUEST_RUNNING_TOO_LONG", "SERVER_UNAVAILABLE",
                             "REQUEST_LIMIT_EXCEEDED", "TXN_SECURITY_METERING_ERROR"})


def body_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def first_error(body: Any) -> tuple[str | None, str | None]:
    """(code, message) of a Data API error body (an array, or one object)."""
    items = body if isinstance(body, list) else [body] if isinstance(body, dict) else []
    for item in items:
        if isinstance(item, dict):
            code = item.get("errorCode") or item.get("statusCode") or item.get("error")
            message = item.get("message") or item.get("error_description")
            return (str(code) if code else None, str(message) if message else None)
    return None, None


def record_errors(errors: Any) -> tuple[str | None, str]:
    """(code, message) of one collections result's ``errors`` (every message joined)."""
    items = [e for e in errors or [] if isinstance(e, dict)]
    code = next((str(e["statusCode"]) for e in items if e.get("statusCode")), None)
    message = " ".join(str(e.get("message") or e.get("statusCode")) for e in items)
    return code, message or "Salesforce refused the record without saying why."


def error_for(response: httpx.Response) -> Exception:
    """The typed error for a Data API answer that is not a success."""
    status = response.status_code
    code, message = first_error(body_of(response))
    message = message or f"Salesforce answered {status}."
    if status == 401:
        return AuthExpired(message, code=code or "INVALID_SESSION_ID", status=status)
    if code == "REQUEST_LIMIT_EXCEEDED" or status == 429:
        return RateLimited(message, reset_at=None, scope="org", code=code or "REQUEST_LIMIT_EXCEEDED", status=status)
    if status >= 500 or status in (408, 420):
        return TransientError(message, code=code or f"http_{status}", status=status)
    return PermanentError(message, code=code or f"http_{status}", status=status)
