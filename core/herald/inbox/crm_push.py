"""Pushing a conversation to a CRM sink (the ``herald_crm_sinks`` hook) through the CRM outbox.

A routing rule's ``crm`` action decides the push inside the routing transaction; the record is
written to the CRM outbox (:mod:`herald.crm.outbox`) in that same transaction, so a push that
was decided is never lost and one that rolled back never happens. The drain job sends it once
the transaction commits, retried with backoff while the CRM is down, and records the CRM's id
(or its refusal) on the timeline. The idempotency key is (conversation, rule, SLA cycle), so
deciding again, or sending again, never creates a second record in the CRM."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.crm import outbox
from herald.crm.sink import CrmRecord
from herald.inbox import timeline
from herald.inbox.models import Conversation, InboxAuthor, InboxItem
from herald.runtime import current
from herald.tenancy.models import SocialAccount

log = logging.getLogger(__name__)



def record_for(session: Session, conv: Conversation, kind: str, rule_id: str) -> CrmRecord:
    author = session.get(InboxAuthor, conv.author_id) if conv.author_id else None
    account = session.get(SocialAccount, conv.account_id)
    items = session.execute(select(InboxItem).where(InboxItem.conversation_id == conv.id,
                                                    InboxItem.deleted_at.is_(None))
                            .order_by(InboxItem.created_at).limit(20)).scalars().all()
    erased = author is None or author.erased_at is not None
    first_inbound = next((i.text for i in items if i.direction == "inbound" and i.text), None)
    fields: dict[str, Any] = {
        "conversation_id": conv.id, "network": conv.network, "account": account.handle if account else None,
        "kind": conv.kind, "priority": conv.priority, "tags": conv.tags, "language": conv.language,
        "author": None if erased else {
            "id": author.id, "handle": author.handle, "name": author.display_name,  # type: ignore[union-attr]
            "remote_id": author.remote_id, "followers": author.followers,  # type: ignore[union-attr]
            "verified": author.verified},  # type: ignore[union-attr]
        "messages": [{"at": i.created_at.isoformat(), "direction": i.direction, "text": i.text, "url": i.url}
                     for i in items],
        "message": first_inbound,
        "link": _conversation_link(conv),
    }
    return CrmRecord(kind=kind, idempotency_key=f"{conv.id}:{rule_id}:{conv.sla_cycle}", fields=fields)


def _conversation_link(conv: Conversation) -> str:
    """Where a CRM user opens the conversation in Herald (absolute when Herald knows its URL)."""
    base = getattr(current().settings, "public_url", None) or ""
    return f"{base}/console/inbox/{conv.id}"


def enqueue(session: Session, conv: Conversation, sink: str, kind: str, rule_id: str) -> bool:
    """Write the push to the CRM outbox in the caller's transaction; False (and a timeline
    note) when the tenant has not enabled ``sink``."""
    if current().plugins.for_tenant(session, conv.tenant_id).instance("herald_crm_sinks", sink) is None:
        timeline.add(session, conv, "crm", sink=sink, record=kind, ok=False,
                     error=f"The CRM sink {sink!r} is not enabled for this tenant.")
        return False
    outbox.enqueue(session, conv.tenant_id, sink, record_for(session, conv, kind, rule_id), conv.id)
    return True


def push(tenant_id: str, conversation_id: str, sink: str, kind: str, rule_id: str) -> str | None:
    """A push job queued before the outbox existed: put it in the outbox and send it now.
    Returns the outbox record's id."""
    rt = current()
    with rt.db.transaction() as session:
        conv = session.get(Conversation, conversation_id)
        if conv is None or conv.tenant_id != tenant_id:
            return None
        if not enqueue(session, conv, sink, kind, rule_id):
            return None
        row = outbox._by_key(session, tenant_id, sink, record_for(session, conv, kind, rule_id).idempotency_key)
        row_id = row.id if row else None
    from herald.crm.drain import drain

    drain(tenant_id, sink)
    return row_id
