"""The sandbox network's tables: its posts, its engagement (mentions, comments and direct
messages between customers and the tenant's sandbox accounts) and one row of bookkeeping per
account (the sequence every change is numbered by, how far customers have been simulated, the
read budget)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from herald.clock import utcnow
from herald.db import Base, UTCDateTime
from herald.ids import new_id


class SandboxPost(Base):
    """A post on the sandbox network. ``marker`` is the publication id Herald sent, which is
    how an uncertain attempt is looked up."""

    __tablename__ = "network_sandbox_posts"
    __table_args__ = (Index("ix_network_sandbox_posts_tenant_created", "tenant_id", "created_at"),
                      Index("ix_network_sandbox_posts_marker", "tenant_id", "marker"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("sbx"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    account_remote_id: Mapped[str] = mapped_column(String(200))
    handle: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    media_count: Mapped[int] = mapped_column(Integer, default=0)
    language: Mapped[str | None] = mapped_column(String(16))
    marker: Mapped[str | None] = mapped_column(String(64))
    likes: Mapped[int] = mapped_column(Integer, default=0)
    views: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SandboxEngagement(Base):
    """A mention, comment or direct message on one sandbox account, from a customer
    (``inbound``) or from the account itself (``outbound``).

    ``remote_id`` is fixed at creation and grows with ``seq`` at that moment, so ids sort in
    the order items were made. ``seq`` is the item's place in the account's change log: it is
    given a new, higher number when the item is edited or deleted, which is how an edit or a
    deletion shows up after a reader's cursor. ``thread_id``: a direct message's conversation
    (one per customer and account), a comment's sandbox post, a mention's own first item.
    ``marker`` is the reply id Herald sent (for ``find_reply``)."""

    __tablename__ = "network_sandbox_engagements"
    __table_args__ = (
        UniqueConstraint("tenant_id", "account_remote_id", "remote_id", name="uq_network_sandbox_engagements_remote"),
        UniqueConstraint("tenant_id", "account_remote_id", "seq", name="uq_network_sandbox_engagements_seq"),
        Index("ix_network_sandbox_engagements_thread", "tenant_id", "account_remote_id", "thread_id"),
        Index("ix_network_sandbox_engagements_marker", "tenant_id", "marker"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("sbxe"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    account_remote_id: Mapped[str] = mapped_column(String(200))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # mention | comment | dm
    direction: Mapped[str] = mapped_column(String(16))  # inbound | outbound
    remote_id: Mapped[str] = mapped_column(String(64))
    thread_id: Mapped[str] = mapped_column(String(200))
    in_reply_to: Mapped[str | None] = mapped_column(String(200))
    root_id: Mapped[str | None] = mapped_column(String(200))
    author_remote_id: Mapped[str] = mapped_column(String(200))
    author_handle: Mapped[str] = mapped_column(String(200))
    author_display_name: Mapped[str] = mapped_column(String(200), default="")
    author_followers: Mapped[int | None] = mapped_column(Integer)
    author_verified: Mapped[bool | None] = mapped_column(Boolean)
    author_language: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    marker: Mapped[str | None] = mapped_column(String(64))


class SandboxAccountState(Base):
    """One sandbox account's bookkeeping. Every writer of the account's engagement locks this
    row first, so numbers are handed out one transaction at a time and a reader never sees
    ``seq`` N+1 committed before N (its cursor would skip N)."""

    __tablename__ = "network_sandbox_account_states"

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True)
    account_remote_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    #: customers have been simulated up to this instant
    simulated_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the current read-budget window and the reads counted in it, per kind of read
    reads_window_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mention_reads: Mapped[int] = mapped_column(Integer, default=0)
    dm_reads: Mapped[int] = mapped_column(Integer, default=0)
