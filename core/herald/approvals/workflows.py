"""Defining workflows on units and finding the one that applies to a unit (the nearest
definition on the unit or its ancestors)."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from herald import audit
from herald.approvals.models import Workflow
from herald.authz import Actor
from herald.authz.check import role_permissions
from herald.errors import NotFound, ValidationFailed
from herald.people.models import User
from herald.runtime import current
from herald.tenancy.models import OrgUnit
from herald.tenancy.service import get_unit

WORKFLOW_FIELDS = ("id", "org_unit_id", "key", "name", "steps", "restart_from_step", "due_calendar")


def effective_workflow(session: Session, unit: OrgUnit, key: str = "default") -> Workflow | None:
    """The workflow defined on ``unit`` or, failing that, on its nearest ancestor."""
    ancestors = unit.ancestor_ids
    rows = {w.org_unit_id: w for w in session.scalars(
        select(Workflow).where(Workflow.org_unit_id.in_(ancestors), Workflow.key == key))}
    for unit_id in reversed(ancestors):
        if unit_id in rows:
            return rows[unit_id]
    return None


def _check_steps(session: Session, tenant_id: str, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    hooks = current().plugins.for_tenant(session, tenant_id)
    kinds = {cls.key: cls for cls in hooks.classes("herald_approval_step_kinds")}
    errors: dict[str, list[str]] = {}
    checked = []
    for i, step in enumerate(steps):
        kind = kinds.get(step["kind"])
        if kind is None:
            errors[f"steps[{i}].kind"] = [f"No step kind {step['kind']!r} is enabled for this tenant "
                                          f"(enabled: {', '.join(sorted(kinds)) or 'none'})."]
            continue
        options = step.get("options") or {}
        if kind.options_schema is not None:
            try:
                options = kind.options_schema(unknown=RAISE).load(options)
            except ValidationError as exc:
                errors[f"steps[{i}].options"] = [str(m) for m in exc.normalized_messages().items()]
        deciders = step.get("deciders") or {}
        if kind.needs_people and not (deciders.get("role") or deciders.get("users") or deciders.get("external")):
            errors[f"steps[{i}].deciders"] = ["A step people decide needs a role, named users or external reviewers."]
        if deciders.get("external") and not kind.needs_people:
            errors[f"steps[{i}].deciders.external"] = ["Only a step people decide can wait for external reviewers."]
        if deciders.get("role") and not role_permissions(session, tenant_id, deciders["role"]):
            errors[f"steps[{i}].deciders.role"] = [f"No role {deciders['role']!r} in this tenant."]
        for j, user_id in enumerate(deciders.get("users") or []):
            user = session.get(User, user_id)
            if user is None or user.tenant_id != tenant_id:
                errors[f"steps[{i}].deciders.users[{j}]"] = [f"No user {user_id!r} in this tenant."]
        if step.get("on_deadline") == "escalate" and not step.get("escalate_to_role"):
            errors[f"steps[{i}].escalate_to_role"] = ["Escalation needs a role to escalate to."]
        elif step.get("escalate_to_role") and not role_permissions(session, tenant_id, step["escalate_to_role"]):
            errors[f"steps[{i}].escalate_to_role"] = [f"No role {step['escalate_to_role']!r} in this tenant."]
        checked.append({**step, "options": options})
    if errors:
        raise ValidationFailed("The workflow has problems; each is listed under its step.", errors)
    return checked


def define(session: Session, actor: Actor, tenant_id: str, unit_id: str, *, name: str,
           steps: list[dict[str, Any]], key: str = "default", restart_from_step: int = 0,
           due_calendar: list[dict[str, Any]] | None = None) -> Workflow:
    unit = get_unit(session, actor, tenant_id, unit_id, "workflows.manage")
    steps = _check_steps(session, tenant_id, steps)
    errors: dict[str, list[str]] = {}
    if restart_from_step >= len(steps):
        errors["restart_from_step"] = [f"The workflow has {len(steps)} step(s); steps are numbered from 0."]
    for i, entry in enumerate(due_calendar or []):
        if entry["step"] >= len(steps):
            errors[f"due_calendar[{i}].step"] = [f"The workflow has {len(steps)} step(s); steps are numbered from 0."]
    if errors:
        raise ValidationFailed("The workflow has problems; each is listed under its field.", errors)
    wf = session.scalars(select(Workflow).where(Workflow.org_unit_id == unit.id, Workflow.key == key)).first()
    before = audit.snapshot(wf, WORKFLOW_FIELDS) if wf else None
    if wf is None:
        wf = Workflow(tenant_id=tenant_id, org_unit_id=unit.id, key=key, name=name, steps=steps,
                      restart_from_step=restart_from_step, due_calendar=due_calendar or [])
        session.add(wf)
    else:
        wf.name, wf.steps = name, steps
        wf.restart_from_step, wf.due_calendar = restart_from_step, due_calendar or []
    session.flush()
    audit.record(session, actor, "workflow.defined", "workflow", wf.id, tenant_id=tenant_id,
                 before=before, after=audit.snapshot(wf, WORKFLOW_FIELDS))
    return wf


def remove(session: Session, actor: Actor, tenant_id: str, unit_id: str, key: str = "default") -> None:
    """Remove the unit's own definition; the unit then inherits again."""
    unit = get_unit(session, actor, tenant_id, unit_id, "workflows.manage")
    wf = session.scalars(select(Workflow).where(Workflow.org_unit_id == unit.id, Workflow.key == key)).first()
    if wf is None:
        raise NotFound("This unit defines no workflow of its own.")
    before = audit.snapshot(wf, WORKFLOW_FIELDS)
    session.delete(wf)
    session.flush()
    audit.record(session, actor, "workflow.removed", "workflow", before["id"], tenant_id=tenant_id, before=before)
