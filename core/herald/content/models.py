"""Data model of content: a post, its immutable versions, and the edit lease on it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from herald.clock import utcnow
from herald.db import Base, JSONType, UTCDateTime
from herald.ids import new_id

#: a post's lifecycle. draft → in_review → approved → scheduled → publishing → published
#: (or partially_published / failed); changes_requested returns it to the author; rejected ends it.
POST_STATUSES = ("draft", "in_review", "changes_requested", "approved", "rejected", "scheduled", "publishing",
                 "published", "partially_published", "failed")


class Post(Base):
    """A post belongs to an org unit; its content lives in versions (``current_version``)."""

    __tablename__ = "posts"
    __table_args__ = (Index("ix_posts_tenant_unit", "tenant_id", "org_unit_id"),
                      # the post list's keyset order: a page reads about the rows it shows
                      Index("ix_posts_tenant_created", "tenant_id", "created_at", "id"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("post"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    org_unit_id: Mapped[str] = mapped_column(ForeignKey("org_units.id"))
    campaign: Mapped[str | None] = mapped_column(String(200))
    #: ``post`` (published by the publishing engine) or ``inbox_reply`` (carries a governed inbox
    #: reply through approval; the inbox sends it once approved, it is never scheduled)
    purpose: Mapped[str] = mapped_column(String(16), default="post", server_default="post")
    status: Mapped[str] = mapped_column(String(32), default="draft")
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    #: the version every required approval was given to (None: not approved).
    approved_version: Mapped[int | None] = mapped_column(Integer)
    lease_holder_id: Mapped[str | None] = mapped_column(String(32))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class PostVersion(Base):
    """Every save is a version: the whole content, who saved it, and what changed (field-level
    diff against the previous version). Versions are never changed."""

    __tablename__ = "post_versions"
    __table_args__ = (UniqueConstraint("post_id", "number"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("pver"))
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[str] = mapped_column(String(32))
    content: Mapped[dict[str, Any]] = mapped_column(JSONType)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    restored_from: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PostComment(Base):
    """A comment on a post (optionally on one version), with mentioned colleagues."""

    __tablename__ = "post_comments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("cmt"))
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    version: Mapped[int | None] = mapped_column(Integer)
    author_id: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(String(5000))
    mentions: Mapped[list[str]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
