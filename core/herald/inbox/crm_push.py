"""Pushing a conversation to a CRM sink (the ``herald_crm_sinks`` hook), as a queued job.

A routing rule's ``crm`` action queues the job when the routing transaction commits; the job
reads the conversation, calls the sink outside any transaction (a CRM may be slow) and records
the CRM's id on the timeline. The idempotency key is (conversation, rule, SLA cycle), so a
retried job never creates a second record in the CRM."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

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
    fields: dict[str, Any] = {
        "conversation_id": conv.id, "network": conv.network, "account": account.handle if account else None,
        "kind": conv.kind, "priority": conv.priority, "tags": conv.tags, "language": conv.language,
        "author": None if author is None or author.erased_at else {
            "handle": author.handle, "name": author.display_name, "remote_id": author.remote_id,
            "followers": author.followers, "verified": author.verified},
        "messages": [{"at": i.created_at.isoformat(), "direction": i.direction, "text": i.text, "url": i.url}
                     for i in items],
    }
    return CrmRecord(kind=kind, idempotency_key=f"{conv.id}:{rule_id}:{conv.sla_cycle}", fields=fields)


def push(tenant_id: str, conversation_id: str, sink: str, kind: str, rule_id: str) -> str | None:
    rt = current()
    with rt.db.transaction() as session:
        conv = session.get(Conversation, conversation_id)
        if conv is None or conv.tenant_id != tenant_id:
            return None
        instance = rt.plugins.for_tenant(session, tenant_id).instance("herald_crm_sinks", sink)
        if instance is None:
            timeline.add(session, conv, "crm", sink=sink, record=kind, ok=False,
                         error=f"The CRM sink {sink!r} is not enabled for this tenant.")
            return None
        record = record_for(session, conv, kind, rule_id)
    crm_id = instance.push(record)  # type: ignore[attr-defined]  # raises: the queue retries
    with rt.db.transaction() as session:
        conv = session.get(Conversation, conversation_id)
        if conv is not None:
            timeline.add(session, conv, "crm", sink=sink, record=kind, ok=True, crm_id=crm_id)
    return str(crm_id)
