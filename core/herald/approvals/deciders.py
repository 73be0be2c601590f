"""Who may decide a step of a post's review.

A person is eligible at a step when the step names them, or when they hold the step's role (or,
after an escalation, the escalation role) on the post's unit or a unit above it. Authors are
never eligible: neither the post's author nor whoever saved the version under review
(separation of duties). The implicit workflow, used where no workflow is defined, lets holders
of ``posts.approve`` decide."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.authz.check import role_permissions
from herald.content.models import Post, PostVersion
from herald.people.models import Grant, User
from herald.tenancy.models import OrgUnit


def authors_of(session: Session, post: Post, version: int) -> set[str]:
    """The post's author and the author of ``version``: none of them may approve it."""
    saved_by = session.execute(
        select(PostVersion.author_id).where(PostVersion.post_id == post.id, PostVersion.number == version)
    ).scalar_one_or_none()
    return {post.author_id, *([saved_by] if saved_by else [])}


def _role_holders(session: Session, tenant_id: str, unit: OrgUnit, roles: set[str]) -> set[str]:
    if not roles:
        return set()
    rows = session.execute(
        select(Grant.user_id).join(User, User.id == Grant.user_id)
        .where(Grant.tenant_id == tenant_id, Grant.role_key.in_(roles), Grant.org_unit_id.in_(unit.ancestor_ids),
               User.status == "active")
    ).scalars()
    return set(rows)


def _roles_with(session: Session, tenant_id: str, unit: OrgUnit, permission: str) -> set[str]:
    keys = session.execute(
        select(Grant.role_key).where(Grant.tenant_id == tenant_id, Grant.org_unit_id.in_(unit.ancestor_ids)).distinct()
    ).scalars()
    return {k for k in keys if permission in role_permissions(session, tenant_id, k)}


def eligible_users(session: Session, post: Post, version: int, step: dict[str, Any],
                   escalated_role: str | None = None) -> set[str]:
    """Ids of the active users who may decide ``step`` for ``version`` of ``post``."""
    unit = session.get(OrgUnit, post.org_unit_id)
    if unit is None:
        return set()
    deciders = step.get("deciders") or {}
    roles = {r for r in (deciders.get("role"), escalated_role) if r}
    if deciders.get("permission"):
        roles |= _roles_with(session, post.tenant_id, unit, deciders["permission"])
    found = _role_holders(session, post.tenant_id, unit, roles)
    named = set(deciders.get("users") or [])
    if named:
        found |= set(session.execute(
            select(User.id).where(User.id.in_(named), User.tenant_id == post.tenant_id, User.status == "active")
        ).scalars())
    return found - authors_of(session, post, version)


def approvals_needed(step: dict[str, Any], eligible: set[str]) -> int:
    """How many approvals complete a human step: one, N, or every eligible person."""
    quorum = step.get("quorum", "any")
    if quorum == "all":
        return max(len(eligible), 1)
    if quorum == "n":
        return int(step.get("approvals_needed") or 1)
    return 1
