"""Listening never starves publishing or the inbox.

Before a listening call on an account Herald checks every budget the account reported:

- publishing holds the account (``AccountCredential.blocked_until``, after a 429 or a spent
  allowance): listening waits too;
- listening's own last call (:class:`ListeningBudget`) and the inbox's polls
  (:class:`~herald.inbox.models.PollState`) said how many calls are left until the window's
  reset: listening calls only while more than :data:`RESERVE_FRACTION` of the window's limit
  (at least one call) is left, so the reserve stays for scheduled posts, replies and the inbox;
- after a 429 on a listening call, the account's listening pauses until the reset the network
  gave (or :data:`FALLBACK_PAUSE` when it gave none); publishing is not held by it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.inbox.models import PollState
from herald.listening.models import ListeningBudget
from herald.networks.connector import RateBudget
from herald.publishing.models import AccountCredential

#: the share of a window's limit listening leaves to publishing and the inbox
RESERVE_FRACTION = 0.25
FALLBACK_PAUSE = timedelta(minutes=15)


@dataclass(frozen=True)
class Gate:
    allowed: bool
    until: datetime | None = None
    reason: str = ""


def reserve(limit: int) -> int:
    return max(math.ceil(limit * RESERVE_FRACTION), 1)


def _low(limit: int | None, remaining: int | None, reset_at: datetime | None, now: datetime) -> bool:
    if limit is None or remaining is None or reset_at is None or reset_at <= now:
        return False
    return remaining <= reserve(limit)


def gate(session: Session, account_id: str, now: datetime) -> Gate:
    """Whether listening may call the network for this account now."""
    cred = session.execute(select(AccountCredential).where(AccountCredential.account_id == account_id)
                           ).scalar_one_or_none()
    if cred is not None and cred.blocked_until is not None and cred.blocked_until > now:
        return Gate(False, cred.blocked_until, "Publishing holds this account until "
                    f"{cred.blocked_until.isoformat(timespec='seconds')}; listening waits too.")
    own = session.get(ListeningBudget, account_id)
    if own is not None:
        if own.paused_until is not None and own.paused_until > now:
            return Gate(False, own.paused_until, own.reason or "The network asked listening to wait.")
        if _low(own.limit, own.remaining, own.reset_at, now):
            return Gate(False, own.reset_at, f"Only {own.remaining} of {own.limit} calls are left until "
                        f"{own.reset_at.isoformat(timespec='seconds')}; they are kept for publishing "  # type: ignore[union-attr]
                        "and the inbox.")
    for state in session.execute(select(PollState).where(PollState.account_id == account_id)).scalars():
        if _low(state.budget_limit, state.budget_remaining, state.budget_reset_at, now):
            return Gate(False, state.budget_reset_at, f"The inbox's {state.stream} budget for this account is "
                        "nearly spent; listening leaves what is left to it.")
    return Gate(True)


def _row(session: Session, account_id: str, tenant_id: str) -> ListeningBudget:
    row = session.get(ListeningBudget, account_id)
    if row is None:
        row = ListeningBudget(account_id=account_id, tenant_id=tenant_id)
        session.add(row)
    return row


def record(session: Session, account_id: str, tenant_id: str, budget: RateBudget | None) -> None:
    """Remember what a listening call's answer said about the budget."""
    if budget is None:
        return
    row = _row(session, account_id, tenant_id)
    row.limit, row.remaining, row.reset_at = budget.limit, budget.remaining, budget.reset_at


def pause(session: Session, account_id: str, tenant_id: str, until: datetime | None, reason: str,
          now: datetime) -> datetime:
    """After a 429: no listening call on the account before ``until`` (its reset)."""
    row = _row(session, account_id, tenant_id)
    row.paused_until = until if until is not None and until > now else now + FALLBACK_PAUSE
    row.reason = reason
    return row.paused_until
