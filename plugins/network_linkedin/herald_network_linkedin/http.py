"""One HTTP conversation with LinkedIn, and how LinkedIn's answers become Herald's typed errors.

- a URL the outbound policy refuses -> :class:`PermanentError` (nothing was sent);
- no connection -> :class:`TransientError`; a timeout or broken answer after sending ->
  :class:`UncertainOutcome` on a create (``creates``), :class:`TransientError` otherwise;
- 401 -> :class:`AuthExpired`; 429 -> :class:`RateLimited` (see :func:`throttle_reset`);
- 422/409 naming a duplicate -> :class:`DuplicateContent`; other 4xx -> :class:`PermanentError`
  with LinkedIn's own ``message``; 5xx -> :class:`UncertainOutcome` on a create, else transient.
Socket errors and bodies that are not LinkedIn's error envelope are never quoted.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
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


class LinkedInHttp:
    """An outbound-policy httpx client that adds LinkedIn's versioned headers to every call
    made with a token. Use as a context manager; it owns its connection pool."""

    def __init__(self, timeout: httpx.Timeout, *, version: str, now: datetime, throttle_wait: int) -> None:
        self._client = outbound_http_client(what="the LinkedIn API URL", timeout=timeout, follow_redirects=False)
        self._version = version
        self._now = now
        self._throttle_wait = throttle_wait

    def __enter__(self) -> LinkedInHttp:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Any answer, unmapped (the token endpoint has its own error rules)."""
        return self._request(method, url, creates=False, **kwargs)

    def call(self, method: str, url: str, *, token: str, creates: bool = False, restli_method: str | None = None,
             **kwargs: Any) -> httpx.Response:
        """The response if LinkedIn answered 2xx; otherwise the matching typed error."""
        headers = {"Authorization": f"Bearer {token}", "LinkedIn-Version": self._version,
                   "X-Restli-Protocol-Version": "2.0.0", **(kwargs.pop("headers", None) or {})}
        if restli_method:
            headers["X-RestLi-Method"] = restli_method
        response = self._request(method, url, creates=creates, headers=headers, **kwargs)
        if response.is_success:
            return response
        raise error_for(response, creates=creates, now=self._now, throttle_wait=self._throttle_wait)

    def _request(self, method: str, url: str, *, creates: bool, **kwargs: Any) -> httpx.Response:
        try:
            return self._client.request(method, url, **kwargs)
        except OutboundRefused as exc:
            if creates and exc.extra.get("answered"):
                raise UncertainOutcome(f"{exc.detail} The post may exist.", code="outbound_refused") from exc
            raise PermanentError(exc.detail, code="outbound_refused") from exc
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError,
                httpx.UnsupportedProtocol) as exc:
            raise TransientError("LinkedIn could not be reached.", code="unreachable") from exc
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            if creates:
                raise UncertainOutcome("LinkedIn did not answer in time; it may have been created.",
                                       code="timeout") from exc
            raise TransientError("LinkedIn did not answer in time.", code="timeout") from exc


def json_body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def envelope(body: Any) -> tuple[str | None, str | None]:
    """LinkedIn's ``message`` and ``code`` (or ``serviceErrorCode``) from an error body; None
    for anything that is not LinkedIn's envelope."""
    body = as_dict(body)
    message = body.get("message") if isinstance(body.get("message"), str) and body.get("message") else None
    code = body.get("code") if isinstance(body.get("code"), str) else None
    if code is None and isinstance(body.get("serviceErrorCode"), int):
        code = f"service_error_{body['serviceErrorCode']}"
    return message, code


def throttle_reset(response: httpx.Response, message: str, now: datetime, wait: int) -> datetime:
    """When a throttled account may call again. LinkedIn sends no reset header: a ``Retry-After``
    is honoured if one ever comes; a 429 naming the daily limit waits for midnight UTC, when
    LinkedIn's daily quotas reset; any other waits the configured short time."""
    try:
        return now + timedelta(seconds=max(0.0, float(response.headers["retry-after"])))
    except (KeyError, ValueError):
        pass
    if "DAY" in message:
        return datetime.combine(now.date() + timedelta(days=1), time(0), tzinfo=now.tzinfo)
    return now + timedelta(seconds=wait)


def error_for(response: httpx.Response, *, creates: bool, now: datetime, throttle_wait: int) -> Exception:
    """The typed error for a non-2xx answer of LinkedIn."""
    status = response.status_code
    body = json_body(response)
    message, code = envelope(body)
    text = message or f"LinkedIn answered {status}."
    if status == 429:
        return RateLimited(text, reset_at=throttle_reset(response, text, now, throttle_wait), code="rate_limited",
                           status=status)
    if status == 401:
        return AuthExpired(text, code=code or "unauthorized", status=status)
    if status in (409, 422) and ("duplicate" in text.lower() or "DUPLICATE_POST" in response.text):
        return DuplicateContent(text, code="duplicate", status=status)
    if 400 <= status < 500:
        return PermanentError(text, code=code or f"http_{status}", status=status)
    if creates:
        return UncertainOutcome(f"LinkedIn answered {status}; it may have been created.", code="server_error",
                                status=status)
    return TransientError(text, code=code or "server_error", status=status)
