"""Meta's error codes → Herald's connector errors, per the contract's table."""

from __future__ import annotations

from datetime import datetime, timedelta

from herald.plugins import (
    AuthExpired,
    DuplicateContent,
    NetworkError,
    PermanentError,
    RateLimited,
    TransientError,
    UncertainOutcome,
)
from herald_network_facebook.graph import GraphError

THROTTLE_SCOPES = {4: "app", 17: "account", 32: "account", 613: "account"}
WINDOW_CLOSED = (10, 2018278)
#: a regain time beyond a day is not believed (a broken header must not park an account for years)
MAX_REGAIN_MINUTES = 24 * 60


class PermissionMissing(PermanentError):
    """The token lacks a permission or Page task (codes 10, 200–299): a person must reconnect
    granting it, so the item needs attention rather than a retry."""

    needs_attention = True


class MessagingWindowClosed(PermanentError):
    """Messenger refused a message outside the 24-hour window: only a new message from the person
    reopens it."""


def wait_until(usage_regain_minutes: float, now: datetime, fallback_s: float) -> datetime:
    if usage_regain_minutes > 0:
        return now + timedelta(minutes=min(usage_regain_minutes, MAX_REGAIN_MINUTES))
    return now + timedelta(seconds=fallback_s)


def to_herald(err: GraphError, *, now: datetime, fallback_s: float, uncertain: bool = False) -> NetworkError:
    """The Herald error for one failed request; ``uncertain`` marks a create that may have
    happened despite the failure (a timeout, a 5xx, an answer cut short)."""
    code, status = err.label, err.status
    maybe = uncertain and err.sent and (err.status is None or err.status >= 500 or 200 <= err.status < 300)
    if err.refused and not maybe:
        return PermanentError(err.message, code=code)
    if err.code is None or err.code in (1, 2) or (status or 0) >= 500:
        if maybe:
            return UncertainOutcome(f"Facebook may have done it: {err.message}", code=code, status=status)
        if err.code is None and status is not None and 400 <= status < 500 and status not in (408, 429):
            return PermanentError(err.message, code=code, status=status)
        return TransientError(err.message, code=code, status=status)
    if err.code == 190:
        return AuthExpired(err.message, code=code, status=status)
    if (err.code, err.subcode) == WINDOW_CLOSED:
        return MessagingWindowClosed(f"The 24-hour messaging window is closed: {err.message}", code=code, status=status)
    if err.code == 10 or 200 <= err.code <= 299:
        return PermissionMissing(f"Facebook refused for lack of a permission: {err.message}", code=code, status=status)
    if err.code in THROTTLE_SCOPES:
        reset = wait_until(err.usage.regain_minutes if err.usage else 0.0, now, fallback_s)
        return RateLimited(err.message, reset_at=reset, scope=THROTTLE_SCOPES[err.code], code=code, status=status)
    if err.code == 506:
        return DuplicateContent(err.message, code=code, status=status)
    return PermanentError(err.message, code=code, status=status)  # 100, 368, 551 and the rest
