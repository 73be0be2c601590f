"""The scheduler: claims due publications and dispatches them to the queue.

Time is kept in the database, not in the queue: a publication becomes due at ``due_at`` (its
planned instant, or the end of a backoff or rate-limit wait) and is claimed only then — never
early. Claiming sets a lease (``lease_token`` + ``lease_expires_at``) in the same statement, with
``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL so that several schedulers share the work
without dispatching anything twice (on SQLite every write transaction is serialised by
``BEGIN IMMEDIATE``, plus a process lock). A publication still "publishing" after its lease ran
out belonged to a worker that died, or to a job the queue lost: it is dispatched again, and
the worker reconciles before anything else."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from herald.clock import utcnow
from herald.content.models import Post
from herald.db.sets import among
from herald.ids import new_id
from herald.publishing.config import EngineConfig, engine_config
from herald.publishing.liveness import beat
from herald.publishing.models import QUEUED, Publication, in_flight, waiting
from herald.queue.base import Job, JobQueue
from herald.runtime import Runtime, current

log = logging.getLogger(__name__)
RUN_BATCH = "herald.publishing.executor.start_batch"
RECOVERY_EVERY = timedelta(seconds=1)
_sqlite_lock = threading.Lock()


class Scheduler:
    """One scheduler. ``tick`` does one pass; ``run`` loops until ``stop`` is set."""

    def __init__(self, runtime: Runtime | None = None, *, name: str | None = None, queue: JobQueue | None = None,
                 config: EngineConfig | None = None) -> None:
        self.rt = runtime or current()
        self.name = name or f"scheduler:{socket.gethostname()}:{os.getpid()}:{new_id('s')[-6:]}"
        self.queue = queue or self.rt.queue
        self.cfg = config or engine_config()
        self._last_beat = 0.0
        self._next_recovery: datetime | None = None
        #: the last pass found the queue full (see ``run``)
        self.queue_full = False
        self.dispatched = 0

    # ------------------------------------------------------------------ one pass
    def tick(self) -> int:
        """Dispatch what is due (and recover what was lost); returns how many were dispatched."""
        self.heartbeat()
        total = 0
        self.queue_full = False
        now = utcnow()
        # Expired leases are looked for once a second: a lease lasts 30 s, so a second more
        # changes nothing, and a busy scheduler's passes (every gather_s) stay one query lighter.
        recover = self._next_recovery is None or now >= self._next_recovery
        if recover:
            self._next_recovery = now + RECOVERY_EVERY
        for recovering in (True, False) if recover else (False,):
            while True:
                claimed, token, room = self._claim(recovering)
                if not claimed:
                    break
                self._dispatch(claimed, token)
                total += len(claimed)
                if len(claimed) < room:
                    break
        self.dispatched += total
        return total

    def _room(self, session: Session) -> int:
        """How many more may be dispatched now: the queue holds at most ``max_queued`` that no
        worker has taken yet (a worker renames the lease owner when it takes them)."""
        queued = session.execute(select(func.count()).select_from(Publication)
                                 .where(text(QUEUED))).scalar() or 0  # ix_publications_queued
        return self.cfg.max_queued - queued

    def _claim(self, recovering: bool) -> tuple[list[str], str, int]:
        """Claim what is due (or whose lease expired), as much as there is room for: (ids, the
        lease token, the room there was)."""
        now = utcnow()
        token = new_id("lease")
        lease = timedelta(seconds=self.cfg.dispatch_lease_s)
        if recovering:
            cond = (in_flight(), Publication.lease_expires_at < now)
            order = Publication.lease_expires_at
        else:
            cond = (waiting(), Publication.due_at <= now)
            order = Publication.due_at
        sqlite = self.rt.db.dialect == "sqlite"
        if sqlite:
            _sqlite_lock.acquire()
        try:
            with self.rt.db.transaction() as session:
                limit = self.cfg.claim_limit if recovering else min(self.cfg.claim_limit, self._room(session))
                if limit <= 0:
                    self.queue_full = True
                    return [], token, limit
                rows = session.execute(
                    select(Publication.id, Publication.post_id, Publication.tenant_id).where(*cond).order_by(order)
                    .limit(limit).with_for_update(skip_locked=True)
                ).all()
                if not rows:
                    return [], token, limit
                # A tenant's publications side by side: a batch then touches few tenants, and
                # batches recorded at once rarely wait for each other's audit chain heads.
                ids = [r[0] for r in sorted(rows, key=lambda r: r[2])]
                session.execute(update(Publication).where(among(session, Publication.id, ids)).values(
                    state="publishing", lease_token=token, lease_owner=f"dispatch:{self.name}",
                    lease_expires_at=now + lease,
                    dispatched_at=now).execution_options(synchronize_session=False))
                post_ids = sorted({r[1] for r in rows})
                if recovering:
                    log.warning("re-dispatching %d publication(s) whose lease ran out", len(ids))
        finally:
            if sqlite:
                _sqlite_lock.release()
        # Separately: posts are locked before publications everywhere else (no deadlocks).
        with self.rt.db.transaction() as session:
            session.execute(update(Post).where(among(session, Post.id, post_ids), Post.status == "scheduled")
                            .values(status="publishing").execution_options(synchronize_session=False))
        return ids, token, limit

    def _dispatch(self, ids: list[str], token: str) -> None:
        size = self.cfg.batch_size
        for i in range(0, len(ids), size):
            chunk = ids[i:i + size]
            try:
                self.queue.enqueue(Job(RUN_BATCH, (chunk, token), job_id=f"publish-{token}-{i // size}", retries=0))
            except Exception:
                log.exception("could not queue %d publication(s); handing them back", len(chunk))
                with self.rt.db.transaction() as session:
                    session.execute(update(Publication).where(Publication.id.in_(chunk),
                                                              Publication.lease_token == token)
                                    .values(state="scheduled", lease_token=None, lease_owner=None,
                                            lease_expires_at=None))

    # ------------------------------------------------------------------ looping
    def heartbeat(self, force: bool = False) -> None:
        mono = time.monotonic()
        if not force and mono - self._last_beat < self.cfg.heartbeat_s:
            return
        self._last_beat = mono
        try:
            with self.rt.db.transaction() as session:
                beat(session, self.name, "scheduler", {"dispatched": self.dispatched})
        except Exception:
            log.exception("scheduler heartbeat failed")

    def next_due(self) -> datetime | None:
        with self.rt.db.transaction() as session:
            return _next_due(session)

    def run(self, stop: threading.Event) -> None:
        log.info("scheduler %s started", self.name)
        while not stop.is_set():
            try:
                self.tick()
                # The queue is full (back-pressure): it holds max_queued publications' worth of
                # work for the workers, so the next look can wait the longest sleep.
                nxt = None if self.queue_full else self.next_due()
            except Exception:
                log.exception("scheduler pass failed; trying again")
                nxt = None
            wait = self.cfg.poll_s
            if nxt is not None:
                # what comes due meanwhile is claimed together: fewer, fuller batches
                wait = min(wait, max((nxt - utcnow()).total_seconds(), self.cfg.gather_s))
            stop.wait(wait)


def _next_due(session: Session) -> datetime | None:
    return session.execute(select(func.min(Publication.due_at)).where(waiting())).scalar()


def start_scheduler(runtime: Runtime | None = None, **kwargs: Any) -> tuple[threading.Event, Scheduler]:
    """Run a scheduler in a daemon thread (``herald worker``, embedded ``herald serve``)."""
    sched = Scheduler(runtime, **kwargs)
    stop = threading.Event()
    threading.Thread(target=sched.run, args=(stop,), name="herald-scheduler", daemon=True).start()
    return stop, sched
