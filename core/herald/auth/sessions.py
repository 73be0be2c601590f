"""Browser sessions: server-side records named by an opaque cookie.

The cookie holds ``<session id>.<secret>``; only SHA-256(secret) is stored. A session ends at
sign-out, at "sign out everywhere", when its user is disabled, after ``session_idle_minutes``
without a request, or ``session_absolute_hours`` after sign-in, whichever comes first. Signing in
always creates a new session (and ends any session the browser presented), so a session id
planted before sign-in is worthless (no fixation)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald import audit
from herald.auth.models import BrowserSession
from herald.authz.actor import Actor
from herald.clock import utcnow
from herald.config import Settings
from herald.db.kept import keep
from herald.people.models import User
from herald.tenancy.models import Tenant

COOKIE = "herald_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FORM_FIELD = "csrf_token"
# Avoid a write on every request: last activity is recorded at most this often.
SEEN_RESOLUTION = timedelta(seconds=15)
SESSION_FIELDS = ("id", "user_id", "via", "address", "expires_at", "ended_at", "end_reason")


@dataclass(frozen=True)
class SsoDetails:
    provider: str
    subject: str
    session_index: str | None = None
    expires_at: datetime | None = None
    #: sealed (``SecretBox.seal``) attributes the provider needs at sign-out
    sealed_attributes: str | None = None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def lookup(session: Session, cookie: str | None) -> BrowserSession | None:
    if not cookie or cookie.count(".") != 1 or len(cookie) > 200:
        return None
    sid, secret = cookie.split(".")
    row = session.get(BrowserSession, sid)
    if row is None or not hmac.compare_digest(row.secret_hash, _digest(secret)):
        return None
    return row


def start(session: Session, user: User, settings: Settings, *, via: str, address: str | None,
          user_agent: str | None, presented: str | None = None, sso: SsoDetails | None = None
          ) -> tuple[BrowserSession, str]:
    """A new session for ``user``; returns it and the cookie value. Whatever session the browser
    presented is ended first: the id changes at every sign-in."""
    old = lookup(session, presented)
    if old is not None and old.ended_at is None:
        end(session, old, "rotated")
    now = utcnow()
    expires = now + timedelta(hours=settings.session_absolute_hours)
    if sso is not None and sso.expires_at is not None:
        expires = min(expires, sso.expires_at)
    secret = secrets.token_urlsafe(32)
    row = BrowserSession(
        tenant_id=user.tenant_id, user_id=user.id, secret_hash=_digest(secret),
        csrf_token=secrets.token_urlsafe(32), via=via, address=address, user_agent=(user_agent or "")[:300],
        created_at=now, last_seen_at=now, expires_at=expires,
        sso_provider=sso.provider if sso else None, sso_subject=sso.subject if sso else None,
        sso_session_index=sso.session_index if sso else None,
        sso_attributes=sso.sealed_attributes if sso else None,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor_for(user, row), "session.started", "session", row.id, tenant_id=user.tenant_id,
                 after=audit.snapshot(row, SESSION_FIELDS))
    return row, f"{row.id}.{secret}"


def actor_for(user: User, row: BrowserSession) -> Actor:
    return Actor(user_id=user.id, tenant_id=user.tenant_id, label=user.email, is_operator=user.is_operator,
                 via="session", session_id=row.id)


def resolve(session: Session, cookie: str | None, settings: Settings) -> tuple[BrowserSession, User] | None:
    """The live session the cookie names and its user, or None. Ends a session found past its
    idle or absolute timeout."""
    row = lookup(session, cookie)
    if row is None or row.ended_at is not None:
        return None
    now = utcnow()
    if now >= row.expires_at:
        end(session, row, "expired")
        return None
    if now - row.last_seen_at >= timedelta(minutes=settings.session_idle_minutes):
        end(session, row, "idle")
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        end(session, row, "user_disabled")
        return None
    tenant = None
    if user.tenant_id is not None:
        tenant = session.get(Tenant, user.tenant_id)
        if tenant is None or tenant.status != "active":
            return None
    keep(session, row, user, tenant)  # asked for again by the rest of the request
    if now - row.last_seen_at >= SEEN_RESOLUTION:
        row.last_seen_at = now
    return row, user


def check_csrf(row: BrowserSession, presented: str | None) -> bool:
    return bool(presented) and hmac.compare_digest(row.csrf_token.encode(), (presented or "").encode())


def end(session: Session, row: BrowserSession, reason: str, actor: Actor | None = None) -> None:
    if row.ended_at is not None:
        return
    row.ended_at = utcnow()
    row.end_reason = reason
    row.sso_attributes = None  # what the identity provider issued does not outlive the session
    session.flush()
    audit.record(session, actor, "session.ended", "session", row.id, tenant_id=row.tenant_id,
                 after=audit.snapshot(row, SESSION_FIELDS))


def end_all(session: Session, user_id: str, reason: str, actor: Actor | None = None) -> int:
    """End every live session of a user ("sign out everywhere", deprovisioning)."""
    rows = session.execute(select(BrowserSession).where(
        BrowserSession.user_id == user_id, BrowserSession.ended_at.is_(None))).scalars().all()
    for row in rows:
        end(session, row, reason, actor)
    return len(rows)
