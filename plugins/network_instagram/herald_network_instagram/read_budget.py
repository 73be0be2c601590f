"""Meta's usage headers as a :class:`RateBudget` for the inbox's poll spacing.

Meta does not count calls for us: ``X-App-Usage`` and ``X-Business-Use-Case-Usage`` give the
share of the allowance used, in percent, over a rolling hour (the app-level window; the
business use case's window is Meta's to choose, and it says how long to wait once it is used
up, in ``estimated_time_to_regain_access`` minutes). So the budget is expressed in percentage
points:

- ``limit`` is 100 (the whole allowance);
- ``remaining`` is what the most used figure of either header leaves, rounded down (a figure
  at or above 100 leaves 0);
- ``reset_at`` is the regain time when Meta gives one, else an hour from now (when a rolling
  hour's usage has certainly aged out).

An inbox that spreads ``remaining`` polls over the time until ``reset_at`` thus polls at its
minimum interval while usage is low, slows down as a figure nears 100, and stops until the
regain time once Meta says the account is throttled — as the contract asks.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from herald.plugins import RateBudget
from herald_network_instagram.error_map import MAX_REGAIN_MINUTES
from herald_network_instagram.graph import Usage

FULL = 100
#: Meta's app-level usage is counted over a rolling hour
USAGE_WINDOW = timedelta(hours=1)


def budget_from_usage(usage: Usage | None, now: datetime) -> RateBudget | None:
    """The budget the usage headers of the latest answer imply (None: Meta sent none)."""
    if usage is None:
        return None
    used = usage.highest_percent
    remaining = 0 if used >= FULL else max(0, math.floor(FULL - used))
    if usage.regain_minutes > 0:
        reset_at = now + timedelta(minutes=min(usage.regain_minutes, MAX_REGAIN_MINUTES))
    else:
        reset_at = now + USAGE_WINDOW
    return RateBudget(limit=FULL, remaining=remaining, reset_at=reset_at)
