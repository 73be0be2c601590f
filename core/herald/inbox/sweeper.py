"""The inbox's background pass: queue due polls and reply sends, move SLA clocks, wake snoozes,
route conversations whose enrichment did not come.

Runs in every worker (and in the embedded ``herald serve``); several may run at once: polls and
sends are claimed with leases by the jobs themselves, SLA rows are taken with ``SKIP LOCKED``, so
two sweeps never do the same work twice."""

from __future__ import annotations

import logging
import threading

from herald.clock import utcnow
from herald.inbox import enrichment, polling, replies, sla, triage
from herald.queue.base import Job
from herald.queue.sweeps import start_sweep
from herald.runtime import current

log = logging.getLogger(__name__)


def tick() -> dict[str, int]:
    rt = current()
    with rt.db.transaction() as session:
        polling.ensure_all(session)
    now = utcnow()
    with rt.db.transaction() as session:
        streams = polling.due(session, now)
        sends = replies.due_for_sending(session, now)
    for account_id, stream in streams:
        # one job id per stream and minute: a sweep that runs twice queues it once
        rt.queue.enqueue(Job("herald.inbox.polling.poll", (account_id, stream),
                             job_id=f"poll-{account_id}-{stream}-{now:%Y%m%d%H%M}"))
    for reply_id in sends:
        rt.queue.enqueue(Job("herald.inbox.replies.send", (reply_id,), job_id=f"reply-{reply_id}-{now:%H%M%S}"))
    with rt.db.transaction() as session:
        checked = sla.sweep(session, now)
    with rt.db.transaction() as session:
        woken = triage.wake_snoozed(session, now)
    with rt.db.transaction() as session:
        unenriched = enrichment.route_overdue(session, now)
    return {"polls": len(streams), "sends": len(sends), "sla": checked, "woken": woken, "routed_unenriched": unenriched}


def start_inbox_sweeper(interval_s: float = 5.0) -> threading.Event:
    """Run :func:`tick` every ``interval_s`` in a background thread; set the event to stop."""
    return start_sweep("inbox", tick, interval_s)
