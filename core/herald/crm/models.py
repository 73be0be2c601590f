"""Data model of CRM pushes: the outbox of records on their way to a CRM (which is also the
sync log admins read), and the state of each tenant's connection to each sink."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from herald.clock import utcnow
from herald.db import Base, JSONType, UTCDateTime
from herald.ids import new_id

#: pending: waiting to be sent (or retried); sent: the CRM took it; failed: the CRM refused it
#: for good (its message is kept; an admin may retry after fixing the cause)
STATES = ("pending", "sent", "failed")
CONNECTION_STATES = ("ok", "reconnect_needed")


class CrmOutboxRecord(Base):
    """One record for one CRM sink, written in the transaction that decided to push it and
    kept after it was sent (the sync log). ``idempotency_key`` is unique per tenant and sink,
    so deciding twice queues once."""

    __tablename__ = "crm_outbox"
    __table_args__ = (
        UniqueConstraint("tenant_id", "sink", "idempotency_key", name="uq_crm_outbox_key"),
        Index("ix_crm_outbox_due", "state", "next_attempt_at"),
        Index("ix_crm_outbox_tenant_created", "tenant_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("crm"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    sink: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    conversation_id: Mapped[str | None] = mapped_column(
        ForeignKey("inbox_conversations.id", ondelete="SET NULL"), index=True)
    fields: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    error_code: Mapped[str | None] = mapped_column(String(64))
    crm_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: a case as the CRM has it now (read back on a schedule)
    case_number: Mapped[str | None] = mapped_column(String(64))
    case_status: Mapped[str | None] = mapped_column(String(120))
    case_owner: Mapped[str | None] = mapped_column(String(200))
    case_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CrmConnection(Base):
    """How a tenant's connection to one sink stands: "reconnect needed" stops sending until an
    admin fixes the credentials; ``paused_until`` holds sending while the CRM's quota runs low."""

    __tablename__ = "crm_connections"

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True)
    sink: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(24), default="ok")
    reason: Mapped[str | None] = mapped_column(Text)
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_read_back_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
