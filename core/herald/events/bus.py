"""Emitting domain events through the transactional outbox.

``emit`` writes the event in the caller's transaction. After the commit the event is queued for
dispatch at once; if that is lost (a crash between commit and queueing, Redis down), the
sweeper (:func:`herald.events.dispatch.sweep`, run by workers) finds it and queues it again. A
rolled-back transaction leaves no event. Delivery is therefore at least once: receivers
de-duplicate on the event id."""

from __future__ import annotations

import base64
import hashlib
import logging
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from herald.audit.hashing import jsonable
from herald.clock import utcnow
from herald.events.models import OutboxEvent
from herald.events.subscriber import Event
from herald.ids import new_id
from herald.queue.base import Job

log = logging.getLogger(__name__)
_KEY = "herald_pending_events"


def emit(session: Session, tenant_id: str, type_: str, data: dict[str, Any]) -> Event:
    ev = Event(id=new_id("evt"), type=type_, tenant_id=tenant_id, occurred_at=utcnow(), data=jsonable(data))
    session.add(OutboxEvent(id=ev.id, tenant_id=tenant_id, type=type_, data=ev.data, occurred_at=ev.occurred_at))
    session.info.setdefault(_KEY, []).append(ev.id)
    return ev


def emit_once(session: Session, tenant_id: str, type_: str, data: dict[str, Any], dedup_key: str) -> Event | None:
    """Like :func:`emit`, for events that arrive from outside and may arrive more than once
    (a network's webhook redelivering): the event id is derived from (tenant, type,
    ``dedup_key``), so the outbox's primary key refuses a second copy even when two deliveries
    race. Returns None when the event was already recorded. The caller's commit may still
    raise ``IntegrityError`` if a concurrent copy committed first; treat that as a duplicate."""
    digest = hashlib.sha256(f"{tenant_id}\0{type_}\0{dedup_key}".encode()).digest()
    event_id = "evt_" + base64.b32encode(digest[:16]).decode("ascii").rstrip("=").lower()
    if session.get(OutboxEvent, event_id) is not None:
        return None
    ev = Event(id=event_id, type=type_, tenant_id=tenant_id, occurred_at=utcnow(), data=jsonable(data))
    session.add(OutboxEvent(id=ev.id, tenant_id=tenant_id, type=type_, data=ev.data, occurred_at=ev.occurred_at))
    session.info.setdefault(_KEY, []).append(ev.id)
    return ev


#: at most this many events per dispatch job
DISPATCH_BATCH = 500


def dispatch_job(event_id: str) -> Job:
    return Job("herald.events.dispatch.dispatch", (event_id,), job_id=f"dispatch-{event_id}")


def dispatch_jobs(event_ids: list[str]) -> list[Job]:
    """The jobs that dispatch ``event_ids``: one for a single event, else one per
    ``DISPATCH_BATCH`` events (a transaction that emitted many costs the queue one job)."""
    if len(event_ids) == 1:
        return [dispatch_job(event_ids[0])]
    chunks = [event_ids[i:i + DISPATCH_BATCH] for i in range(0, len(event_ids), DISPATCH_BATCH)]
    return [Job("herald.events.dispatch.dispatch_many", (chunk,), job_id=f"dispatch-{chunk[0]}-{len(chunk)}")
            for chunk in chunks]


@sa_event.listens_for(Session, "after_commit")
def _queue_after_commit(session: Session) -> None:
    pending: list[str] = session.info.pop(_KEY, [])
    if not pending:
        return
    from herald.runtime import current

    queue = current().queue
    for job in dispatch_jobs(pending):
        try:
            queue.enqueue(job)
        except Exception:  # the outbox rows are committed: the sweeper will queue them
            log.exception("could not queue %s now; the sweeper will", job.job_id)


@sa_event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_KEY, None)
