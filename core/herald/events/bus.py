"""Emitting domain events. Events emitted inside a transaction are queued only once it commits
(and dropped if it rolls back), so subscribers never hear of changes that did not happen."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from herald.clock import utcnow
from herald.events.subscriber import Event
from herald.ids import new_id
from herald.queue.base import Job

_KEY = "herald_pending_events"


def emit(session: Session, tenant_id: str, type_: str, data: dict[str, Any]) -> Event:
    ev = Event(id=new_id("evt"), type=type_, tenant_id=tenant_id, occurred_at=utcnow(), data=data)
    session.info.setdefault(_KEY, []).append(ev)
    return ev


@sa_event.listens_for(Session, "after_commit")
def _queue_after_commit(session: Session) -> None:
    pending: list[Event] = session.info.pop(_KEY, [])
    if not pending:
        return
    from herald.runtime import current

    queue = current().queue
    for ev in pending:
        queue.enqueue(Job("herald.events.dispatch.dispatch", (ev.as_json(),), job_id=f"dispatch-{ev.id}"))


@sa_event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_KEY, None)
