"""Sending the CRM outbox: a job per (tenant, sink) takes the due records in batches (as many as
the sink takes at once), pushes them outside any transaction (a CRM may be slow) and records
each answer.

- the CRM took a record: "sent", its CRM id kept, and ``crm.record_sent`` emitted (the inbox puts it
  on the conversation's timeline);
- the CRM refused one record for good (a missing required field, a validation rule, a duplicate
  rule): that record only is "failed", with the CRM's own message, for an admin to fix and retry;
- the CRM is down, over its quota, or the outcome is uncertain: every record of the batch stays
  queued and is tried again after a backoff (:data:`herald.crm.outbox.BACKOFF`);
- the CRM no longer accepts Herald's credentials: the connection is marked "reconnect needed",
  the tenant's inbox administrators are told, and the records wait until it is reconnected."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.authz.check import role_permissions
from herald.clock import utcnow
from herald.crm import outbox
from herald.crm.models import CrmOutboxRecord
from herald.crm.sink import CrmRecord, CrmResult, CrmSink
from herald.events.bus import emit
from herald.networks.errors import AuthRevoked, NetworkError, PermanentError, RateLimited, TransientError
from herald.notifications.notifier import Notification
from herald.people.models import Grant, User
from herald.runtime import current

log = logging.getLogger(__name__)

#: the most records one batch carries, whatever a sink says it takes
MAX_BATCH = 200
#: how long claimed records stay hidden from other drains while they are being sent
LEASE = timedelta(minutes=5)
#: batches one job sends before it leaves the rest to the next job (keeps jobs short)
MAX_BATCHES = 25
#: the permission whose holders hear that a sink must be reconnected
ADMIN_PERMISSION = "inbox.admin"


def drain(tenant_id: str, sink: str) -> dict[str, int]:
    """Send ``tenant_id``'s due records to ``sink``; returns how many were sent, failed and
    left for later."""
    rt = current()
    counts = {"sent": 0, "failed": 0, "later": 0}
    for _ in range(MAX_BATCHES):
        now = utcnow()
        with rt.db.transaction() as session:
            conn = outbox.connection(session, tenant_id, sink)
            if conn.state != "ok" or (conn.paused_until is not None and conn.paused_until > now):
                break
            instance = rt.plugins.for_tenant(session, tenant_id).instance("herald_crm_sinks", sink)
            if not isinstance(instance, CrmSink):
                break
            size = max(1, min(int(instance.batch_size or 1), MAX_BATCH))
            rows = outbox.claim(session, tenant_id, sink, now, size, LEASE)
            claimed = [(row.id, CrmRecord(row.kind, row.idempotency_key, dict(row.fields))) for row in rows]
        if not claimed:
            break
        ids = [row_id for row_id, _ in claimed]
        try:
            results = instance.push_batch([record for _, record in claimed])
            if len(results) != len(claimed):
                raise TransientError(f"The CRM answered {len(results)} results for {len(claimed)} records.")
        except AuthRevoked as exc:
            _flag_reconnect(tenant_id, sink, instance, ids, exc.message)
            counts["later"] += len(ids)
            break
        except RateLimited as exc:
            until = exc.reset_at
            _later(tenant_id, sink, ids, exc, until=until, pause=True)
            counts["later"] += len(ids)
            break
        except PermanentError as exc:  # a refusal of the whole request (a refused URL, a bad setting)
            results = [CrmResult(ok=False, error=exc.message, code=exc.code)] * len(claimed)
        except NetworkError as exc:  # down, timed out, uncertain: resending is an upsert
            _later(tenant_id, sink, ids, exc)
            counts["later"] += len(ids)
            break
        except Exception as exc:  # a sink's own bug must not lose the records either
            log.exception("CRM sink %s failed for tenant %s", sink, tenant_id)
            _later(tenant_id, sink, ids, TransientError(f"The CRM sink failed: {type(exc).__name__}."))
            counts["later"] += len(ids)
            break
        for key, n in _record(tenant_id, sink, claimed, results).items():
            counts[key] += n
        delay = instance.next_batch_delay()
        if delay > 0:
            with rt.db.transaction() as session:
                conn = outbox.connection(session, tenant_id, sink, lock=True)
                conn.paused_until = utcnow() + timedelta(seconds=delay)
            break
    return counts


def _record(tenant_id: str, sink: str, claimed: list[tuple[str, CrmRecord]],
            results: list[CrmResult]) -> dict[str, int]:
    counts = {"sent": 0, "failed": 0, "later": 0}
    now = utcnow()
    with current().db.transaction() as session:
        for (row_id, _), result in zip(claimed, results, strict=True):
            row = session.get(CrmOutboxRecord, row_id)
            if row is None or row.state != "pending":
                continue
            if result.ok:
                row.state, row.crm_id, row.sent_at = "sent", result.crm_id, now
                row.last_error = row.error_code = None
                counts["sent"] += 1
                _said(session, row, sink, ok=True, crm_id=result.crm_id)
            elif result.permanent:
                row.state, row.last_error, row.error_code = "failed", result.error, result.code
                counts["failed"] += 1
                _said(session, row, sink, ok=False, error=result.error)
            else:
                row.next_attempt_at = now + outbox.backoff(row.attempts)
                row.last_error, row.error_code = result.error, result.code
                counts["later"] += 1
    return counts


def _said(session: Session, row: CrmOutboxRecord, sink: str, **outcome: Any) -> None:
    """Tell subscribers (the inbox's timeline, webhooks) what became of a record."""
    emit(session, row.tenant_id, "crm.record_sent" if outcome.get("ok") else "crm.record_failed",
         {"record_id": row.id, "sink": sink, "record": row.kind, "conversation_id": row.conversation_id, **outcome})


def _later(tenant_id: str, sink: str, ids: list[str], exc: NetworkError, *, until: datetime | None = None,
           pause: bool = False) -> None:
    """Keep the records queued; try again after the backoff (or when the CRM said)."""
    now = utcnow()
    retry_after = getattr(exc, "retry_after", None)
    with current().db.transaction() as session:
        latest = now
        for row in session.scalars(select(CrmOutboxRecord).where(CrmOutboxRecord.id.in_(ids))):
            wait = timedelta(seconds=retry_after) if retry_after else outbox.backoff(row.attempts)
            when = until or now + wait
            row.next_attempt_at, row.last_error, row.error_code = when, exc.message, exc.code
            latest = max(latest, when)
        if pause and ids:
            conn = outbox.connection(session, tenant_id, sink, lock=True)
            conn.paused_until = latest


def _flag_reconnect(tenant_id: str, sink: str, instance: CrmSink, ids: list[str], reason: str) -> None:
    """Stop sending to ``sink`` until an admin reconnects it, tell the admins once, and put the
    claimed records back (they were not sent)."""
    from herald.notifications.send import send

    with current().db.transaction() as session:
        for row in session.scalars(select(CrmOutboxRecord).where(CrmOutboxRecord.id.in_(ids))):
            row.attempts = max(row.attempts - 1, 0)
            row.next_attempt_at, row.last_error, row.error_code = utcnow(), reason, "reconnect_needed"
        conn = outbox.connection(session, tenant_id, sink, lock=True)
        if conn.state == "reconnect_needed":
            return
        conn.state, conn.reason, conn.changed_at = "reconnect_needed", reason, utcnow()
        name = instance.display_name or sink
        for user in admins(session, tenant_id):
            try:
                send(session, Notification(
                    tenant_id=tenant_id, recipient_id=user.id, recipient_email=user.email,
                    kind=f"{instance.plugin or sink}.reconnect_needed", title=f"Reconnect {name}",
                    body=f"{name} no longer accepts Herald's credentials; CRM pushes wait until it is "
                         f"reconnected: {reason}", data={"sink": sink}))
            except Exception:  # a notification must never undo the state change
                log.exception("could not notify %s about CRM sink %s", user.id, sink)


def admins(session: Session, tenant_id: str) -> list[User]:
    """Active people of the tenant who hold :data:`ADMIN_PERMISSION` somewhere."""
    rows = session.execute(select(Grant.user_id, Grant.role_key).where(Grant.tenant_id == tenant_id)).all()
    ids = {uid for uid, role in rows if ADMIN_PERMISSION in role_permissions(session, tenant_id, role)}
    if not ids:
        return []
    return list(session.scalars(select(User).where(User.id.in_(ids), User.status == "active")).all())


def read_back(tenant_id: str, sink: str) -> int:
    """Read the status and owner of the cases this tenant pushed to ``sink``; returns how many
    were updated."""
    rt = current()
    with rt.db.transaction() as session:
        instance = rt.plugins.for_tenant(session, tenant_id).instance("herald_crm_sinks", sink)
        conn = outbox.connection(session, tenant_id, sink)
        if not isinstance(instance, CrmSink) or conn.state != "ok":
            return 0
        conn.last_read_back_at = utcnow()
        ids = list(session.scalars(select(CrmOutboxRecord.crm_id).where(
            CrmOutboxRecord.tenant_id == tenant_id, CrmOutboxRecord.sink == sink, CrmOutboxRecord.kind == "case",
            CrmOutboxRecord.state == "sent", CrmOutboxRecord.crm_id.is_not(None))).all())
    updated = 0
    for start in range(0, len(ids), MAX_BATCH):
        chunk = [i for i in ids[start:start + MAX_BATCH] if i]
        cases = {case.crm_id: case for case in instance.read_cases(chunk)}
        with rt.db.transaction() as session:
            rows = session.scalars(select(CrmOutboxRecord).where(
                CrmOutboxRecord.tenant_id == tenant_id, CrmOutboxRecord.sink == sink,
                CrmOutboxRecord.crm_id.in_(list(cases)))).all()
            for row in rows:
                case = cases[row.crm_id or ""]
                row.case_number, row.case_status, row.case_owner = case.number, case.status, case.owner
                row.case_checked_at = utcnow()
                updated += 1
    return updated


def case_label(row: CrmOutboxRecord) -> str:
    """What a conversation shows of its CRM record: "Case 00012 — Escalated — owner Priya"."""
    parts = [f"Case {row.case_number}" if row.case_number else f"{row.kind.capitalize()} {row.crm_id or ''}".strip()]
    if row.case_status:
        parts.append(row.case_status)
    if row.case_owner:
        parts.append(f"owner {row.case_owner}")
    return " — ".join(parts)
