"""The CRM outbox: records are written here in the transaction that decides to push them, and
sent later by :mod:`herald.crm.drain`, so a crash, a restart or a CRM outage loses nothing.

Each record is unique per (tenant, sink, idempotency key): deciding twice queues once. Sinks
write with upserts on that key, so sending a record again after an uncertain outcome updates
the CRM's record instead of creating a second one."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from herald.clock import utcnow
from herald.crm.models import CrmConnection, CrmOutboxRecord
from herald.crm.sink import CrmRecord
from herald.errors import Conflict, NotFound
from herald.queue.after_commit import after_commit
from herald.queue.base import Job

#: seconds before each retry while the CRM is down or over its quota; the last one repeats
#: for as long as it takes (a record is never dropped for being late)
BACKOFF: tuple[int, ...] = (30, 120, 600, 1800, 3600)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try."""
    return timedelta(seconds=BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1])


def drain_job(tenant_id: str, sink: str, tag: str) -> Job:
    """The job that sends a tenant's due records to ``sink`` (``tag`` keeps its id unique)."""
    return Job("herald.crm.drain.drain", (tenant_id, sink), job_id=f"crm-drain-{tenant_id}-{sink}-{tag}")


def enqueue(session: Session, tenant_id: str, sink: str, record: CrmRecord,
            conversation_id: str | None = None) -> CrmOutboxRecord:
    """Queue ``record`` for ``sink`` in the caller's transaction (the existing row when the key
    was queued before) and have a drain run once the transaction commits."""
    existing = _by_key(session, tenant_id, sink, record.idempotency_key)
    if existing is not None:
        return existing
    row = CrmOutboxRecord(tenant_id=tenant_id, sink=sink, kind=record.kind, idempotency_key=record.idempotency_key,
                          conversation_id=conversation_id, fields=dict(record.fields), state="pending",
                          attempts=0, next_attempt_at=utcnow())
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another transaction queued the same key first
        found = _by_key(session, tenant_id, sink, record.idempotency_key)
        if found is None:
            raise
        return found
    after_commit(session, drain_job(tenant_id, sink, row.id))
    return row


def _by_key(session: Session, tenant_id: str, sink: str, key: str) -> CrmOutboxRecord | None:
    return session.scalars(select(CrmOutboxRecord).where(
        CrmOutboxRecord.tenant_id == tenant_id, CrmOutboxRecord.sink == sink,
        CrmOutboxRecord.idempotency_key == key)).first()


def claim(session: Session, tenant_id: str, sink: str, now: datetime, limit: int,
          lease: timedelta) -> list[CrmOutboxRecord]:
    """Take up to ``limit`` due records, oldest first, and hide them from other drains for
    ``lease`` (a drain that dies mid-send leaves them due again then; resending is an upsert)."""
    rows = list(session.scalars(select(CrmOutboxRecord).where(
        CrmOutboxRecord.tenant_id == tenant_id, CrmOutboxRecord.sink == sink, CrmOutboxRecord.state == "pending",
        CrmOutboxRecord.next_attempt_at <= now).order_by(CrmOutboxRecord.created_at, CrmOutboxRecord.id)
        .limit(limit).with_for_update(skip_locked=True)).all())
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + lease
    return rows


def connection(session: Session, tenant_id: str, sink: str, *, lock: bool = False) -> CrmConnection:
    """The tenant's connection state for ``sink`` (created "ok" on first use)."""
    stmt = select(CrmConnection).where(CrmConnection.tenant_id == tenant_id, CrmConnection.sink == sink)
    found = session.scalars(stmt.with_for_update() if lock else stmt).first()
    if found is not None:
        return found
    row = CrmConnection(tenant_id=tenant_id, sink=sink, state="ok", changed_at=utcnow())
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another drain created it first
        return session.scalars(stmt.with_for_update() if lock else stmt).one()
    return row


def select_records(tenant_id: str, filters: dict[str, Any]) -> Select[tuple[CrmOutboxRecord]]:
    """The sync log of a tenant, narrowed by ``state``, ``sink``, ``kind``, ``conversation_id``."""
    stmt = select(CrmOutboxRecord).where(CrmOutboxRecord.tenant_id == tenant_id)
    for name in ("state", "sink", "kind", "conversation_id"):
        if filters.get(name):
            stmt = stmt.where(getattr(CrmOutboxRecord, name) == filters[name])
    return stmt


def get_record(session: Session, tenant_id: str, record_id: str) -> CrmOutboxRecord:
    row = session.get(CrmOutboxRecord, record_id)
    if row is None or row.tenant_id != tenant_id:
        raise NotFound(f"No CRM record {record_id!r}.")
    return row


def retry(session: Session, tenant_id: str, record_id: str) -> CrmOutboxRecord:
    """Send a failed (or waiting) record again now; a sent record is refused."""
    row = get_record(session, tenant_id, record_id)
    if row.state == "sent":
        raise Conflict("This record was sent already.")
    row.state, row.next_attempt_at = "pending", utcnow()
    after_commit(session, drain_job(tenant_id, row.sink, f"{row.id}-{row.attempts}-retry"))
    return row


def reconnected(session: Session, tenant_id: str, sink: str) -> CrmConnection:
    """An admin fixed the sink's credentials: send again, now."""
    conn = connection(session, tenant_id, sink, lock=True)
    conn.state, conn.reason, conn.paused_until, conn.changed_at = "ok", None, None, utcnow()
    after_commit(session, drain_job(tenant_id, sink, f"reconnected-{utcnow():%Y%m%d%H%M%S%f}"))
    return conn
