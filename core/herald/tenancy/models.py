"""Data model of tenancy: tenants, org units (a materialised-path tree), social accounts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from herald.clock import utcnow
from herald.db import Base, JSONType, UTCDateTime
from herald.ids import new_id

UNIT_KINDS = ("company", "region", "brand", "franchise", "market", "team", "other")


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("ten"))
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="active")
    default_locale: Mapped[str] = mapped_column(String(16), default="en")
    default_time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class OrgUnit(Base):
    """A node of a tenant's tree. ``path`` is ``/<root id>/…/<own id>/`` so that a subtree is
    one indexed prefix query and the ancestors are the path's segments."""

    __tablename__ = "org_units"
    __table_args__ = (Index("ix_org_units_tenant_path", "tenant_id", "path"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("unit"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), default="other")
    path: Mapped[str] = mapped_column(String(2000))
    depth: Mapped[int] = mapped_column(default=0)
    time_zone: Mapped[str | None] = mapped_column(String(64))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def ancestor_ids(self) -> list[str]:
        """Ids from the root down to this unit, itself included."""
        return [p for p in self.path.split("/") if p]


class SocialAccount(Base):
    __tablename__ = "social_accounts"
    __table_args__ = (UniqueConstraint("tenant_id", "network", "handle"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("acct"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    org_unit_id: Mapped[str] = mapped_column(ForeignKey("org_units.id"), index=True)
    network: Mapped[str] = mapped_column(String(32))
    handle: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    external_id: Mapped[str | None] = mapped_column(String(200))
    time_zone: Mapped[str | None] = mapped_column(String(64))
    connection_state: Mapped[str] = mapped_column(String(32), default="not_connected")
    labels: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: languages (BCP 47 codes) the account's audience reads, in order of preference: planning
    #: gives the account the post's variant in the first of them the post has
    audience_languages: Mapped[list[str]] = mapped_column(JSONType, default=list, server_default="[]")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
