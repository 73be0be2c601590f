"""Tenant service tokens: owned by the tenant, each held by its own service principal (a user of
kind "service" with its own grants, which cannot sign in). Created by tenant administrators;
the token is shown once and stored hashed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from herald import audit
from herald.auth import tokens
from herald.authz import Actor, require
from herald.authz.check import in_tenant
from herald.errors import NotFound
from herald.ids import new_id
from herald.people.models import ApiToken, User
from herald.people.service import USER_FIELDS


def create(session: Session, actor: Actor, tenant_id: str, *, name: str, scopes: Sequence[str],
           expires_at: datetime | None) -> tuple[ApiToken, str]:
    require(session, actor, "tenant.manage", in_tenant(session, actor, tenant_id))
    tokens.check_scopes(scopes)
    principal_id = new_id("usr")
    principal = User(id=principal_id, tenant_id=tenant_id, kind="service", display_name=f"service:{name}",
                     # Not a mailbox: a unique, undeliverable address keeps (tenant, email) unique.
                     email=f"{principal_id}@service.invalid")
    session.add(principal)
    session.flush()
    audit.record(session, actor, "user.created", "user", principal.id, tenant_id=tenant_id,
                 after=audit.snapshot(principal, (*USER_FIELDS, "kind")))
    return tokens.issue_token(session, actor, principal, name, expires_at, scopes=scopes, kind="service")


def get(session: Session, actor: Actor, tenant_id: str, token_id: str) -> ApiToken:
    require(session, actor, "tenant.manage", in_tenant(session, actor, tenant_id))
    token = session.get(ApiToken, token_id)
    if token is None or token.tenant_id != tenant_id or token.kind != "service":
        raise NotFound(f"No service token {token_id!r} in this tenant.")
    return token


def revoke(session: Session, actor: Actor, tenant_id: str, token_id: str) -> ApiToken:
    return tokens.revoke_any(session, actor, get(session, actor, tenant_id, token_id))
