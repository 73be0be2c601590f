"""Salesforce's ``Sforce-Limit-Info`` header and how close it says the org is to its daily limit."""

from __future__ import annotations

import re
from dataclasses import dataclass

_USAGE = re.compile(r"(?:^|[;\s])api-usage=(\d+)/(\d+)")


@dataclass(frozen=True)
class ApiUsage:
    """Calls used of the org's rolling 24-hour API allowance."""

    used: int
    limit: int

    @property
    def share(self) -> float:
        return self.used / self.limit if self.limit > 0 else 1.0

    @classmethod
    def from_header(cls, value: str | None) -> ApiUsage | None:
        """``api-usage=18/5000`` (optionally followed by ``; per-app-api-usage=…``); None if absent."""
        match = _USAGE.search(value or "")
        return cls(int(match.group(1)), int(match.group(2))) if match else None


def pause_for(usage: ApiUsage | None, *, slow_at: float, stop_at: float, slow_delay: float,
              stop_delay: float) -> float:
    """Seconds to wait before the next batch: nothing below ``slow_at``, growing to ``slow_delay``
    as usage nears ``stop_at``, and ``stop_delay`` from there on."""
    if usage is None or usage.share < slow_at:
        return 0.0
    if usage.share >= stop_at:
        return stop_delay
    span = max(stop_at - slow_at, 1e-9)
    return slow_delay * (usage.share - slow_at) / span
