"""The conversation timeline, and the audit entry that goes with each change people make."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from herald import audit
from herald.authz.actor import Actor
from herald.clock import utcnow
from herald.inbox.models import Conversation, TimelineEntry


def add(session: Session, conv: Conversation, kind: str, /, *, actor_id: str | None = None,
        item_id: str | None = None, at: datetime | None = None, **data: Any) -> TimelineEntry:
    entry = TimelineEntry(tenant_id=conv.tenant_id, conversation_id=conv.id, kind=kind, at=at or utcnow(),
                          actor_id=actor_id, item_id=item_id, data=data)
    session.add(entry)
    return entry


def record(session: Session, actor: Actor | None, conv: Conversation, kind: str, action: str, /, *,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           **data: Any) -> TimelineEntry:
    """A change to ``conv``: on its timeline and in the tenant's audit chain, in one transaction."""
    audit.record(session, actor, action, "conversation", conv.id, tenant_id=conv.tenant_id,
                 before=before, after=after)
    return add(session, conv, kind, actor_id=actor.user_id if actor else None, **(after or {}), **data)
