"""Approval workflows: an ordered list of steps defined on an org unit, inherited by its subtree
unless a descendant defines its own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from herald.clock import utcnow
from herald.db import Base, JSONType, UTCDateTime
from herald.ids import new_id


class Workflow(Base):
    __tablename__ = "workflows"
    __table_args__ = (UniqueConstraint("org_unit_id", "key"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("wf"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    org_unit_id: Mapped[str] = mapped_column(ForeignKey("org_units.id"), index=True)
    key: Mapped[str] = mapped_column(String(64), default="default")
    name: Mapped[str] = mapped_column(String(200))
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    #: after an edit invalidates approvals, review restarts at this step (0: the first).
    restart_from_step: Mapped[int] = mapped_column(Integer, default=0)
    #: recurring due dates per step for campaigns: [{"step": i, "day_of_month": d, "campaign": c|None}]
    due_calendar: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class WorkflowRule(Base):
    """Entry criteria: a post on ``org_unit_id`` or below that matches ``conditions`` goes
    through the workflow ``workflow_key`` (the nearest definition of that key). Rules are tried
    by ``priority`` (lowest first); the first match wins; none matching means "default"."""

    __tablename__ = "workflow_rules"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("wfr"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    org_unit_id: Mapped[str] = mapped_column(ForeignKey("org_units.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    priority: Mapped[int] = mapped_column(Integer, default=100)
    conditions: Mapped[dict[str, Any]] = mapped_column(JSONType)
    workflow_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ApprovalRun(Base):
    """One pass of one version of a post through a workflow (a snapshot of its steps, so that
    changing the workflow later does not change a review under way)."""

    __tablename__ = "approval_runs"
    __table_args__ = (Index("ix_approval_runs_active", "tenant_id", "status"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("run"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    workflow_id: Mapped[str | None] = mapped_column(String(32))
    workflow_name: Mapped[str] = mapped_column(String(200))
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    rule_id: Mapped[str | None] = mapped_column(String(32))
    chosen_because: Mapped[str] = mapped_column(String(1000))
    #: active | approved | changes_requested | rejected | superseded
    status: Mapped[str] = mapped_column(String(32), default="active")
    #: the step review (re)started at; steps before it were not required of this version.
    start_step: Mapped[int] = mapped_column(Integer, default=0)
    current_step: Mapped[int] = mapped_column(Integer, default=0)
    step_started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    step_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overdue_handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_to_role: Mapped[str | None] = mapped_column(String(64))
    submitted_by: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ApprovalDecision(Base):
    """A decision at a step: a person's (or an external reviewer's) approve / send back /
    reject, or an automatic step's passed / blocked with reasons. Never changed."""

    __tablename__ = "approval_decisions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("dec"))
    run_id: Mapped[str] = mapped_column(ForeignKey("approval_runs.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(Integer)
    step_index: Mapped[int] = mapped_column(Integer)
    decider_id: Mapped[str | None] = mapped_column(String(32))
    external_review_id: Mapped[str | None] = mapped_column(String(32))
    decider_label: Mapped[str] = mapped_column(String(400))
    decision: Mapped[str] = mapped_column(String(32))  # approve | send_back | reject | passed | blocked
    comment: Mapped[str] = mapped_column(String(5000), default="")
    reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ExternalReview(Base):
    """An invitation for someone without a Herald account (a client, an agency, outside
    counsel) to review one post through a signed, expiring link. Only the digest of the link's
    secret is stored."""

    __tablename__ = "external_reviews"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("xrev"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    secret_digest: Mapped[str] = mapped_column(String(64), unique=True)
    can_decide: Mapped[bool] = mapped_column(default=True)
    invited_by: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
