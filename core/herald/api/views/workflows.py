"""Approval workflows on org units (the default one and keyed ones that rules pick), and the
entry-criteria rules that choose between them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from herald.api.blueprint import bp
from herald.api.context import actor, db
from herald.api.endpoint import endpoint
from herald.api.pagination import paginate
from herald.api.schemas.common import ListQuery
from herald.api.schemas.workflows import RuleIn, RuleOut, WorkflowOut, WorkflowPut
from herald.approvals import rules, workflows
from herald.approvals.models import WorkflowRule
from herald.authz import visible_unit_filter
from herald.authz.check import in_tenant
from herald.errors import NotFound
from herald.tenancy.models import OrgUnit
from herald.tenancy.service import get_unit

TAG = "Workflows"
RULE = "/tenants/<tenant_id>/org-units/<unit_id>/workflow"
KEYED = "/tenants/<tenant_id>/org-units/<unit_id>/workflows/<key>"
RULES = "/tenants/<tenant_id>/workflow-rules"


def _out(wf: Any, unit_id: str) -> dict[str, Any]:
    return {"id": wf.id, "key": wf.key, "name": wf.name, "org_unit_id": wf.org_unit_id,
            "inherited": wf.org_unit_id != unit_id, "steps": wf.steps, "restart_from_step": wf.restart_from_step,
            "due_calendar": wf.due_calendar}


def _get(tenant_id: str, unit_id: str, key: str) -> dict[str, Any]:
    unit = get_unit(db(), actor(), tenant_id, unit_id)
    wf = workflows.effective_workflow(db(), unit, key)
    if wf is None:
        raise NotFound(f"No {key!r} workflow applies to this unit or any unit above it.")
    return _out(wf, unit.id)


def _put(tenant_id: str, unit_id: str, key: str, body: dict[str, Any]) -> dict[str, Any]:
    wf = workflows.define(db(), actor(), tenant_id, unit_id, key=key, **body)
    db().commit()
    return _out(wf, unit_id)


def _delete(tenant_id: str, unit_id: str, key: str) -> None:
    workflows.remove(db(), actor(), tenant_id, unit_id, key)
    db().commit()


@endpoint(bp, RULE, "GET", summary="The default workflow that applies to this unit (its own or inherited)", tag=TAG,
          response=WorkflowOut)
def get_workflow(tenant_id: str, unit_id: str):  # type: ignore[no-untyped-def]
    return _get(tenant_id, unit_id, "default")


@endpoint(bp, RULE, "PUT", summary="Define this unit's default workflow (overrides the inherited one)", tag=TAG,
          body=WorkflowPut, response=WorkflowOut)
def put_workflow(tenant_id: str, unit_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    return _put(tenant_id, unit_id, "default", body)


@endpoint(bp, RULE, "DELETE", summary="Remove this unit's own default workflow (it inherits again)", tag=TAG,
          status=204)
def delete_workflow(tenant_id: str, unit_id: str):  # type: ignore[no-untyped-def]
    _delete(tenant_id, unit_id, "default")


@endpoint(bp, KEYED, "GET", summary="The workflow with this key that applies to this unit", tag=TAG,
          response=WorkflowOut)
def get_keyed_workflow(tenant_id: str, unit_id: str, key: str):  # type: ignore[no-untyped-def]
    return _get(tenant_id, unit_id, key)


@endpoint(bp, KEYED, "PUT", summary="Define a workflow with this key on this unit (rules choose it by key)",
          tag=TAG, body=WorkflowPut, response=WorkflowOut)
def put_keyed_workflow(tenant_id: str, unit_id: str, key: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    return _put(tenant_id, unit_id, key, body)


@endpoint(bp, KEYED, "DELETE", summary="Remove this unit's own workflow with this key", tag=TAG, status=204)
def delete_keyed_workflow(tenant_id: str, unit_id: str, key: str):  # type: ignore[no-untyped-def]
    _delete(tenant_id, unit_id, key)


@endpoint(bp, RULES, "GET", summary="Workflow rules (entry criteria) on units you manage workflows for", tag=TAG,
          query=ListQuery, response=RuleOut, many=True)
def list_rules(tenant_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    in_tenant(session, who, tenant_id)
    units = select(OrgUnit.id).where(OrgUnit.tenant_id == tenant_id,
                                     visible_unit_filter(session, who, "workflows.manage", tenant_id))
    stmt = select(WorkflowRule).where(WorkflowRule.tenant_id == tenant_id, WorkflowRule.org_unit_id.in_(units))
    return paginate(session, stmt, [WorkflowRule.created_at, WorkflowRule.id], query["limit"], query["cursor"])


@endpoint(bp, RULES, "POST", summary="Add a workflow rule: posts matching its conditions take the named workflow",
          tag=TAG, body=RuleIn, response=RuleOut, status=201)
def create_rule(tenant_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    rule = rules.save_rule(db(), actor(), tenant_id, body)
    db().commit()
    return rule


@endpoint(bp, RULES + "/<rule_id>", "GET", summary="A workflow rule", tag=TAG, response=RuleOut)
def get_rule(tenant_id: str, rule_id: str):  # type: ignore[no-untyped-def]
    return rules.get_rule(db(), actor(), tenant_id, rule_id)


@endpoint(bp, RULES + "/<rule_id>", "PUT", summary="Replace a workflow rule", tag=TAG, body=RuleIn, response=RuleOut)
def put_rule(tenant_id: str, rule_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    rule = rules.save_rule(db(), actor(), tenant_id, body, rule_id)
    db().commit()
    return rule


@endpoint(bp, RULES + "/<rule_id>", "DELETE", summary="Delete a workflow rule", tag=TAG, status=204)
def delete_rule(tenant_id: str, rule_id: str):  # type: ignore[no-untyped-def]
    rules.delete_rule(db(), actor(), tenant_id, rule_id)
    db().commit()
