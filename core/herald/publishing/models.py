"""Data model of publishing.

A **publication** is one (post variant, social account) pair. It keeps the instant it is due,
the wall-clock time and IANA zone it was planned in, its state, every attempt, and what the
network answered. ``due_at`` is when the scheduler should next act on it (the planned instant,
or a backoff / rate-limit wait); leases (``lease_token``, ``lease_expires_at``) let several
schedulers and workers share the work without doing anything twice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, ForeignKey, Index, Integer, String, Text, UniqueConstraint, literal_column, text
from sqlalchemy.orm import Mapped, mapped_column

from herald.clock import utcnow
from herald.db import Base, JSONType, UTCDateTime
from herald.ids import new_id

#: scheduled → publishing → published | failed | needs_attention; cancelled by people;
#: deleted after a successful unpublish.
PUBLICATION_STATES = ("scheduled", "publishing", "published", "failed", "needs_attention", "cancelled", "deleted")
#: states a publication can still leave on its own
ACTIVE_STATES = ("scheduled", "publishing")
#: The predicates of the partial indexes, as SQL literals: a query states them word for word
#: (``waiting()``, ``in_flight()``, ``text(QUEUED)``) so that the planner can use the index.
WAITING = "state = 'scheduled'"
IN_FLIGHT = "state = 'publishing'"
#: dispatched to the queue and not yet taken by a worker (which renames the lease's owner)
QUEUED = "state = 'publishing' AND lease_owner LIKE 'dispatch:%'"


class Publication(Base):
    __tablename__ = "publications"
    __table_args__ = (
        # The scheduler's claim: due scheduled rows, and expired leases of publishing rows; its
        # back-pressure: those dispatched and not yet taken by a worker. Partial indexes: they
        # hold only the rows still in flight, so they stay small as the history grows, and a
        # publication that comes to rest leaves them instead of adding entries to them.
        Index("ix_publications_due", "due_at", postgresql_where=text(WAITING), sqlite_where=text(WAITING)),
        Index("ix_publications_lease", "lease_expires_at", postgresql_where=text(IN_FLIGHT),
              sqlite_where=text(IN_FLIGHT)),
        Index("ix_publications_queued", "lease_owner", postgresql_where=text(QUEUED),
              sqlite_where=text(QUEUED)),
        # the calendar: a tenant's publications in a time range (optionally one account)
        Index("ix_publications_tenant_time", "tenant_id", "scheduled_at"),
        Index("ix_publications_account_time", "account_id", "scheduled_at"),
        UniqueConstraint("post_id", "account_id", "variant_key", name="uq_publications_post_account_variant"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("pub"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("social_accounts.id"))
    network: Mapped[str] = mapped_column(String(32))
    #: which variant: "<network or *>/<language or ->", e.g. "x/ar" or "*/-"
    variant_key: Mapped[str] = mapped_column(String(80))
    language: Mapped[str | None] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(20), default="scheduled")
    #: the planned instant (UTC), and the wall-clock time and zone it was planned in
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    local_time: Mapped[str] = mapped_column(String(32))
    time_zone: Mapped[str] = mapped_column(String(64))
    #: when the scheduler next acts (the planned instant, or after a backoff / rate-limit wait)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_token: Mapped[str | None] = mapped_column(String(40))
    lease_owner: Mapped[str | None] = mapped_column(String(120))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempt_count: Mapped[int] = mapped_column(Integer, default=0)
    #: consecutive transient failures (bounds the retries)
    transient_failures: Mapped[int] = mapped_column(Integer, default=0)
    #: set while an attempt may have created the post and nobody has found out yet
    uncertain_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    remote_id: Mapped[str | None] = mapped_column(String(200))
    remote_url: Mapped[str | None] = mapped_column(String(2000))
    extra_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: what uncertain attempts told the connector's lookup (``UncertainOutcome.hints``, merged);
    #: emptied when a publish attempt starts and when the publication is published
    lookup_hints: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict, server_default="{}")
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_code: Mapped[str | None] = mapped_column(String(100))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


def waiting() -> ColumnElement[bool]:
    """Scheduled (the predicate of ``ix_publications_due``, as a literal)."""
    return Publication.state == literal_column("'scheduled'")


def in_flight() -> ColumnElement[bool]:
    """Publishing (the predicate of ``ix_publications_lease``, as a literal)."""
    return Publication.state == literal_column("'publishing'")


#: how an attempt ended; "open" means it started and never reported back (a crash)
ATTEMPT_OUTCOMES = ("open", "published", "transient", "rate_limited", "auth_expired", "auth_revoked",
                    "permanent", "duplicate", "uncertain", "found", "not_found", "refused")


class PublicationAttempt(Base):
    """One call (or reconciliation) made for a publication. Written and committed before the
    network is called, so that a crash mid-call leaves an ``open`` attempt behind."""

    __tablename__ = "publication_attempts"
    __table_args__ = (UniqueConstraint("publication_id", "number"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("att"))
    publication_id: Mapped[str] = mapped_column(ForeignKey("publications.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16), default="publish")  # publish | lookup
    worker: Mapped[str | None] = mapped_column(String(120))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(String(20), default="open")
    error: Mapped[str | None] = mapped_column(Text)
    error_code: Mapped[str | None] = mapped_column(String(100))
    remote_id: Mapped[str | None] = mapped_column(String(200))


class AccountCredential(Base):
    """A social account's tokens (sealed with the runtime's SecretBox) and its per-account
    rate-limit state."""

    __tablename__ = "account_credentials"

    account_id: Mapped[str] = mapped_column(ForeignKey("social_accounts.id", ondelete="CASCADE"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    sealed_tokens: Mapped[str | None] = mapped_column(Text)
    token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    blocked_reason: Mapped[str | None] = mapped_column(Text)
    last_refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reconnect_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class PostingSlot(Base):
    """A recurring posting time of an account: a weekday (0 = Monday) and a wall-clock time in
    the account's zone (or the tenant's)."""

    __tablename__ = "posting_slots"
    __table_args__ = (UniqueConstraint("account_id", "weekday", "local_time"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("slot"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("social_accounts.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    local_time: Mapped[str] = mapped_column(String(5))  # HH:MM


class ConnectFlow(Base):
    """An OAuth connect flow in progress: the state sent to the network and the PKCE verifier,
    kept server-side only, used once."""

    __tablename__ = "connect_flows"

    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("social_accounts.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    code_verifier: Mapped[str] = mapped_column(String(128))
    redirect_uri: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Heartbeat(Base):
    """A scheduler's or worker's latest sign of life."""

    __tablename__ = "heartbeats"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # scheduler | worker
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    info: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
