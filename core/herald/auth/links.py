"""Single-use, expiring links sent by email: invitations and password resets.

A link carries ``<link id>.<secret>``; only SHA-256(secret) is stored. Using a link marks it
used; a reset also ends every session of the person and voids their other reset links.
Asking for a reset answers the same whether or not the address is known (no enumeration)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from herald import audit
from herald.auth import sessions
from herald.auth.models import UserLink
from herald.authz import Actor, require
from herald.authz.check import in_tenant
from herald.builtin.local_auth import hash_password
from herald.clock import utcnow
from herald.errors import BadRequest
from herald.notifications.notifier import Notification
from herald.notifications.send import send
from herald.people import service as people
from herald.people.models import User
from herald.runtime import Runtime
from herald.tenancy.models import Tenant

LINK_FIELDS = ("id", "user_id", "purpose", "expires_at", "used_at")
INVALID = "This link is invalid, expired or already used."
# At most this many reset emails per person per sign-in failure window: nobody can flood a mailbox.
MAX_RESETS_PER_WINDOW = 3


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _issue(session: Session, user: User, purpose: str, ttl: timedelta, actor: Actor | None) -> tuple[UserLink, str]:
    secret = secrets.token_urlsafe(32)
    link = UserLink(tenant_id=user.tenant_id, user_id=user.id, purpose=purpose, secret_hash=_digest(secret),
                    created_by=actor.user_id if actor else None, expires_at=utcnow() + ttl)
    session.add(link)
    session.flush()
    audit.record(session, actor, f"{purpose}.link_sent", "user", user.id, tenant_id=user.tenant_id,
                 after=audit.snapshot(link, LINK_FIELDS))
    return link, f"{link.id}.{secret}"


def _take(session: Session, presented: str, purpose: str) -> tuple[UserLink, User]:
    """The live link ``presented`` names, marked used; BadRequest otherwise."""
    if presented.count(".") != 1 or len(presented) > 200:
        raise BadRequest(INVALID)
    link_id, secret = presented.split(".")
    link = session.get(UserLink, link_id)
    if (link is None or link.purpose != purpose or not hmac.compare_digest(link.secret_hash, _digest(secret))
            or link.used_at is not None or link.expires_at <= utcnow()):
        raise BadRequest(INVALID)
    # One use, even with two requests racing: only the update that finds it unused wins.
    won = session.execute(update(UserLink).where(UserLink.id == link.id, UserLink.used_at.is_(None))
                          .values(used_at=utcnow())).rowcount
    if won != 1:
        raise BadRequest(INVALID)
    user = session.get(User, link.user_id)
    if user is None:
        raise BadRequest(INVALID)
    return link, user


@dataclass(frozen=True)
class Invitation:
    """An invitation just issued: ``url`` is the single-use link; ``emailed`` says whether an
    e-mail notifier enabled for the tenant was asked to send it (when not, whoever invited must
    pass the link on themselves)."""

    user: User
    link: UserLink
    url: str
    emailed: bool


def issue_invitation(session: Session, rt: Runtime, actor: Actor, tenant_id: str, *, email: str,
                     display_name: str, base_url: str) -> Invitation:
    """Create the person (status "invited", cannot sign in yet) and email them a link."""
    tenant = in_tenant(session, actor, tenant_id)
    require(session, actor, "users.manage", tenant)
    user = people.create_user(session, actor, tenant_id, email=email, display_name=display_name, status="invited")
    link, token = _issue(session, user, "invitation", timedelta(hours=rt.settings.invitation_ttl_hours), actor)
    url = f"{base_url}/sign-in/{tenant.slug}/invitation?token={token}"
    queued = send(session, Notification(
        tenant_id, user.id, user.email, "auth.invitation", f"You are invited to {tenant.name} on Herald",
        f"{actor.label} invited you to {tenant.name}. Choose a password with this link; it works once and "
        f"expires in {rt.settings.invitation_ttl_hours} hours.", link=url), channels=("email",))
    return Invitation(user, link, url, emailed=queued > 0)


def invite(session: Session, rt: Runtime, actor: Actor, tenant_id: str, *, email: str, display_name: str,
           base_url: str) -> tuple[User, UserLink]:
    """:func:`issue_invitation`, for callers that need only the person and the link's row."""
    made = issue_invitation(session, rt, actor, tenant_id, email=email, display_name=display_name, base_url=base_url)
    return made.user, made.link


def accept_invitation(session: Session, presented: str, password: str) -> User:
    link, user = _take(session, presented, "invitation")
    if user.status != "invited":
        raise BadRequest(INVALID)
    user.password_hash = hash_password(password)
    user.status = "active"
    session.flush()
    audit.record(session, None, "invitation.accepted", "user", user.id, tenant_id=user.tenant_id,
                 context={"link_id": link.id})
    return user


def request_reset(session: Session, rt: Runtime, tenant_slug: str, email: str, base_url: str) -> None:
    """Email a reset link if the address belongs to an active person of the tenant; silent otherwise."""
    tenant = session.execute(select(Tenant).where(Tenant.slug == tenant_slug)).scalar_one_or_none()
    if tenant is None or tenant.status != "active":
        return
    user = session.execute(select(User).where(User.tenant_id == tenant.id, User.email == email.strip().lower())
                           ).scalar_one_or_none()
    if user is None or user.status != "active" or user.kind != "person":
        audit.record(session, None, "reset.requested_unknown", "user", None, tenant_id=tenant.id,
                     context={"email": email.strip().lower()})
        return
    since = utcnow() - timedelta(minutes=rt.settings.signin_failure_window_minutes)
    recent = session.execute(select(func.count()).select_from(UserLink).where(
        UserLink.user_id == user.id, UserLink.purpose == "reset", UserLink.created_at > since)).scalar_one()
    if recent >= MAX_RESETS_PER_WINDOW:
        audit.record(session, None, "reset.throttled", "user", user.id, tenant_id=tenant.id)
        return
    minutes = rt.settings.password_reset_ttl_minutes
    _, token = _issue(session, user, "reset", timedelta(minutes=minutes), None)
    send(session, Notification(
        tenant.id, user.id, user.email, "auth.password_reset", "Reset your Herald password",
        f"Someone asked to reset the password of {user.email} for {tenant.name}. If it was you, use this link "
        f"within {minutes} minutes; it works once. If not, ignore this email.",
        link=f"{base_url}/sign-in/{tenant.slug}/reset?token={token}"), channels=("email",))


def complete_reset(session: Session, presented: str, password: str) -> User:
    link, user = _take(session, presented, "reset")
    if user.status != "active":
        raise BadRequest(INVALID)
    user.password_hash = hash_password(password)
    now = utcnow()
    session.execute(update(UserLink).where(UserLink.user_id == user.id, UserLink.purpose == "reset",
                                           UserLink.used_at.is_(None)).values(used_at=now))
    ended = sessions.end_all(session, user.id, "password_reset")
    session.flush()
    audit.record(session, None, "reset.completed", "user", user.id, tenant_id=user.tenant_id,
                 context={"link_id": link.id, "sessions_ended": ended})
    return user
