"""Single sign-on through redirect providers: who an :class:`ExternalIdentity` is in Herald.

The user is found by the provider's subject (once linked) or by email (then linked), or is
provisioned just in time when the provider's tenant settings say ``jit_provisioning: true``.
Disabled users are refused. The group mapping is re-applied at every sign-in. When the
provider's settings say ``require_mapped_group: true``, a person whom the identity provider no
longer puts in any mapped group is disabled (sessions end, tokens are revoked) and refused."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald import audit
from herald.auth import group_mappings
from herald.auth.models import SsoLink
from herald.auth.provider import ExternalIdentity, SsoRefused
from herald.clock import utcnow
from herald.people import service as people
from herald.people.models import User
from herald.tenancy.models import Tenant

STATE_TTL_SECONDS = 600


class SsoDeprovisioned(SsoRefused):
    """The sign-in was refused and the user disabled; the disabling is kept."""


def _email(identity: ExternalIdentity) -> str:
    email = (identity.email or "").strip().lower()
    if not email or "@" not in email or len(email) > 320:
        raise SsoRefused("identity has no usable email address")
    return email


def resolve_user(session: Session, tenant: Tenant, provider: str, settings: Mapping[str, Any],
                 identity: ExternalIdentity) -> tuple[User, dict[str, Any]]:
    """The Herald user ``identity`` signs in, with what changed (linked, provisioned, grants)."""
    if not identity.subject or len(identity.subject) > 500:
        raise SsoRefused("identity has no usable subject")
    email = _email(identity)
    outcome: dict[str, Any] = {"linked": False, "provisioned": False}
    link = session.execute(select(SsoLink).where(SsoLink.tenant_id == tenant.id, SsoLink.provider == provider,
                                                 SsoLink.subject == identity.subject)).scalar_one_or_none()
    user = session.get(User, link.user_id) if link else None
    if user is None:
        user = session.execute(select(User).where(User.tenant_id == tenant.id, User.email == email)
                               ).scalar_one_or_none()
        if user is None:
            if not settings.get("jit_provisioning"):
                raise SsoRefused(f"no user with email {email} and just-in-time provisioning is off")
            user = people.create_user(session, None, tenant.id, email=email,
                                      display_name=(identity.display_name or email.split("@")[0])[:200])
            outcome["provisioned"] = True
        if user.kind != "person":
            raise SsoRefused("the matching account is a service principal")
        if user.status == "disabled":
            raise SsoRefused(f"user {user.id} is disabled")
        link = SsoLink(tenant_id=tenant.id, user_id=user.id, provider=provider, subject=identity.subject)
        session.add(link)
        outcome["linked"] = True
    if user.kind != "person":
        raise SsoRefused("the linked account is a service principal")
    if user.status == "disabled":
        raise SsoRefused(f"user {user.id} is disabled")
    if user.status == "invited":
        user.status = "active"  # the identity provider vouched for the invited address
    link.last_sign_in_at = utcnow()
    session.flush()
    if settings.get("require_mapped_group") and not _in_mapped_group(session, tenant.id, provider, identity):
        people.disable_user(session, None, user)
        audit.record(session, None, "user.deprovisioned", "user", user.id, tenant_id=tenant.id,
                     context={"via": group_mappings.source_of(provider),
                              "reason": "no longer in any mapped group at the identity provider"})
        raise SsoDeprovisioned(f"user {user.id} is in no mapped group any more; disabled")
    outcome["grants"] = group_mappings.apply(session, tenant.id, provider, user.id, identity)
    return user, outcome


def _in_mapped_group(session: Session, tenant_id: str, provider: str, identity: ExternalIdentity) -> bool:
    memberships = set(identity.groups) | set(identity.roles)
    return any(m["group"] in memberships for m in group_mappings._mappings(session, tenant_id, provider))
