"""Queue jobs that fan an event out to the tenant's enabled subscribers, one job each, so one
slow or failing subscriber neither delays nor repeats another's delivery."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select, update

from herald.clock import utcnow
from herald.events.bus import dispatch_jobs
from herald.events.models import OutboxEvent
from herald.events.subscriber import Event, EventSubscriber
from herald.queue.base import Job
from herald.runtime import current

log = logging.getLogger(__name__)

#: an undispatched event older than this is presumed lost in transit and queued again
SWEEP_AFTER = timedelta(seconds=60)


def _event(row: OutboxEvent) -> Event:
    return Event(id=row.id, type=row.type, tenant_id=row.tenant_id, occurred_at=row.occurred_at, data=row.data)


def dispatch(event_id: str) -> int:
    """Queue one delivery per interested subscriber, then mark the event dispatched. Running
    twice for one event (sweeper and original) can queue a delivery twice, never zero times."""
    rt = current()
    with rt.db.transaction() as session:
        row = session.get(OutboxEvent, event_id)
        if row is None or row.dispatched_at is not None:
            return 0
        ev = _event(row)
        queued = 0
        for sub in rt.plugins.for_tenant(session, ev.tenant_id).instances("herald_event_subscribers"):
            assert isinstance(sub, EventSubscriber)
            if sub.wants(ev):
                rt.queue.enqueue(Job("herald.events.dispatch.deliver", (sub.key, ev.id),
                                     job_id=f"deliver-{sub.key}-{ev.id}"))
                queued += 1
        session.execute(update(OutboxEvent).where(OutboxEvent.id == event_id, OutboxEvent.dispatched_at.is_(None))
                        .values(dispatched_at=utcnow()))
    return queued


def dispatch_many(event_ids: list[str]) -> int:
    """:func:`dispatch` each event, in order. One that fails does not hold up the others; the job
    then fails and is retried, and the events dispatched already are skipped the second time."""
    queued, failed = 0, []
    for event_id in event_ids:
        try:
            queued += dispatch(event_id)
        except Exception:
            log.exception("could not dispatch event %s", event_id)
            failed.append(event_id)
    if failed:
        raise RuntimeError(f"{len(failed)} of {len(event_ids)} events were not dispatched: {', '.join(failed[:5])}")
    return queued


def deliver(subscriber_key: str, event_id: str) -> None:
    rt = current()
    with rt.db.transaction() as session:
        row = session.get(OutboxEvent, event_id)
        if row is None:
            return
        ev = _event(row)
        sub = rt.plugins.for_tenant(session, ev.tenant_id).instance("herald_event_subscribers", subscriber_key)
    if sub is None:  # disabled since the event was emitted: nothing to do
        return
    sub.deliver(ev)  # type: ignore[attr-defined]


def sweep(older_than: timedelta = SWEEP_AFTER, limit: int = 1000) -> int:
    """Queue again the events that were committed but never dispatched."""
    rt = current()
    with rt.db.transaction() as session:
        ids = session.scalars(
            select(OutboxEvent.id).where(OutboxEvent.dispatched_at.is_(None),
                                         OutboxEvent.occurred_at <= utcnow() - older_than)
            .order_by(OutboxEvent.occurred_at).limit(limit)
        ).all()
    for job in dispatch_jobs(list(ids)):
        rt.queue.enqueue(job)
    return len(ids)

