"""Data model of the content library."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from herald.clock import utcnow
from herald.db import Base, JSONType, UTCDateTime
from herald.ids import new_id

#: pending → approved | rejected; approved → retired. Expiry is a date, not a state: an asset
#: past ``expires_at`` is expired whatever its status.
ASSET_STATUSES = ("pending", "approved", "rejected", "retired")
ASSET_KINDS = ("image", "video", "gif", "document", "template", "snippet")


class Asset(Base):
    __tablename__ = "assets"
    __table_args__ = (Index("ix_assets_tenant_unit", "tenant_id", "org_unit_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("asset"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    org_unit_id: Mapped[str] = mapped_column(ForeignKey("org_units.id"))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    #: files: what the content really is (sniffed, never the uploader's claim)
    mime_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str | None] = mapped_column(String(64))
    storage_key: Mapped[str | None] = mapped_column(String(300))
    #: templates and snippets: their text
    text: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    licence: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(32))
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def usable(self, now: datetime) -> bool:
        """Fit to go out in a post now: approved and not expired."""
        return self.status == "approved" and not self.expired(now)
