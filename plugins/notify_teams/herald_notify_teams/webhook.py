"""Posting one message to a Teams webhook (a Workflows trigger or a legacy connector), and how
Teams' answers become Herald's typed errors.

- 202 with an empty body (Workflows: delivery is asynchronous and failures are never reported
  back), or 200 with ``1`` (a connector): accepted.
- 200 with ``Webhook message delivery failed with error: … HTTP error <n> …`` (a connector that
  failed but answers 200): read as if Teams had answered ``<n>``.
- 429 (as a status or inside such a body): ``Retry-After`` is waited for (up to
  ``max_wait_seconds``) and the message sent again — nothing was posted, so this cannot
  duplicate it; a longer wait is :class:`RateLimited`, left to Herald's queue.
- 5xx, a timeout or a dropped connection: :class:`TransientError`, retried by Herald's queue.
- any other answer (400 bad payload, 401/403, 404 a removed webhook, 413 too large…):
  :class:`PermanentError`; retrying cannot help.
- a webhook the outbound policy refuses: :class:`PermanentError` ``outbound_refused``.

Errors name the channel, never the webhook URL (it carries the credential), and never quote
Teams' free text."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from email.utils import parsedate_to_datetime
from hashlib import sha256
from typing import Any

import httpx

from herald.plugins import (
    OutboundRefused,
    PermanentError,
    RateLimited,
    TransientError,
    outbound_http_client,
    utcnow,
)
from herald_notify_teams.card import encoded

#: how a connector says, with a 200, that it did not deliver
_FAILED = re.compile(r"webhook message delivery failed", re.IGNORECASE)
_FAILED_STATUS = re.compile(r"HTTP error (\d{3})", re.IGNORECASE)
#: how often a 429 is waited out within one delivery before the queue takes over
MAX_RATE_LIMITED_TRIES = 3
#: a Retry-After beyond a day is not believed (and would not fit a date)
MAX_RETRY_AFTER = 86400.0


class Pacer:
    """Keeps messages to one webhook at least ``interval`` seconds apart within this process.
    It is keyed by a digest of the URL (never the URL itself) and holds no tenant's settings:
    Teams throttles per webhook, whichever tenant's job posts to it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}

    def wait_turn(self, url: str, interval: float, sleep: Callable[[float], None],
                  clock: Callable[[], float] = time.monotonic) -> None:
        key = sha256(url.encode()).hexdigest()
        with self._lock:
            now = clock()
            turn = max(now, self._next.get(key, now))
            self._next[key] = turn + interval
        if turn > now:
            sleep(turn - now)


PACER = Pacer()


def retry_after(value: str | None) -> float:
    """Seconds Teams asks to wait (``Retry-After`` as seconds or an HTTP date); 1 if none."""
    if not value:
        return 1.0
    value = value.strip()
    try:
        wait = float(value) if value.isdigit() else (parsedate_to_datetime(value) - utcnow()).total_seconds()
    except (TypeError, ValueError, OverflowError):
        return 1.0
    return min(max(0.0, wait), MAX_RETRY_AFTER)


def effective_status(response: httpx.Response) -> int:
    """The status Teams meant: a connector's 200 "delivery failed" body carries the real one
    (no number in it: a failure all the same, taken as 400)."""
    if 200 <= response.status_code < 300 and _FAILED.search(response.text[:2000]):
        found = _FAILED_STATUS.search(response.text[:2000])
        return int(found.group(1)) if found else 400
    return response.status_code


def post(url: str, payload: dict[str, Any], *, channel: str, timeout: float, min_interval: float,
         max_wait: float, sleep: Callable[[float], None] = time.sleep) -> None:
    """Post ``payload`` to the webhook of ``channel`` once (again only after a 429)."""
    what = f"the Teams webhook of channel {channel}"
    try:
        with outbound_http_client(what=what, timeout=timeout, follow_redirects=False) as client:
            for attempt in range(1, MAX_RATE_LIMITED_TRIES + 1):
                PACER.wait_turn(url, min_interval, sleep)
                response = client.post(url, content=encoded(payload),
                                       headers={"Content-Type": "application/json; charset=utf-8"})
                status = effective_status(response)
                if status != 429:
                    break
                wait = retry_after(response.headers.get("Retry-After"))
                if wait > max_wait or attempt == MAX_RATE_LIMITED_TRIES:
                    break
                sleep(wait)
    except OutboundRefused as exc:
        raise PermanentError(f"Herald may not connect to {what} (the outbound policy refuses it).",
                             code="outbound_refused") from exc
    except httpx.TimeoutException as exc:
        raise TransientError(f"Teams did not answer in time for channel {channel}.", code="timeout") from exc
    except httpx.HTTPError as exc:
        raise TransientError(f"Could not reach Teams for channel {channel}.", code="unreachable") from exc
    _judge(status, response, channel)


def _judge(status: int, response: httpx.Response, channel: str) -> None:
    if 200 <= status < 300:
        return
    code = f"http_{status}"
    if status == 429:
        wait = retry_after(response.headers.get("Retry-After"))
        raise RateLimited(f"Teams is throttling channel {channel}.", reset_at=utcnow() + timedelta(seconds=wait),
                          scope="webhook", code=code, status=status)
    if status >= 500:
        raise TransientError(f"Teams failed to take the message for channel {channel} ({status}).", code=code,
                             status=status)
    raise PermanentError(f"Teams refused the message for channel {channel} ({status}).", code=code, status=status)
