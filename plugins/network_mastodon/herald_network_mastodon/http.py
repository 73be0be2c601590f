"""One HTTP conversation with a Mastodon instance, and how its answers become Herald's typed errors.

Mastodon answers errors as ``{"error": "..."}`` (OAuth endpoints add ``error_description``):

- a URL the outbound policy refuses -> :class:`PermanentError` ``outbound_refused`` (nothing sent);
- no connection / connect timeout -> :class:`TransientError` (nothing sent);
- a timeout or broken connection after sending -> :class:`UncertainOutcome` on a create;
- 401 -> :class:`AuthRevoked` when the instance says the token was revoked, else :class:`AuthExpired`;
- 429 -> :class:`RateLimited` until ``X-RateLimit-Reset``; other 4xx -> :class:`PermanentError`;
- 5xx -> :class:`UncertainOutcome` on a create, :class:`TransientError` otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from herald.plugins import (
    AuthExpired,
    AuthRevoked,
    OutboundRefused,
    PermanentError,
    RateBudget,
    RateLimited,
    TransientError,
    UncertainOutcome,
    outbound_http_client,
)


@dataclass(frozen=True)
class RateLimit:
    """``X-RateLimit-Limit``/``-Remaining``/``-Reset`` (an ISO 8601 instant) of one answer."""

    limit: int
    remaining: int
    reset_at: datetime

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RateLimit | None:
        try:
            reset = datetime.fromisoformat(headers["x-ratelimit-reset"].replace("Z", "+00:00"))
            limit, remaining = int(headers["x-ratelimit-limit"]), int(headers["x-ratelimit-remaining"])
        except (KeyError, ValueError):
            return None
        return cls(limit, remaining, reset) if reset.tzinfo is not None else None

    def budget(self) -> RateBudget:
        return RateBudget(limit=self.limit, remaining=max(self.remaining, 0), reset_at=self.reset_at)


class MastodonHttp:
    """An httpx client for one instance with Mastodon's error mapping; remembers the last
    rate-limit headers it saw (:attr:`last_limit`). Use as a context manager."""

    def __init__(self, base: str, token: str | None, timeout: float) -> None:
        self.base = base.rstrip("/")
        self._token = token
        self._client = outbound_http_client(what="the Mastodon instance URL", timeout=timeout)
        self.last_limit: RateLimit | None = None

    def __enter__(self) -> MastodonHttp:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def call(self, method: str, path: str, *, creates: bool = False, check: bool = True,
             **kwargs: Any) -> httpx.Response:
        """The response if the instance answered 2xx (any answer with ``check=False``, for calls
        with their own error rules); otherwise the matching typed error."""
        headers = dict(kwargs.pop("headers", None) or {})
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        try:
            response = self._client.request(method, self.base + path, headers=headers, **kwargs)
        except OutboundRefused as exc:
            if creates and exc.extra.get("answered"):
                raise UncertainOutcome(f"{exc.detail} The post may exist.", code="outbound_refused") from exc
            raise PermanentError(exc.detail, code="outbound_refused") from exc
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol) as exc:
            raise TransientError("The Mastodon instance could not be reached.", code="unreachable") from exc
        except httpx.TransportError as exc:
            if creates:
                raise UncertainOutcome("The instance did not answer; the post may exist.", code="timeout") from exc
            raise TransientError("The Mastodon instance did not answer in time.", code="timeout") from exc
        self.last_limit = RateLimit.from_headers(response.headers) or self.last_limit
        if response.is_success or not check:
            return response
        raise error_for(response, creates=creates, limit=RateLimit.from_headers(response.headers))


def link_param(response: httpx.Response, rel: str, name: str) -> str | None:
    """One paging parameter of the ``Link`` header. Only the id is taken: the link's own host is
    not trusted, every request goes to the configured instance."""
    url = response.links.get(rel, {}).get("url")
    values = parse_qs(urlsplit(url).query).get(name) if url else None
    return values[0] if values else None


def json_body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def mastodon_message(body: Any, fallback: str) -> str:
    """The instance's own words: ``error`` and, from OAuth endpoints, ``error_description``."""
    if not isinstance(body, dict):
        return fallback
    parts = [body[k] for k in ("error", "error_description") if isinstance(body.get(k), str) and body[k]]
    return ": ".join(parts) if parts else fallback


def error_for(response: httpx.Response, *, creates: bool, limit: RateLimit | None) -> Exception:
    status = response.status_code
    message = mastodon_message(json_body(response), f"The Mastodon instance answered {status}.")
    if status == 429:
        return RateLimited(message, reset_at=limit.reset_at if limit else None, code="rate_limited", status=status)
    if status == 401:
        if "revoked" in message.lower():
            return AuthRevoked(message, code="token_revoked", status=status)
        return AuthExpired(message, code="unauthorized", status=status)
    if 400 <= status < 500:
        return PermanentError(message, code=f"http_{status}", status=status)
    if creates:
        return UncertainOutcome(f"The instance answered {status}; the post may exist. {message}",
                                code="server_error", status=status)
    return TransientError(message, code="server_error", status=status)
