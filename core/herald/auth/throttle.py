"""Sign-in throttling: after too many failures for one account, or from one client address,
within a sliding window, further attempts are refused until the oldest counted failure ages out.

Failures are rows in the database, so every web process counts the same attempts."""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from herald.auth.models import SignInFailure
from herald.clock import utcnow
from herald.config import Settings


def _keys(settings: Settings, tenant_id: str, email: str, address: str | None) -> list[tuple[str, str, int]]:
    keys = [("account", f"{tenant_id}:{email}", settings.signin_max_failures_per_account)]
    if address:
        keys.append(("address", address, settings.signin_max_failures_per_address))
    return keys


def retry_after(session: Session, settings: Settings, tenant_id: str, email: str, address: str | None
                ) -> tuple[int, str] | None:
    """(seconds to wait, "account" or "address") if attempts are throttled now, else None."""
    window = timedelta(minutes=settings.signin_failure_window_minutes)
    now = utcnow()
    worst: tuple[int, str] | None = None
    for scope, key, limit in _keys(settings, tenant_id, email, address):
        recent = session.execute(
            select(SignInFailure.at).where(SignInFailure.scope == scope, SignInFailure.key == key,
                                           SignInFailure.at > now - window)
            .order_by(SignInFailure.at.desc()).limit(limit)
        ).scalars().all()
        if len(recent) >= limit:
            wait = max(1, math.ceil((recent[-1] + window - now).total_seconds()))
            if worst is None or wait > worst[0]:
                worst = (wait, scope)
    return worst


def record_failure(session: Session, settings: Settings, tenant_id: str, email: str, address: str | None) -> None:
    now = utcnow()
    for scope, key, _ in _keys(settings, tenant_id, email, address):
        session.add(SignInFailure(scope=scope, key=key, at=now))
        # Keep the table small: failures older than a day never count again.
        session.execute(delete(SignInFailure).where(SignInFailure.scope == scope, SignInFailure.key == key,
                                                    SignInFailure.at < now - timedelta(days=1)))


def clear_account(session: Session, tenant_id: str, email: str) -> None:
    """A successful sign-in forgives the account's failures (not the address's)."""
    session.execute(delete(SignInFailure).where(SignInFailure.scope == "account",
                                                SignInFailure.key == f"{tenant_id}:{email}"))
