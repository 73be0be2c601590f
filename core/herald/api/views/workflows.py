"""Approval workflows on org units: define (override), see the effective one, remove."""

from __future__ import annotations

from typing import Any

from herald.api.blueprint import bp
from herald.api.context import actor, db
from herald.api.endpoint import endpoint
from herald.api.schemas.workflows import WorkflowOut, WorkflowPut
from herald.approvals import workflows
from herald.errors import NotFound
from herald.tenancy.service import get_unit

TAG = "Workflows"
RULE = "/tenants/<tenant_id>/org-units/<unit_id>/workflow"


def _out(wf: Any, unit_id: str) -> dict[str, Any]:
    return {"id": wf.id, "name": wf.name, "org_unit_id": wf.org_unit_id, "inherited": wf.org_unit_id != unit_id,
            "steps": wf.steps}


@endpoint(bp, RULE, "GET", summary="The workflow that applies to this unit (its own or inherited)", tag=TAG,
          response=WorkflowOut)
def get_workflow(tenant_id: str, unit_id: str):  # type: ignore[no-untyped-def]
    unit = get_unit(db(), actor(), tenant_id, unit_id)
    wf = workflows.effective_workflow(db(), unit)
    if wf is None:
        raise NotFound("No workflow applies to this unit or any unit above it.")
    return _out(wf, unit.id)


@endpoint(bp, RULE, "PUT", summary="Define this unit's workflow (overrides the inherited one)", tag=TAG,
          body=WorkflowPut, response=WorkflowOut)
def put_workflow(tenant_id: str, unit_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    wf = workflows.define(db(), actor(), tenant_id, unit_id, **body)
    db().commit()
    return _out(wf, unit_id)


@endpoint(bp, RULE, "DELETE", summary="Remove this unit's own workflow (it inherits again)", tag=TAG, status=204)
def delete_workflow(tenant_id: str, unit_id: str):  # type: ignore[no-untyped-def]
    workflows.remove(db(), actor(), tenant_id, unit_id)
    db().commit()
