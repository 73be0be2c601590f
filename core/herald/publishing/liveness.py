"""Liveness of the engine: schedulers and workers write heartbeats to the database; /health and
``herald status`` read them with the oldest overdue publication. When publications have waited
longer than ``stall_s`` seconds and no scheduler has beaten for as long, the scheduler stalled:
/health is red (503)."""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from herald.clock import utcnow
from herald.publishing.config import EngineConfig, engine_config
from herald.publishing.models import Heartbeat, Publication, in_flight, waiting

log = logging.getLogger(__name__)
#: heartbeats older than this are forgotten
FORGET_AFTER = timedelta(days=1)


def beat(session: Session, name: str, kind: str, info: dict[str, Any] | None = None) -> None:
    now = utcnow()
    row = session.get(Heartbeat, name)
    if row is None:
        session.add(Heartbeat(id=name, kind=kind, started_at=now, beat_at=now, info=info or {}))
    else:
        row.beat_at, row.info = now, info or {}


def publishing_health(session: Session, cfg: EngineConfig | None = None) -> dict[str, Any]:
    """What /health and ``herald status`` show; ``ok`` False when the scheduler stalled."""
    cfg = cfg or engine_config()
    now = utcnow()
    fresh = now - timedelta(seconds=cfg.stall_s)
    rows = session.scalars(select(Heartbeat).where(Heartbeat.beat_at >= now - FORGET_AFTER)
                           .order_by(Heartbeat.beat_at.desc())).all()
    beats = {kind: [{"id": r.id, "beat_at": r.beat_at.isoformat(), "alive": r.beat_at >= fresh,
                     "age_s": round((now - r.beat_at).total_seconds(), 1)} for r in rows if r.kind == kind]
             for kind in ("scheduler", "worker")}
    oldest_due = session.execute(select(func.min(Publication.due_at)).where(
        waiting(), Publication.due_at <= now)).scalar()
    due = session.execute(select(func.count()).select_from(Publication).where(
        waiting(), Publication.due_at <= now)).scalar() or 0
    lost = session.execute(select(func.count()).select_from(Publication).where(
        in_flight(), Publication.lease_expires_at < now)).scalar() or 0
    schedulers_alive = any(b["alive"] for b in beats["scheduler"])
    # Red only once work has waited longer than a live scheduler would let it (not at start-up).
    waited = (oldest_due is not None and oldest_due < fresh) or (session.execute(
        select(func.count()).select_from(Publication).where(
            in_flight(), Publication.lease_expires_at < fresh)).scalar() or 0) > 0
    stalled = waited and not schedulers_alive
    return {
        "ok": not stalled,
        "stalled": stalled,
        "schedulers": beats["scheduler"],
        "workers": beats["worker"],
        "due_now": due,
        "leases_expired": lost,
        "oldest_overdue": {"due_at": oldest_due.isoformat(),
                           "overdue_s": round((now - oldest_due).total_seconds(), 1)} if oldest_due else None,
        "stall_after_s": cfg.stall_s,
    }


def start_worker_heartbeat(runtime: Any, interval_s: float | None = None) -> threading.Event:
    """A thread beating for this worker process; set the returned event to stop it."""
    name = f"worker:{socket.gethostname()}:{os.getpid()}"
    stop = threading.Event()
    every = interval_s or engine_config().heartbeat_s

    def loop() -> None:
        while True:
            try:
                with runtime.db.transaction() as session:
                    beat(session, name, "worker")
                    session.execute(delete(Heartbeat).where(Heartbeat.beat_at < utcnow() - FORGET_AFTER))
            except Exception:
                log.exception("worker heartbeat failed")
            if stop.wait(every):
                return

    threading.Thread(target=loop, name="herald-worker-heartbeat", daemon=True).start()
    return stop
