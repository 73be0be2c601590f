"""The tenant's audit log, and verification of its hash chain."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from herald.api.blueprint import bp
from herald.api.context import actor, db, runtime
from herald.api.endpoint import endpoint
from herald.api.pagination import paginate
from herald.api.schemas.audit import AuditEventOut, AuditQuery, VerifyOut
from herald.audit.checkpoint_export import verify_tenant_chain
from herald.audit.models import AuditEvent
from herald.authz import require
from herald.authz.check import in_tenant

TAG = "Audit"


@endpoint(bp, "/tenants/<tenant_id>/audit-events", "GET", summary="The audit log, newest first",
          tag=TAG, query=AuditQuery, response=AuditEventOut, many=True)
def list_events(tenant_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    require(session, who, "audit.view", in_tenant(session, who, tenant_id))
    stmt = select(AuditEvent).where(AuditEvent.chain == tenant_id)
    for key in ("action", "object_type", "object_id", "actor_id"):
        if query[key]:
            stmt = stmt.where(getattr(AuditEvent, key) == query[key])
    if query["since"]:
        stmt = stmt.where(AuditEvent.at >= query["since"])
    if query["until"]:
        stmt = stmt.where(AuditEvent.at < query["until"])
    return paginate(session, stmt, [AuditEvent.chain_seq], query["limit"], query["cursor"], descending=True)


@endpoint(bp, "/tenants/<tenant_id>/audit-events/verify", "POST",
          summary="Verify the tenant's audit hash chain end to end (and against the instance's exported "
                  "checkpoints, when the operator configured a checkpoint file)", tag=TAG, response=VerifyOut)
def verify(tenant_id: str):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    require(session, who, "audit.view", in_tenant(session, who, tenant_id))
    report, checked = verify_tenant_chain(session, runtime().settings, tenant_id)
    return {"chain": report.chain, "ok": report.ok and not checked["checkpoint_problems"], "events": report.events,
            "problems": report.problems, **checked}
