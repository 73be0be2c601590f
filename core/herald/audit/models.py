"""Audit events and the head of each hash chain (one chain per tenant, one for the platform)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from herald.db import Base, JSONType, UTCDateTime
from herald.ids import new_id

PLATFORM_CHAIN = "platform"


class AuditEvent(Base):
    """One change. Rows are never updated or deleted (database triggers refuse it); each row's
    ``hash`` covers its content and the previous row's hash in the same chain, keyed with the
    instance key ``key_id`` (see herald.audit.hashing)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        UniqueConstraint("chain", "chain_seq"),
        Index("ix_audit_events_tenant_at", "tenant_id", "at"),
        Index("ix_audit_events_object", "object_type", "object_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("evt"))
    chain: Mapped[str] = mapped_column(String(40))
    chain_seq: Mapped[int] = mapped_column(BigInteger)
    tenant_id: Mapped[str | None] = mapped_column(String(32))
    actor_id: Mapped[str | None] = mapped_column(String(32))
    actor_label: Mapped[str] = mapped_column(String(400))
    action: Mapped[str] = mapped_column(String(100))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    context: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    #: the instance key whose HMAC ``hash`` is; None: a legacy event, plain SHA-256
    key_id: Mapped[str | None] = mapped_column(String(32))


class AuditChain(Base):
    """The head of a chain: its last sequence number and hash. Locked while appending, so
    appends to one chain are strictly sequential across processes and machines."""

    __tablename__ = "audit_chains"

    chain: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
