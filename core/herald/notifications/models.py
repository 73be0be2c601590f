"""The in-app notification inbox and each person's notification preferences."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from herald.clock import utcnow
from herald.db import Base, JSONType, UTCDateTime
from herald.ids import new_id

#: the rows the header's unread count reads
UNREAD = "read_at IS NULL"


class InAppNotification(Base):
    __tablename__ = "inapp_notifications"
    __table_args__ = (
        Index("ix_inapp_notifications_recipient", "recipient_id", "created_at"),
        # the unread count on every console page: a partial index over just the unread ones
        Index("ix_inapp_notifications_unread", "recipient_id",
              postgresql_where=text(UNREAD), sqlite_where=text(UNREAD)),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("ntf"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(2000))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class NotificationPreference(Base):
    """One person's choice for one (kind, channel). Only choices that differ from the default
    (every kind on every channel) are stored; no row means "on"."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(100), primary_key=True)
    channel: Mapped[str] = mapped_column(String(100), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
