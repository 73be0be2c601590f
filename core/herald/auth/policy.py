"""A tenant's sign-in policy: whether single sign-on is enforced, and who may still use a local
password when it is (named break-glass administrators, each such sign-in audited)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from herald import audit
from herald.auth.models import TenantIdentityPolicy
from herald.authz import Actor, require
from herald.authz.check import in_tenant
from herald.errors import ValidationFailed
from herald.people.models import User

POLICY_FIELDS = ("sso_enforced", "break_glass_user_ids")


def get_policy(session: Session, tenant_id: str) -> TenantIdentityPolicy:
    """The stored policy, or the default (nothing enforced) — not added to the session."""
    found = session.get(TenantIdentityPolicy, tenant_id)
    return found or TenantIdentityPolicy(tenant_id=tenant_id, sso_enforced=False, break_glass_user_ids=[])


def update_policy(session: Session, actor: Actor, tenant_id: str, *, sso_enforced: bool,
                  break_glass_user_ids: list[str]) -> TenantIdentityPolicy:
    require(session, actor, "tenant.manage", in_tenant(session, actor, tenant_id))
    wrong = []
    for i, user_id in enumerate(break_glass_user_ids):
        user = session.get(User, user_id)
        if user is None or user.tenant_id != tenant_id or user.kind != "person":
            wrong.append(i)
    if wrong:
        raise ValidationFailed("Break-glass administrators must be people of this tenant.",
                               {f"break_glass_user_ids[{i}]": ["No such person in this tenant."] for i in wrong})
    policy = session.get(TenantIdentityPolicy, tenant_id)
    before = audit.snapshot(policy, POLICY_FIELDS) if policy else None
    if policy is None:
        policy = TenantIdentityPolicy(tenant_id=tenant_id)
        session.add(policy)
    policy.sso_enforced = sso_enforced
    policy.break_glass_user_ids = sorted(set(break_glass_user_ids))
    session.flush()
    audit.record(session, actor, "identity_policy.updated", "tenant", tenant_id, tenant_id=tenant_id,
                 before=before, after=audit.snapshot(policy, POLICY_FIELDS))
    return policy
