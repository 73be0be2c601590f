"""X's rate-limit headers as the :class:`RateBudget` the inbox spaces an account's polls by.

A read is answered with ``x-rate-limit-limit``/``-remaining``/``-reset`` for the endpoint's
15-minute window; the last answer of a poll says what is left. When X sends none of them (a
proxy that drops headers), the budget assumes a fresh window of the configured size, less the
calls the poll made: pacing stays within X's documented limit instead of stopping altogether.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from herald.plugins import RateBudget
from herald_network_x.ratelimit import RateLimitStatus

WINDOW = timedelta(minutes=15)


def read_budget(seen: list[RateLimitStatus], *, now: datetime, calls: int,
                assumed_limit: int | None = None) -> RateBudget | None:
    """The budget after a poll that saw ``seen`` (every answer's headers, in order) and made
    ``calls`` calls; None when X said nothing and no limit is assumed."""
    last = seen[-1] if seen else None
    if last is not None and last.limit is not None and last.remaining is not None and last.reset_at is not None:
        if last.user_24h_remaining == 0 and last.user_24h_reset_at is not None:
            return RateBudget(limit=last.limit, remaining=0, reset_at=last.user_24h_reset_at)
        return RateBudget(limit=last.limit, remaining=max(last.remaining, 0), reset_at=last.reset_at)
    if assumed_limit is None:
        return None
    return RateBudget(limit=assumed_limit, remaining=max(assumed_limit - calls, 0), reset_at=now + WINDOW)
