"""Personal API tokens: ``hrd.<token id>.<secret>``. Only SHA-256(secret) is stored; the token is
shown once. A token works only while it is unrevoked, unexpired and its user is active."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from herald import audit
from herald.authz.actor import Actor
from herald.clock import utcnow
from herald.errors import NotFound
from herald.people.models import ApiToken, User
from herald.tenancy.models import Tenant

PREFIX = "hrd"
TOKEN_FIELDS = ("id", "user_id", "name", "expires_at", "revoked_at")
# Avoid a write on every request: last use is recorded at most once a minute.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(session: Session, actor: Actor | None, user: User, name: str,
                expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    secret = secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, tenant_id=user.tenant_id, name=name,
                     secret_hash=_digest(secret), expires_at=expires_at)
    session.add(token)
    session.flush()
    audit.record(session, actor, "api_token.issued", "api_token", token.id, tenant_id=user.tenant_id,
                 after=audit.snapshot(token, TOKEN_FIELDS))
    return token, f"{PREFIX}.{token.id}.{secret}"


def actor_for_user(user: User, token_id: str | None = None, via: str = "api") -> Actor:
    return Actor(user_id=user.id, tenant_id=user.tenant_id, label=user.email,
                 is_operator=user.is_operator, token_id=token_id, via=via)


def authenticate(session: Session, presented: str) -> Actor | None:
    parts = presented.split(".")
    if len(parts) != 3 or parts[0] != PREFIX or len(parts[1]) > 40 or len(parts[2]) > 100:
        return None
    token = session.get(ApiToken, parts[1])
    if token is None or not hmac.compare_digest(token.secret_hash, _digest(parts[2])):
        return None
    now = utcnow()
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    if user.tenant_id is not None:
        tenant = session.get(Tenant, user.tenant_id)
        if tenant is None or tenant.status != "active":
            return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        token.last_used_at = now
    return actor_for_user(user, token.id)


def revoke_token(session: Session, actor: Actor, token_id: str) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != actor.user_id:
        raise NotFound(f"No token {token_id!r} of yours.")
    if token.revoked_at is None:
        before = audit.snapshot(token, TOKEN_FIELDS)
        token.revoked_at = utcnow()
        session.flush()
        audit.record(session, actor, "api_token.revoked", "api_token", token.id, tenant_id=token.tenant_id,
                     before=before, after=audit.snapshot(token, TOKEN_FIELDS))
    return token
