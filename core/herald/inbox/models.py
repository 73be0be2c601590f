"""Data model of the inbox.

An **item** is one mention, comment or direct message as the network gave it, stored once per
(tenant, network, account, remote id). Items are threaded into **conversations** (a DM thread
per person and account, the comments under one post, a reply chain of mentions); each
conversation belongs to its account's org unit and carries its triage state (status, team,
assignee, priority, tags), its SLA clock and the reply lease. **Authors** are the people who
write to the tenant. The **timeline** records everything that happened to a conversation.
**Teams**, **SLA policies**, **routing rules**, **saved replies** and **saved views** are what
a tenant configures; **poll states** are per account and stream (mentions, direct messages)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from herald.clock import utcnow
from herald.db import Base, JSONType, UTCDateTime
from herald.ids import new_id

KINDS = ("mention", "comment", "dm", "search")
#: open → pending (waiting on the customer) → resolved; spam hides it; a new inbound message
#: reopens a pending or resolved conversation.
STATUSES = ("open", "pending", "resolved", "spam")
PRIORITIES = ("low", "normal", "high", "urgent")
#: the order "most urgent first" sorts by, highest first
PRIORITY_RANK = {"low": 0, "normal": 1, "high": 2, "urgent": 3}
#: the urgency of a conversation with no SLA due time
NOTHING_DUE = datetime(9999, 12, 31, tzinfo=UTC)
SLA_STATES = ("none", "on_track", "at_risk", "breached", "met", "paused")
REPLY_STATES = ("awaiting_approval", "changes_requested", "queued", "sending", "sent", "failed", "rejected",
                "cancelled")


class InboxAuthor(Base):
    """A person on a network who wrote to the tenant (the "social persona")."""

    __tablename__ = "inbox_authors"
    __table_args__ = (UniqueConstraint("tenant_id", "network", "remote_id", name="uq_inbox_authors_remote"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("aut"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(32))
    remote_id: Mapped[str] = mapped_column(String(200))
    handle: Mapped[str] = mapped_column(String(200), default="")
    display_name: Mapped[str] = mapped_column(String(200), default="")
    followers: Mapped[int | None] = mapped_column(Integer)
    verified: Mapped[bool | None] = mapped_column(Boolean)
    language: Mapped[str | None] = mapped_column(String(16))
    #: the tenant's own tags for this person ("vip", "press", …)
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: marked as spam: their new items are stored and hidden (conversation status "spam")
    spam: Mapped[bool] = mapped_column(Boolean, default=False)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: personal data erased on request: handle, name and the text of their items are gone
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuthorNote(Base):
    """An internal note about an author, seen by the tenant's people, never by the author."""

    __tablename__ = "inbox_author_notes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("anote"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    author_id: Mapped[str] = mapped_column(ForeignKey("inbox_authors.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Conversation(Base):
    __tablename__ = "inbox_conversations"
    __table_args__ = (
        UniqueConstraint("tenant_id", "account_id", "thread_key", name="uq_inbox_conversations_thread"),
        # the inbox views: a tenant's conversations by status, newest first / most urgent first
        # (a unit and its descendants: the accounts in that subtree)
        Index("ix_inbox_conversations_newest", "tenant_id", "status", "last_message_at", "id"),
        Index("ix_inbox_conversations_account", "account_id", "status", "last_message_at"),
        Index("ix_inbox_conversations_urgent", "tenant_id", "status", "urgency_at", "id"),
        Index("ix_inbox_conversations_assignee", "tenant_id", "assignee_id", "status"),
        Index("ix_inbox_conversations_team", "tenant_id", "team_id", "status"),
        Index("ix_inbox_conversations_author", "author_id"),
        # the SLA clock's sweep: the next instant at which a conversation's SLA state changes
        Index("ix_inbox_conversations_sla_check", "sla_check_at"),
        Index("ix_inbox_conversations_snoozed", "snoozed_until"),
        Index("ix_inbox_conversations_routing_pending", "routing_pending_since"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("conv"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    #: the conversation belongs to the account's org unit (wherever the account is moved), so
    #: access follows the account: see :mod:`herald.inbox.access`
    account_id: Mapped[str] = mapped_column(ForeignKey("social_accounts.id"))
    network: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    #: what makes items one conversation on this account: "dm:<thread>", "post:<root>", "item:<id>"
    thread_key: Mapped[str] = mapped_column(String(300))
    author_id: Mapped[str | None] = mapped_column(ForeignKey("inbox_authors.id"))
    status: Mapped[str] = mapped_column(String(16), default="open")
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    team_id: Mapped[str | None] = mapped_column(String(32))
    assignee_id: Mapped[str | None] = mapped_column(String(32))
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    language: Mapped[str | None] = mapped_column(String(16))
    sentiment: Mapped[float | None] = mapped_column(Float)
    intent: Mapped[str | None] = mapped_column(String(64))
    #: the newest inbound text, shortened (the list shows it)
    preview: Mapped[str] = mapped_column(String(300), default="")
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    first_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: the routing rules that matched, with why: [{"rule_id", "name", "reasons": [...]}]
    routing: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    #: set while the conversation waits for its item's enrichment before routing (see
    #: :mod:`herald.inbox.enrichment`); the inbox sweep routes one that waited too long
    routing_pending_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # --- SLA: the policy, the current cycle's clock and its state ---------------------------
    sla_policy_id: Mapped[str | None] = mapped_column(String(32))
    #: a cycle starts with the first inbound message after the conversation was resolved
    sla_cycle: Mapped[int] = mapped_column(Integer, default=0)
    sla_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the earliest due time still running
    sla_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the "most urgent first" order: ``sla_due_at``, or far in the future when nothing is due
    #: (never NULL, so that keyset pagination and the index need no special case)
    urgency_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=lambda: NOTHING_DUE)
    sla_state: Mapped[str] = mapped_column(String(16), default="none")
    #: when the SLA sweep should look at this conversation next (at risk, breach)
    sla_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: pauses of this cycle's clock (pending): [[start, end or null], ...] as ISO strings
    sla_pauses: Mapped[list[list[str | None]]] = mapped_column(JSONType, default=list)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # --- the reply lease: who is answering right now ----------------------------------------
    replying_user_id: Mapped[str | None] = mapped_column(String(32))
    replying_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class InboxItem(Base):
    __tablename__ = "inbox_items"
    __table_args__ = (
        UniqueConstraint("tenant_id", "network", "account_id", "remote_id", name="uq_inbox_items_remote"),
        Index("ix_inbox_items_conversation", "conversation_id", "created_at"),
        Index("ix_inbox_items_author", "author_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("itm"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    conversation_id: Mapped[str] = mapped_column(ForeignKey("inbox_conversations.id", ondelete="CASCADE"))
    account_id: Mapped[str] = mapped_column(ForeignKey("social_accounts.id"))
    network: Mapped[str] = mapped_column(String(32))
    remote_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(16), default="inbound")
    author_id: Mapped[str | None] = mapped_column(ForeignKey("inbox_authors.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str | None] = mapped_column(String(16))
    url: Mapped[str | None] = mapped_column(String(2000))
    in_reply_to: Mapped[str | None] = mapped_column(String(200))
    root_id: Mapped[str | None] = mapped_column(String(200))
    thread_id: Mapped[str | None] = mapped_column(String(200))
    media: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    #: what enrichers said (sentiment, intent, tags, …), by enricher
    enrichment: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: when the enrichers' annotations were written (None: not yet, or the tenant has none)
    enriched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: how it arrived first: poll | webhook | herald (sent from Herald)
    source: Mapped[str] = mapped_column(String(16), default="poll")
    #: the network's timestamp (None: the network did not say; received_at stands in)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the Herald reply this outbound item is (None: inbound, or sent elsewhere)
    reply_id: Mapped[str | None] = mapped_column(String(32))


class TimelineEntry(Base):
    """One thing that happened to a conversation: a message, a note, an assignment, a status
    change, a routing decision, an SLA event. Never changed."""

    __tablename__ = "inbox_timeline"
    __table_args__ = (Index("ix_inbox_timeline_conversation", "conversation_id", "at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("tle"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    conversation_id: Mapped[str] = mapped_column(ForeignKey("inbox_conversations.id", ondelete="CASCADE"))
    #: message | note | assigned | status | routed | sla | reply | tags | priority | snoozed | spam
    kind: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[str | None] = mapped_column(String(32))
    item_id: Mapped[str | None] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class PollState(Base):
    """Where polling of one account's stream (``mentions`` or ``dms``) stands, and when it may
    run next. ``lease_*`` keeps two workers from polling the same stream at once."""

    __tablename__ = "inbox_poll_states"
    __table_args__ = (Index("ix_inbox_poll_states_next", "next_poll_at"),)

    account_id: Mapped[str] = mapped_column(ForeignKey("social_accounts.id", ondelete="CASCADE"),
                                            primary_key=True)
    stream: Mapped[str] = mapped_column(String(16), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    cursor: Mapped[str | None] = mapped_column(String(500))
    next_poll_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_owner: Mapped[str | None] = mapped_column(String(120))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    budget_limit: Mapped[int | None] = mapped_column(Integer)
    budget_remaining: Mapped[int | None] = mapped_column(Integer)
    budget_reset_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consecutive_errors: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    #: the connector does not read this stream: never polled again until capabilities change
    unsupported: Mapped[bool] = mapped_column(Boolean, default=False)


class Team(Base):
    __tablename__ = "inbox_teams"
    __table_args__ = (UniqueConstraint("tenant_id", "name", name="uq_inbox_teams_name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("team"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: the org units whose conversations the team covers (with their descendants)
    unit_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    #: {"mon": [["09:00", "17:00"]], …}; empty: always open
    business_hours: Mapped[dict[str, list[list[str]]]] = mapped_column(JSONType, default=dict)
    holidays: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: manual | round_robin | least_open
    assignment: Mapped[str] = mapped_column(String(16), default="manual")
    #: the member round robin gave the last conversation to
    last_assigned_user_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class TeamMember(Base):
    __tablename__ = "inbox_team_members"

    team_id: Mapped[str] = mapped_column(ForeignKey("inbox_teams.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    #: away people get no automatic assignments (until ``away_until``, or until back)
    away: Mapped[bool] = mapped_column(Boolean, default=False)
    away_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SlaPolicy(Base):
    """Targets for one team (None: any team) and priority (None: any priority), in business
    seconds of the team's hours. The most specific policy applies."""

    __tablename__ = "inbox_sla_policies"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("sla"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    team_id: Mapped[str | None] = mapped_column(ForeignKey("inbox_teams.id", ondelete="CASCADE"))
    priority: Mapped[str | None] = mapped_column(String(16))
    first_response_s: Mapped[int | None] = mapped_column(Integer)
    resolution_s: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class SlaOutcome(Base):
    """A fact for reports: a target of one SLA cycle was met or breached, when, by how much."""

    __tablename__ = "inbox_sla_outcomes"
    __table_args__ = (
        UniqueConstraint("conversation_id", "cycle", "metric", "outcome", name="uq_inbox_sla_outcomes_cycle"),
        Index("ix_inbox_sla_outcomes_team_time", "tenant_id", "team_id", "at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("slo"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    conversation_id: Mapped[str] = mapped_column(ForeignKey("inbox_conversations.id", ondelete="CASCADE"))
    cycle: Mapped[int] = mapped_column(Integer)
    team_id: Mapped[str | None] = mapped_column(String(32))
    policy_id: Mapped[str | None] = mapped_column(String(32))
    priority: Mapped[str] = mapped_column(String(16))
    #: first_response | resolution
    metric: Mapped[str] = mapped_column(String(16))
    #: at_risk | breached | met
    outcome: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: business seconds the target took (met) or had run when it was breached
    business_seconds: Mapped[float | None] = mapped_column(Float)


class RoutingRule(Base):
    __tablename__ = "inbox_routing_rules"
    __table_args__ = (Index("ix_inbox_routing_rules_order", "tenant_id", "position"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("rrule"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    #: the rule applies to conversations of this unit and its descendants (None: every unit)
    org_unit_id: Mapped[str | None] = mapped_column(ForeignKey("org_units.id"))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    #: match, conditions, actions, stop (see herald.inbox.routing.definition)
    definition: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class SavedReply(Base):
    __tablename__ = "inbox_saved_replies"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("srep"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(16))
    #: text with placeholders: {author.name}, {author.handle}, {agent.name}, {account.handle}
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class SavedView(Base):
    __tablename__ = "inbox_saved_views"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("sview"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    #: None: shared with everyone in the tenant who may read the inbox
    owner_id: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    filters: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class InboxSettings(Base):
    """A tenant's inbox settings: which replies need approval before they are sent — on these
    accounts, on accounts with these labels, or in conversations with these tags."""

    __tablename__ = "inbox_settings"

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True)
    approval_accounts: Mapped[list[str]] = mapped_column(JSONType, default=list)
    approval_account_labels: Mapped[list[str]] = mapped_column(JSONType, default=list)
    approval_tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class InboxReply(Base):
    """An answer sent (or to be sent) from Herald. Sent exactly once: claimed with a lease,
    looked up after an uncertain outcome, never sent twice."""

    __tablename__ = "inbox_replies"
    __table_args__ = (
        Index("ix_inbox_replies_conversation", "conversation_id", "created_at"),
        Index("ix_inbox_replies_state", "state", "due_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("rpl"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    conversation_id: Mapped[str] = mapped_column(ForeignKey("inbox_conversations.id", ondelete="CASCADE"))
    account_id: Mapped[str] = mapped_column(ForeignKey("social_accounts.id"))
    #: comment | mention | dm
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    in_reply_to: Mapped[str | None] = mapped_column(String(200))
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(20), default="queued")
    author_user_id: Mapped[str] = mapped_column(String(32))
    #: a governed reply's approval: the post that carries it through the approval engine
    approval_post_id: Mapped[str | None] = mapped_column(String(32), index=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_token: Mapped[str | None] = mapped_column(String(40))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempt_count: Mapped[int] = mapped_column(Integer, default=0)
    uncertain_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lookup_hints: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    remote_id: Mapped[str | None] = mapped_column(String(200))
    remote_url: Mapped[str | None] = mapped_column(String(2000))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
