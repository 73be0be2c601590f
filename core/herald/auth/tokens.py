"""API tokens: ``hrd.<token id>.<secret>``. Only SHA-256(secret) is stored; the token is shown
once. A token works only while it is unrevoked, unexpired and its user is active, and never
beyond its scopes.

Personal tokens belong to a person. Tenant service tokens belong to the tenant: each is held by
a service principal (a user of kind "service" that cannot sign in) which has its own grants."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald import audit
from herald.auth.scopes import SCOPES, permission_cap
from herald.authz.actor import Actor
from herald.clock import utcnow
from herald.db.kept import keep
from herald.errors import NotFound, ValidationFailed
from herald.people.models import ApiToken, User
from herald.tenancy.models import Tenant

PREFIX = "hrd"
TOKEN_FIELDS = ("id", "user_id", "name", "kind", "scopes", "expires_at", "revoked_at")
# Avoid a write on every request: last use is recorded at most once a minute (or on a new address).
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_scopes(scopes: Sequence[str] | None) -> list[str] | None:
    if scopes is None:
        return None
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValidationFailed("Unknown token scopes.", {"scopes": [f"Unknown: {', '.join(unknown)}; "
                                                                   f"known: {', '.join(SCOPES)}."]})
    return sorted(set(scopes))


def issue_token(session: Session, actor: Actor | None, user: User, name: str,
                expires_at: datetime | None = None, scopes: Sequence[str] | None = None,
                kind: str = "personal") -> tuple[ApiToken, str]:
    """A new token for ``user`` (``scopes`` None: unscoped, as its user). Returns the row and
    the only copy of the full token."""
    secret = secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, tenant_id=user.tenant_id, name=name, secret_hash=_digest(secret),
                     expires_at=expires_at, scopes=check_scopes(scopes), kind=kind,
                     created_by=actor.user_id if actor else None)
    session.add(token)
    session.flush()
    audit.record(session, actor, "api_token.issued", "api_token", token.id, tenant_id=user.tenant_id,
                 after=audit.snapshot(token, TOKEN_FIELDS))
    return token, f"{PREFIX}.{token.id}.{secret}"


def actor_for_user(user: User, token_id: str | None = None, via: str = "api", *,
                   token: ApiToken | None = None, session_id: str | None = None) -> Actor:
    label = user.display_name if user.kind == "service" else user.email
    if token is not None:
        return Actor(user_id=user.id, tenant_id=user.tenant_id, label=label, is_operator=user.is_operator,
                     token_id=token.id, via=via, token_name=token.name,
                     permission_cap=permission_cap(token.scopes))
    return Actor(user_id=user.id, tenant_id=user.tenant_id, label=label,
                 is_operator=user.is_operator, token_id=token_id, via=via, session_id=session_id)


def find_token(session: Session, presented: str) -> ApiToken | None:
    """The live token ``presented`` names, or None (unknown, wrong secret, revoked, expired,
    user disabled, tenant not active)."""
    parts = presented.split(".")
    if len(parts) != 3 or parts[0] != PREFIX or len(parts[1]) > 40 or len(parts[2]) > 100:
        return None
    # the token, its user and the user's tenant in one statement: all three are checked on every
    # request, and always read fresh (a revoked token or a disabled user fails the very next request)
    found = session.execute(
        select(ApiToken, User, Tenant).join(User, User.id == ApiToken.user_id)
        .outerjoin(Tenant, Tenant.id == User.tenant_id).where(ApiToken.id == parts[1])
    ).first()
    if found is None:
        return None
    token, user, tenant = found
    if not hmac.compare_digest(token.secret_hash, _digest(parts[2])):
        return None
    now = utcnow()
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    if not user.active:
        return None
    if user.tenant_id is not None and (tenant is None or tenant.status != "active"):
        return None
    keep(session, token, user, tenant)  # asked for again by the rest of the request
    return token


def authenticate(session: Session, presented: str, address: str | None = None) -> Actor | None:
    token = find_token(session, presented)
    if token is None:
        return None
    now = utcnow()
    if (token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION
            or (address and address != token.last_used_address)):
        token.last_used_at = now
        token.last_used_address = address
    user = session.get(User, token.user_id)
    assert user is not None
    return actor_for_user(user, via="service_token" if token.kind == "service" else "api", token=token)


def revoke_token(session: Session, actor: Actor, token_id: str) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != actor.user_id:
        raise NotFound(f"No token {token_id!r} of yours.")
    return revoke_any(session, actor, token)


def revoke_any(session: Session, actor: Actor | None, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        before = audit.snapshot(token, TOKEN_FIELDS)
        token.revoked_at = utcnow()
        session.flush()
        audit.record(session, actor, "api_token.revoked", "api_token", token.id, tenant_id=token.tenant_id,
                     before=before, after=audit.snapshot(token, TOKEN_FIELDS))
    return token


def revoke_all(session: Session, user_id: str) -> int:
    """Revoke every live token of a user at once (deprovisioning)."""
    now = utcnow()
    tokens = session.execute(
        select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))).scalars().all()
    for token in tokens:
        token.revoked_at = now
    return len(tokens)
