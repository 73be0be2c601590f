"""One HTTP conversation with X, and how X's answers become Herald's typed errors.

Mapping (``creates`` marks a request that may create a post):

- a URL the outbound policy refuses (nothing is sent) -> :class:`PermanentError` ``outbound_refused``;
- connection refused / connect timeout: nothing was sent -> :class:`TransientError`;
- read/write timeout or a broken connection after sending: -> :class:`UncertainOutcome` on a
  create (the post may exist), :class:`TransientError` otherwise;
- 401 -> :class:`AuthExpired`; 403 "duplicate content" -> :class:`DuplicateContent`;
- 429, or the older ``{"errors":[{"code":88}]}`` body -> :class:`RateLimited` with X's reset;
- other 4xx -> :class:`PermanentError` carrying X's own words;

Transport failures never quote the socket error (it would tell a tenant what listens where).
- 5xx -> :class:`UncertainOutcome` on a create, :class:`TransientError` otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from herald.plugins import (
    AuthExpired,
    DuplicateContent,
    OutboundRefused,
    PermanentError,
    RateLimited,
    TransientError,
    UncertainOutcome,
    outbound_http_client,
)
from herald_network_x.ratelimit import RateLimitStatus

#: X's old code for "rate limit exceeded", still seen in some bodies.
RATE_LIMIT_CODE = 88
#: X's old code for "status is a duplicate".
DUPLICATE_CODE = 187


class XHttp:
    """An httpx client with X's error mapping. ``on_limits`` receives every response's
    rate-limit headers. Use as a context manager; it owns its connection pool."""

    def __init__(self, timeout: httpx.Timeout, on_limits: Callable[[RateLimitStatus], None]) -> None:
        self._client = outbound_http_client(what="the X API URL", timeout=timeout, follow_redirects=False)
        self._on_limits = on_limits

    def __enter__(self) -> XHttp:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Any answer of X, unmapped (for calls with their own error rules, like the token
        endpoint); only failing to get an answer raises :class:`TransientError`."""
        try:
            response = self._client.request(method, url, **kwargs)
        except OutboundRefused as exc:
            raise PermanentError(exc.detail, code="outbound_refused") from exc
        except httpx.TransportError as exc:
            raise TransientError("X could not be reached.", code="unreachable") from exc
        limits = RateLimitStatus.from_headers(response.headers)
        if limits is not None:
            self._on_limits(limits)
        return response

    def call(self, method: str, url: str, *, token: str | None = None, creates: bool = False,
             **kwargs: Any) -> httpx.Response:
        """The response if X answered 2xx; otherwise raise the matching typed error."""
        headers = dict(kwargs.pop("headers", {}) or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        try:
            response = self._client.request(method, url, headers=headers, **kwargs)
        except OutboundRefused as exc:
            if creates and exc.extra.get("answered"):
                raise UncertainOutcome(f"{exc.detail} The post may exist.", code="outbound_refused") from exc
            raise PermanentError(exc.detail, code="outbound_refused") from exc
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError,
                httpx.UnsupportedProtocol) as exc:
            raise TransientError("X could not be reached.", code="unreachable") from exc
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            if creates:
                raise UncertainOutcome("X did not answer in time; the post may exist.", code="timeout") from exc
            raise TransientError("X did not answer in time.", code="timeout") from exc
        limits = RateLimitStatus.from_headers(response.headers)
        if limits is not None:
            self._on_limits(limits)
        if response.is_success:
            return response
        raise error_for(response, creates=creates, limits=limits)


def json_body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def x_message(body: Any, fallback: str) -> str:
    """X's own words from an error body: the problem's ``detail`` and each ``errors[].message``
    (or an OAuth ``error_description``)."""
    if not isinstance(body, dict):
        return fallback
    parts: list[str] = []
    for key in ("detail", "error_description"):
        if isinstance(body.get(key), str) and body[key]:
            parts.append(body[key])
    for err in body.get("errors") or []:
        if isinstance(err, dict):
            text = err.get("message") or err.get("detail")
            if isinstance(text, str) and text and text not in parts:
                parts.append(text)
    if not parts:
        for key in ("title", "error"):
            if isinstance(body.get(key), str) and body[key]:
                parts.append(body[key])
    return " ".join(parts) if parts else fallback


def _codes(body: Any) -> set[int]:
    if not isinstance(body, dict):
        return set()
    return {e.get("code") for e in body.get("errors") or [] if isinstance(e, dict) and isinstance(e.get("code"), int)}


def error_for(response: httpx.Response, *, creates: bool, limits: RateLimitStatus | None) -> Exception:
    """The typed error for a non-2xx answer of X."""
    status = response.status_code
    body = json_body(response)
    message = x_message(body, f"X answered {status}.")
    codes = _codes(body)
    if status == 429 or RATE_LIMIT_CODE in codes:
        reset_at, scope = limits.exhausted() if limits else (None, "account")
        return RateLimited(message, reset_at=reset_at, scope=scope, code="rate_limited", status=status)
    if status == 401:
        return AuthExpired(message, code="unauthorized", status=status)
    if status == 403 and (DUPLICATE_CODE in codes or "duplicate" in message.lower()):
        return DuplicateContent(message, code="duplicate", status=status)
    if 400 <= status < 500:
        return PermanentError(message, code=_problem_code(body, status), status=status)
    if creates:
        return UncertainOutcome(f"X answered {status}; the post may exist. {message}", code="server_error",
                                status=status)
    return TransientError(message, retry_after=_retry_after(response), code="server_error", status=status)


def _problem_code(body: Any, status: int) -> str:
    if isinstance(body, dict):
        kind = body.get("type")
        if isinstance(kind, str) and kind.rsplit("/", 1)[-1] not in ("", "about:blank"):
            return kind.rsplit("/", 1)[-1]
        if isinstance(body.get("error"), str):
            return body["error"]
    return f"http_{status}"


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["retry-after"])
    except (KeyError, ValueError):
        return None
