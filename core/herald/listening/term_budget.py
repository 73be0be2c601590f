"""Budgets of distinct search terms per account (Instagram: 30 unique hashtags per rolling 7
days). A term's window starts when the account first searches it; a repeat within the window is
free and does not restart it; once the window has passed, searching the term again starts a new
one. Herald refuses a run that would take the account past the budget, with the terms in use and
when the next slot frees."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.listening.models import ListeningTermUse


class TermBudgetExhausted(Exception):
    def __init__(self, message: str, frees_at: datetime | None) -> None:
        super().__init__(message)
        self.message = message
        self.frees_at = frees_at


def in_use(session: Session, account_id: str, window: timedelta, now: datetime) -> dict[str, datetime]:
    """Terms whose window is open, with when each started."""
    rows = session.execute(select(ListeningTermUse.term, ListeningTermUse.window_started_at).where(
        ListeningTermUse.account_id == account_id, ListeningTermUse.window_started_at > now - window)).all()
    return {term: started for term, started in rows}


def spend(session: Session, *, tenant_id: str, account_id: str, network: str, terms: list[str], limit: int,
          window: timedelta, now: datetime, display: str = "terms") -> list[str]:
    """Count ``terms`` against the account's budget; returns those that opened a new window.
    Raises :class:`TermBudgetExhausted` (spending nothing) when they do not fit."""
    # The row lock keeps two runs of the same account from both taking the last slot.
    session.execute(select(ListeningTermUse.term).where(ListeningTermUse.account_id == account_id)
                    .with_for_update()).all()
    open_ = in_use(session, account_id, window, now)
    wanted = list(dict.fromkeys(t.lower() for t in terms))
    fresh = [t for t in wanted if t not in open_]
    if len(open_) + len(fresh) > limit:
        frees = sorted(open_.values())
        frees_at = frees[len(open_) + len(fresh) - limit - 1] + window if frees else None
        shown = ", ".join(f"#{t}" if display == "hashtags" else t for t in sorted(open_))
        raise TermBudgetExhausted(
            f"This account may search {limit} different {display} in {window.days} days; {len(open_)} are in use "
            f"({shown}) and this query needs {len(fresh)} more ("
            f"{', '.join(fresh)}). The next slot frees at "
            f"{frees_at.isoformat(timespec='minutes') if frees_at else 'an unknown time'}; "
            "search with another account or fewer new terms.", frees_at)
    for term in fresh:
        row = session.get(ListeningTermUse, (account_id, term))
        if row is None:
            session.add(ListeningTermUse(account_id=account_id, term=term, tenant_id=tenant_id, network=network,
                                         window_started_at=now))
        else:
            row.window_started_at = now
    session.flush()
    return fresh
