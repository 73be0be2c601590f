"""Data model of identity: browser sessions, SSO state, links and group mappings, the replay
cache table, sign-in failures, second factors, single-use links and tenant identity policy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from herald.clock import utcnow
from herald.db import Base, JSONType, UTCDateTime
from herald.ids import new_id


class BrowserSession(Base):
    """A signed-in browser. The cookie carries ``<id>.<secret>``; only SHA-256(secret) is kept.
    ``csrf_token`` must accompany every state-changing request the cookie authenticates."""

    __tablename__ = "browser_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("ses"))
    tenant_id: Mapped[str | None] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    csrf_token: Mapped[str] = mapped_column(String(64))
    via: Mapped[str] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(32))
    sso_provider: Mapped[str | None] = mapped_column(String(64))
    sso_subject: Mapped[str | None] = mapped_column(String(500))
    sso_session_index: Mapped[str | None] = mapped_column(String(500))
    #: The provider's ``session_attributes`` of the sign-in (an OIDC ID token, …), sealed with the
    #: instance keys; read once at sign-out and cleared when the session ends.
    sso_attributes: Mapped[str | None] = mapped_column(Text)


class SsoState(Base):
    """What a redirect provider's ``begin`` asked Herald to keep until the callback; one use."""

    __tablename__ = "sso_states"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("sst"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(64))
    state: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    relay: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SsoLink(Base):
    """``user`` is ``subject`` at the tenant's ``provider``."""

    __tablename__ = "sso_links"
    __table_args__ = (UniqueConstraint("tenant_id", "provider", "subject"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("ssl"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SsoGroupMapping(Base):
    """An identity provider group (or role) that grants ``role_key`` on ``org_unit_id``."""

    __tablename__ = "sso_group_mappings"
    __table_args__ = (UniqueConstraint("tenant_id", "provider", "group_name", "role_key", "org_unit_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("sgm"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(64))
    group_name: Mapped[str] = mapped_column(String(500))
    role_key: Mapped[str] = mapped_column(String(64))
    org_unit_id: Mapped[str] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReplayEntry(Base):
    """The database replay cache (embedded mode): a key seen once, until it expires."""

    __tablename__ = "replay_entries"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class SignInFailure(Base):
    """One failed sign-in, counted per account and per client address for throttling."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_scope_key_at", "scope", "key", "at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("sif"))
    scope: Mapped[str] = mapped_column(String(16))  # "account" | "address"
    key: Mapped[str] = mapped_column(String(400))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TotpFactor(Base):
    """A user's TOTP second factor. ``secret`` is sealed with the instance keys; recovery codes
    are stored as SHA-256 digests and each works once."""

    __tablename__ = "totp_factors"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(Text)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recovery_hashes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    last_step: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class UserLink(Base):
    """A single-use, expiring link sent by email: an invitation or a password reset."""

    __tablename__ = "user_links"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("lnk"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # "invitation" | "reset"
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TenantIdentityPolicy(Base):
    """A tenant's sign-in policy: SSO enforcement and its named break-glass administrators."""

    __tablename__ = "tenant_identity_policies"

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True)
    sso_enforced: Mapped[bool] = mapped_column(default=False)
    break_glass_user_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
