"""Queue jobs that fan an event out to the tenant's enabled subscribers, one job each, so one
slow or failing subscriber neither delays nor repeats another's delivery."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from herald.events.subscriber import Event, EventSubscriber
from herald.queue.base import Job
from herald.runtime import current


def _event(data: dict[str, Any]) -> Event:
    return Event(id=data["id"], type=data["type"], tenant_id=data["tenant_id"],
                 occurred_at=datetime.fromisoformat(data["occurred_at"]), data=data["data"])


def dispatch(event_json: dict[str, Any]) -> int:
    rt = current()
    ev = _event(event_json)
    queued = 0
    with rt.db.transaction() as session:
        hooks = rt.plugins.for_tenant(session, ev.tenant_id)
        for sub in hooks.instances("herald_event_subscribers"):
            assert isinstance(sub, EventSubscriber)
            if sub.wants(ev):
                rt.queue.enqueue(Job("herald.events.dispatch.deliver", (sub.key, event_json),
                                     job_id=f"deliver-{sub.key}-{ev.id}"))
                queued += 1
    return queued


def deliver(subscriber_key: str, event_json: dict[str, Any]) -> None:
    rt = current()
    ev = _event(event_json)
    with rt.db.transaction() as session:
        sub = rt.plugins.for_tenant(session, ev.tenant_id).instance("herald_event_subscribers", subscriber_key)
    if sub is None:  # disabled since the event was emitted: nothing to do
        return
    sub.deliver(ev)  # type: ignore[attr-defined]
