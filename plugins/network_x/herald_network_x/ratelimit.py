"""X's rate-limit headers, read from every response so the engine can pace each account."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class RateLimitStatus:
    """The last rate-limit headers X sent: the 15-minute window of the endpoint (``limit``,
    ``remaining``, ``reset_at``) and, when present, the 24-hour user and app limits."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: datetime | None = None
    user_24h_limit: int | None = None
    user_24h_remaining: int | None = None
    user_24h_reset_at: datetime | None = None
    app_24h_limit: int | None = None
    app_24h_remaining: int | None = None
    app_24h_reset_at: datetime | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RateLimitStatus | None:
        """None when the response carries none of X's rate-limit headers."""
        status = cls(
            limit=_int(headers.get("x-rate-limit-limit")),
            remaining=_int(headers.get("x-rate-limit-remaining")),
            reset_at=_epoch(headers.get("x-rate-limit-reset")),
            user_24h_limit=_int(headers.get("x-user-limit-24hour-limit")),
            user_24h_remaining=_int(headers.get("x-user-limit-24hour-remaining")),
            user_24h_reset_at=_epoch(headers.get("x-user-limit-24hour-reset")),
            app_24h_limit=_int(headers.get("x-app-limit-24hour-limit")),
            app_24h_remaining=_int(headers.get("x-app-limit-24hour-remaining")),
            app_24h_reset_at=_epoch(headers.get("x-app-limit-24hour-reset")),
        )
        return None if status == cls() else status

    def exhausted(self) -> tuple[datetime | None, str]:
        """When the account (or the app) may call again after a refusal, and whose limit it was.
        The 24-hour limits win over the 15-minute window when they are the ones used up."""
        if self.user_24h_remaining == 0 and self.user_24h_reset_at:
            return self.user_24h_reset_at, "account"
        if self.app_24h_remaining == 0 and self.app_24h_reset_at:
            return self.app_24h_reset_at, "app"
        return self.reset_at, "account"

    def spent_until(self) -> datetime | None:
        """After a success: the latest reset of every window this answer says is used up (the
        15-minute window, the 24-hour user or app limit), or None while calls remain."""
        spent = [reset for remaining, reset in ((self.remaining, self.reset_at),
                                                (self.user_24h_remaining, self.user_24h_reset_at),
                                                (self.app_24h_remaining, self.app_24h_reset_at))
                 if remaining is not None and remaining <= 0 and reset is not None]
        return max(spent) if spent else None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _epoch(value: str | None) -> datetime | None:
    seconds = _int(value)
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None
