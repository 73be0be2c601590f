"""The CRM outbox's background pass: queue a drain for every (tenant, sink) with due records,
and a read-back of pushed cases every :data:`READ_BACK_EVERY`.

Safe to run in several workers at once: drains claim their records with a lease, and a job id
per (tenant, sink, minute) queues each drain once per sweep minute."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy import select

from herald.clock import utcnow
from herald.crm import outbox
from herald.crm.models import CrmConnection, CrmOutboxRecord
from herald.queue.base import Job
from herald.queue.sweeps import start_sweep
from herald.runtime import current

log = logging.getLogger(__name__)

#: how often the status and owner of pushed cases are read back from the CRM
READ_BACK_EVERY = timedelta(minutes=15)


def tick() -> dict[str, int]:
    rt = current()
    now = utcnow()
    with rt.db.transaction() as session:
        due = set(session.execute(select(CrmOutboxRecord.tenant_id, CrmOutboxRecord.sink).where(
            CrmOutboxRecord.state == "pending", CrmOutboxRecord.next_attempt_at <= now).distinct()).all())
        held = {(c.tenant_id, c.sink) for c in session.scalars(select(CrmConnection)).all()
                if c.state != "ok" or (c.paused_until is not None and c.paused_until > now)}
        with_cases = set(session.execute(select(CrmOutboxRecord.tenant_id, CrmOutboxRecord.sink).where(
            CrmOutboxRecord.kind == "case", CrmOutboxRecord.state == "sent").distinct()).all())
        read = {(c.tenant_id, c.sink) for c in session.scalars(select(CrmConnection)).all()
                if c.state == "ok" and (c.last_read_back_at is None or c.last_read_back_at + READ_BACK_EVERY <= now)}
    drains = sorted(set(due) - held)
    for tenant_id, sink in drains:
        rt.queue.enqueue(outbox.drain_job(tenant_id, sink, f"{now:%Y%m%d%H%M}"))
    reads = sorted(set(with_cases) & read)
    for tenant_id, sink in reads:
        rt.queue.enqueue(Job("herald.crm.drain.read_back", (tenant_id, sink),
                             job_id=f"crm-read-{tenant_id}-{sink}-{now:%Y%m%d%H%M}"))
    return {"drains": len(drains), "read_backs": len(reads)}


def start_crm_sweeper(interval_s: float = 30.0) -> threading.Event:
    """Run :func:`tick` every ``interval_s`` in a background thread; set the event to stop."""
    return start_sweep("crm", tick, interval_s)
