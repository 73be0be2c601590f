"""Who may decide a step of a post's review.

A person is eligible at a step when the step names them, or when they hold the step's role (or,
after an escalation, the escalation role) on the post's unit or a unit above it. Authors are
never eligible: neither the post's author nor whoever saved the version under review
(separation of duties). The implicit workflow, used where no workflow is defined, lets holders
of ``posts.approve`` decide."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, tuple_
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


def decidable_by(session: Session, tenant_id: str, user_id: str, runs: list[tuple[Post, Any]]
                 ) -> list[tuple[Post, Any]]:
    """Of ``runs`` ((post, active approval run) pairs), those whose current step ``user_id`` may
    decide now — for that one person what :func:`herald.approvals.engine.step_eligible` says
    (their role or the escalation role on the post's unit or above, a role carrying the step's
    permission there, or being named; never an author; one decision per review) — read with a
    fixed number of statements whatever the number of runs."""
    from herald.approvals.models import ApprovalDecision
    from herald.authz.check import role_permissions

    person = session.get(User, user_id)
    if not runs or person is None or person.tenant_id != tenant_id or person.status != "active":
        return []
    grants = session.execute(select(Grant.role_key, Grant.org_unit_id).where(
        Grant.tenant_id == tenant_id, Grant.user_id == user_id)).all()
    units = {u.id: u for u in session.scalars(select(OrgUnit).where(
        OrgUnit.id.in_({post.org_unit_id for post, _ in runs})))}
    saved_by = {(post_id, number): author for post_id, number, author in session.execute(
        select(PostVersion.post_id, PostVersion.number, PostVersion.author_id).where(
            tuple_(PostVersion.post_id, PostVersion.number).in_([(post.id, run.version) for post, run in runs])))}
    decided = set(session.scalars(select(ApprovalDecision.run_id).where(
        ApprovalDecision.run_id.in_([run.id for _, run in runs]), ApprovalDecision.decider_id == user_id)))
    permissions: dict[str, frozenset[str]] = {}

    def may(post: Post, run: Any) -> bool:
        unit = units.get(post.org_unit_id)
        if unit is None or run.id in decided or user_id in (post.author_id, saved_by.get((post.id, run.version))):
            return False
        deciders = run.steps[run.current_step].get("deciders") or {}
        if user_id in (deciders.get("users") or []):
            return True
        held = {role for role, unit_id in grants if unit_id in unit.ancestor_ids}
        if held & {r for r in (deciders.get("role"), run.escalated_to_role) if r}:
            return True
        wanted = deciders.get("permission")
        return bool(wanted) and any(
            wanted in permissions.setdefault(r, role_permissions(session, tenant_id, r)) for r in held)

    return [(post, run) for post, run in runs if may(post, run)]
