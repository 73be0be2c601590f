"""Data model of listening, kept apart from the inbox.

A **query** belongs to an org unit: its text in Herald's query language (and the parsed AST),
exclusions, the networks and accounts it searches with, its owners (who get its spike
alerts), a cadence and what each network's connector made of it (``compiled``). A **cursor**
holds where searching one account for one query stands. A **hit** is a public post, stored once
per (tenant, network, remote id) however many runs or queries find it; **hit links** tie it to
every query that found it, with the hit's ``created_at`` and ``sentiment_label`` copied onto
the link so that the volume view reads one index. **Account budgets** are what listening's own
calls learnt about an account's rate budget; **term uses** count the distinct terms (Instagram
hashtags) each account searched within the network's window."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from herald.clock import utcnow
from herald.db import Base, JSONType, UTCDateTime
from herald.ids import new_id

#: how often a query runs unless it says otherwise
DEFAULT_CADENCE_S = 15 * 60
SENTIMENT_LABELS = ("positive", "neutral", "negative", "mixed")


class ListeningQuery(Base):
    __tablename__ = "listening_queries"
    __table_args__ = (Index("ix_listening_queries_due", "enabled", "next_run_at"),
                      Index("ix_listening_queries_tenant", "tenant_id", "created_at", "id"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("lq"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    org_unit_id: Mapped[str] = mapped_column(ForeignKey("org_units.id"))
    name: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    exclusions: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: the parsed query with its exclusions (:func:`herald.listening.query.ast.to_json`)
    ast: Mapped[dict[str, Any]] = mapped_column(JSONType)
    networks: Mapped[list[str]] = mapped_column(JSONType, default=list)
    account_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    owner_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    cadence_s: Mapped[int] = mapped_column(Integer, default=DEFAULT_CADENCE_S)
    #: per network: what its connector made of the query (network query, local filter, notes)
    compiled: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    lease_owner: Mapped[str | None] = mapped_column(String(120))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the spike detector's memory: the last alert per signal (volume, negative)
    alert_state: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ListeningCursor(Base):
    """Where searching one account for one query stands (the connector's own cursor)."""

    __tablename__ = "listening_cursors"

    query_id: Mapped[str] = mapped_column(ForeignKey("listening_queries.id", ondelete="CASCADE"),
                                          primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("social_accounts.id", ondelete="CASCADE"),
                                            primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(32))
    cursor: Mapped[str | None] = mapped_column(String(4000))
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_errors: Mapped[int] = mapped_column(Integer, default=0)
    #: this account is not searched for this query before then (an error's backoff, a 429's reset)
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ListeningBudget(Base):
    """What listening's own calls learnt about an account's rate budget."""

    __tablename__ = "listening_budgets"

    account_id: Mapped[str] = mapped_column(ForeignKey("social_accounts.id", ondelete="CASCADE"),
                                            primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    limit: Mapped[int | None] = mapped_column(Integer)
    remaining: Mapped[int | None] = mapped_column(Integer)
    reset_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: after a 429: no listening call on this account before then
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)


class ListeningTermUse(Base):
    """A distinct term (an Instagram hashtag) an account searched; its window started at
    ``window_started_at`` and a repeat within the window neither counts nor restarts it."""

    __tablename__ = "listening_term_uses"

    account_id: Mapped[str] = mapped_column(ForeignKey("social_accounts.id", ondelete="CASCADE"),
                                            primary_key=True)
    term: Mapped[str] = mapped_column(String(200), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(32))
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ListeningHit(Base):
    __tablename__ = "listening_hits"
    __table_args__ = (UniqueConstraint("tenant_id", "network", "remote_id", name="uq_listening_hits_remote"),
                      Index("ix_listening_hits_tenant_created", "tenant_id", "created_at"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("lh"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(32))
    remote_id: Mapped[str] = mapped_column(String(200))
    #: the account whose search found it first
    account_id: Mapped[str | None] = mapped_column(ForeignKey("social_accounts.id", ondelete="SET NULL"))
    author_remote_id: Mapped[str | None] = mapped_column(String(200))
    author_handle: Mapped[str | None] = mapped_column(String(200))
    author_name: Mapped[str | None] = mapped_column(String(200))
    author_followers: Mapped[int | None] = mapped_column(Integer)
    author_verified: Mapped[bool | None] = mapped_column(Boolean)
    text: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str | None] = mapped_column(String(16))
    url: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: what the enrichers found (annotations by name), and the figures the views filter on
    enrichment: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    sentiment: Mapped[float | None] = mapped_column(Float)
    sentiment_label: Mapped[str | None] = mapped_column(String(16))
    intent: Mapped[str | None] = mapped_column(String(64))


class ListeningHitQuery(Base):
    """A hit found by a query. ``created_at`` and ``sentiment_label`` are the hit's, copied so
    that the volume and sentiment views read this table's index alone."""

    __tablename__ = "listening_hit_queries"
    __table_args__ = (Index("ix_listening_hit_queries_volume", "query_id", "created_at", "sentiment_label"),
                      Index("ix_listening_hit_queries_hit", "hit_id"))

    query_id: Mapped[str] = mapped_column(ForeignKey("listening_queries.id", ondelete="CASCADE"),
                                          primary_key=True)
    hit_id: Mapped[str] = mapped_column(ForeignKey("listening_hits.id", ondelete="CASCADE"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sentiment_label: Mapped[str | None] = mapped_column(String(16))
    found_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
