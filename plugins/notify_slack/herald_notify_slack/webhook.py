"""Posting one message to a Slack incoming webhook, and how Slack's answers become Herald's
typed errors.

- 200 (``ok``): delivered.
- 429: Slack's ``Retry-After`` is waited for (up to ``max_wait_seconds``) and the message sent
  again — nothing was posted, so this cannot duplicate it; a longer wait is
  :class:`RateLimited`, left to Herald's queue.
- 5xx (``rollup_error``…), a timeout or a dropped connection: :class:`TransientError`, retried
  by Herald's queue (Slack has no idempotency key, so only these are retried).
- any other answer (400 ``invalid_payload``, 403 ``action_prohibited``, 404
  ``channel_not_found``, 410 ``channel_is_archived``…): :class:`PermanentError` with Slack's
  code; retrying cannot help.
- a webhook the outbound policy refuses: :class:`PermanentError` ``outbound_refused``.

Errors name the channel, never the webhook URL: the URL is the channel's credential."""

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

#: Slack's error codes are short snake_case words; anything else is not quoted
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
#: how often a 429 is waited out within one delivery before the queue takes over
MAX_RATE_LIMITED_TRIES = 3
#: a Retry-After beyond a day is not believed (and would not fit a date)
MAX_RETRY_AFTER = 86400.0


class Pacer:
    """Keeps messages to one webhook at least ``interval`` seconds apart within this process.
    It is keyed by a digest of the URL (never the URL itself) and holds no tenant's settings:
    Slack's limit is per webhook, whichever tenant's job posts to it."""

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
    """Seconds Slack asks to wait (``Retry-After`` as seconds or an HTTP date); 1 if it gave none."""
    if not value:
        return 1.0
    value = value.strip()
    try:
        wait = float(value) if value.isdigit() else (parsedate_to_datetime(value) - utcnow()).total_seconds()
    except (TypeError, ValueError, OverflowError):
        return 1.0
    return min(max(0.0, wait), MAX_RETRY_AFTER)


def slack_code(response: httpx.Response) -> str:
    text = response.text.strip()
    return text if _CODE.match(text) else f"http_{response.status_code}"


def post(url: str, payload: dict[str, Any], *, channel: str, timeout: float, min_interval: float,
         max_wait: float, sleep: Callable[[float], None] = time.sleep) -> None:
    """Post ``payload`` to the webhook of ``channel`` once (again only after a 429)."""
    what = f"the Slack webhook of channel {channel}"
    try:
        with outbound_http_client(what=what, timeout=timeout, follow_redirects=False) as client:
            for attempt in range(1, MAX_RATE_LIMITED_TRIES + 1):
                PACER.wait_turn(url, min_interval, sleep)
                response = client.post(url, json=payload)
                if response.status_code != 429:
                    break
                wait = retry_after(response.headers.get("Retry-After"))
                if wait > max_wait or attempt == MAX_RATE_LIMITED_TRIES:
                    break
                sleep(wait)
    except OutboundRefused as exc:
        raise PermanentError(f"Herald may not connect to {what} (the outbound policy refuses it).",
                             code="outbound_refused") from exc
    except httpx.TimeoutException as exc:
        raise TransientError(f"Slack did not answer in time for channel {channel}.", code="timeout") from exc
    except httpx.HTTPError as exc:
        raise TransientError(f"Could not reach Slack for channel {channel}.", code="unreachable") from exc
    _judge(response, channel)


def _judge(response: httpx.Response, channel: str) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    code = slack_code(response)
    if status == 429:
        wait = retry_after(response.headers.get("Retry-After"))
        raise RateLimited(f"Slack is rate limiting channel {channel}.", reset_at=utcnow() + timedelta(seconds=wait),
                          scope="webhook", code=code, status=status)
    if status >= 500:
        raise TransientError(f"Slack failed to take the message for channel {channel}: {code}.", code=code,
                             status=status)
    raise PermanentError(f"Slack refused the message for channel {channel}: {code}.", code=code, status=status)
