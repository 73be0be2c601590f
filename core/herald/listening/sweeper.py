"""The listening sweep: queue every enabled query whose next run has come.

Runs in every worker (and in the embedded ``herald serve``); several may run at once: a query
run claims its query with a lease, and the job id (query and minute) makes a sweep that runs
twice queue it once."""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from herald.clock import utcnow
from herald.listening.models import ListeningQuery
from herald.queue.base import Job
from herald.queue.sweeps import start_sweep
from herald.runtime import current

log = logging.getLogger(__name__)
JOB = "herald.listening.runner.run_query"


def due(session: Session, now: datetime, limit: int = 200) -> list[str]:
    return list(session.execute(select(ListeningQuery.id).where(
        ListeningQuery.enabled.is_(True), ListeningQuery.next_run_at <= now,
        or_(ListeningQuery.lease_expires_at.is_(None), ListeningQuery.lease_expires_at < now))
        .order_by(ListeningQuery.next_run_at).limit(limit)).scalars())


def tick() -> dict[str, int]:
    rt = current()
    now = utcnow()
    with rt.db.transaction() as session:
        queries = due(session, now)
    for query_id in queries:
        rt.queue.enqueue(Job(JOB, (query_id,), job_id=f"listen-{query_id}-{now:%Y%m%d%H%M}"))
    return {"queries": len(queries)}


def start_listening_sweeper(interval_s: float = 30.0) -> threading.Event:
    """Run :func:`tick` every ``interval_s`` in a background thread; set the event to stop."""
    return start_sweep("listening", tick, interval_s)
