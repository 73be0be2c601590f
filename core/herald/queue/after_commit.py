"""Jobs queued when a transaction commits (CRM pushes, reply sends, enrichment, polls): never for
one that rolls back."""

from __future__ import annotations

import logging

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from herald.queue.base import Job
from herald.runtime import current

log = logging.getLogger(__name__)
_KEY = "herald_jobs_after_commit"


def after_commit(session: Session, job: Job) -> None:
    """Queue ``job`` when the session's transaction commits (never for a rolled-back one)."""
    session.info.setdefault(_KEY, []).append(job)


@sa_event.listens_for(Session, "after_commit")
def _queue_after_commit(session: Session) -> None:
    pending: list[Job] = session.info.pop(_KEY, [])
    if pending:
        queue = current().queue
        for job in pending:
            try:
                queue.enqueue(job)
            except Exception:  # the sweeps find what was due again
                log.exception("could not queue %s now", job.func)


@sa_event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_KEY, None)
