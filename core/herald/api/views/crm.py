"""The CRM sync log: what Herald pushed to each CRM sink, what the CRM answered, and retrying
what it refused; the state of each sink's connection; and a conversation's CRM records (with
the case's status and owner as last read back). Thin: the rules live in :mod:`herald.crm`."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from herald.api.blueprint import bp
from herald.api.context import actor, db
from herald.api.endpoint import endpoint
from herald.api.pagination import Page, paginate
from herald.api.schemas.common import Id, ListQuery
from herald.authz.check import in_tenant, require
from herald.crm import outbox
from herald.crm.drain import case_label
from herald.crm.models import STATES, CrmConnection, CrmOutboxRecord
from herald.inbox.access import get_conversation

TAG = "CRM sync"
P = "/tenants/<tenant_id>/crm"
PERMISSION = "inbox.admin"


class CrmRecordQuery(ListQuery):
    """Which records of the sync log: every field narrows."""

    state = fields.String(load_default=None, validate=validate.OneOf(STATES))
    sink = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    kind = fields.String(load_default=None, validate=validate.OneOf(("lead", "case", "contact")))
    conversation_id = Id(load_default=None)


class CrmRecordOut(Schema):
    """One record on its way to a CRM, or sent, or refused (with the CRM's own message)."""

    id = fields.String()
    sink = fields.String()
    kind = fields.String()
    state = fields.String(metadata={"description": "pending, sent or failed"})
    conversation_id = fields.String(allow_none=True)
    idempotency_key = fields.String()
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime(allow_none=True)
    last_error = fields.String(allow_none=True, metadata={"description": "the CRM's own words"})
    error_code = fields.String(allow_none=True, metadata={"description": "the CRM's error code"})
    crm_id = fields.String(allow_none=True)
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
    case_number = fields.String(allow_none=True)
    case_status = fields.String(allow_none=True)
    case_owner = fields.String(allow_none=True)
    case_checked_at = fields.DateTime(allow_none=True)
    label = fields.Function(case_label, metadata={"description": 'e.g. "Case 00012 — Escalated — owner Priya"'})


class CrmConnectionOut(Schema):
    """How a tenant's connection to one CRM sink stands."""

    sink = fields.String()
    state = fields.String(metadata={"description": "ok or reconnect_needed"})
    reason = fields.String(allow_none=True)
    paused_until = fields.DateTime(allow_none=True, metadata={"description": "sending waits for the CRM's quota"})
    changed_at = fields.DateTime()
    last_read_back_at = fields.DateTime(allow_none=True)


def _admin(tenant_id: str) -> None:
    session, who = db(), actor()
    require(session, who, PERMISSION, in_tenant(session, who, tenant_id))


@endpoint(bp, f"{P}/records", "GET", summary="The CRM sync log: records pushed, waiting or refused", tag=TAG,
          query=CrmRecordQuery, response=CrmRecordOut, many=True)
def list_crm_records(tenant_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    _admin(tenant_id)
    stmt = outbox.select_records(tenant_id, query)
    return paginate(db(), stmt, [CrmOutboxRecord.created_at, CrmOutboxRecord.id], query["limit"], query["cursor"],
                    descending=True)


@endpoint(bp, f"{P}/records/<record_id>", "GET", summary="One record of the CRM sync log", tag=TAG,
          response=CrmRecordOut)
def get_crm_record(tenant_id: str, record_id: str):  # type: ignore[no-untyped-def]
    _admin(tenant_id)
    return outbox.get_record(db(), tenant_id, record_id)


@endpoint(bp, f"{P}/records/<record_id>/retry", "POST", summary="Send a refused or waiting record again now",
          tag=TAG, response=CrmRecordOut)
def retry_crm_record(tenant_id: str, record_id: str):  # type: ignore[no-untyped-def]
    _admin(tenant_id)
    row = outbox.retry(db(), tenant_id, record_id)
    db().commit()
    return row


@endpoint(bp, f"{P}/connections", "GET", summary="The state of each CRM sink's connection", tag=TAG,
          query=ListQuery, response=CrmConnectionOut, many=True)
def list_crm_connections(tenant_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    _admin(tenant_id)
    stmt = select(CrmConnection).where(CrmConnection.tenant_id == tenant_id)
    return paginate(db(), stmt, [CrmConnection.sink], query["limit"], query["cursor"])


@endpoint(bp, f"{P}/connections/<sink>/reconnect", "POST",
          summary="The sink's credentials were fixed: resume sending", tag=TAG, response=CrmConnectionOut)
def reconnect_crm_sink(tenant_id: str, sink: str):  # type: ignore[no-untyped-def]
    _admin(tenant_id)
    conn = outbox.reconnected(db(), tenant_id, sink)
    db().commit()
    return conn


@endpoint(bp, "/tenants/<tenant_id>/inbox/conversations/<conversation_id>/crm", "GET",
          summary="The conversation's CRM records, with each case's status and owner", tag=TAG,
          response=CrmRecordOut, many=True)
def conversation_crm_records(tenant_id: str, conversation_id: str):  # type: ignore[no-untyped-def]
    session = db()
    conv = get_conversation(session, actor(), tenant_id, conversation_id)
    rows = session.scalars(select(CrmOutboxRecord).where(CrmOutboxRecord.tenant_id == tenant_id,
                                                         CrmOutboxRecord.conversation_id == conv.id)
                           .order_by(CrmOutboxRecord.created_at, CrmOutboxRecord.id).limit(100)).all()
    return Page(list(rows), None)
