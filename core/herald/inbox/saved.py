"""Saved replies (per language, with placeholders) and saved views (named inbox filters)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from herald import audit
from herald.authz.actor import Actor
from herald.authz.check import in_tenant
from herald.errors import NotFound, ValidationFailed
from herald.inbox.access import of_tenant
from herald.inbox.models import Conversation, InboxAuthor, SavedReply, SavedView
from herald.inbox.teams import require_admin
from herald.people.models import User
from herald.tenancy.models import SocialAccount

PLACEHOLDERS = ("author.name", "author.handle", "agent.name", "account.handle", "account.name")
_PLACEHOLDER_RE = re.compile(r"\{([a-z_.]+)\}")


def check_placeholders(text: str) -> None:
    unknown = sorted({m for m in _PLACEHOLDER_RE.findall(text) if m not in PLACEHOLDERS})
    if unknown:
        raise ValidationFailed("Unknown placeholders.", {"text": [
            f"{{{u}}} is not a placeholder; use {', '.join('{' + p + '}' for p in PLACEHOLDERS)}." for u in unknown]})


def render(session: Session, actor: Actor, conv: Conversation, text: str) -> str:
    """The saved reply's text for this conversation, its placeholders filled in."""
    author = session.get(InboxAuthor, conv.author_id) if conv.author_id else None
    account = session.get(SocialAccount, conv.account_id)
    agent = session.get(User, actor.user_id)
    values = {
        "author.name": (author.display_name or author.handle) if author and not author.erased_at else "",
        "author.handle": f"@{author.handle}" if author and author.handle and not author.erased_at else "",
        "agent.name": (agent.display_name or agent.email.split("@")[0]) if agent else "",
        "account.handle": f"@{account.handle}" if account else "",
        "account.name": (account.display_name or account.handle) if account else "",
    }
    return _PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def get_saved_reply(session: Session, tenant_id: str, reply_id: str) -> SavedReply:
    return of_tenant(session, SavedReply, tenant_id, reply_id, "saved reply")


def list_saved_replies(session: Session, actor: Actor, tenant_id: str, language: str | None) -> list[SavedReply]:
    in_tenant(session, actor, tenant_id)
    stmt = select(SavedReply).where(SavedReply.tenant_id == tenant_id)
    if language:
        stmt = stmt.where(or_(SavedReply.language == language, SavedReply.language.is_(None)))
    return list(session.execute(stmt.order_by(SavedReply.name, SavedReply.id)).scalars())


def save_saved_reply(session: Session, actor: Actor, tenant_id: str, body: dict[str, Any],
                     reply_id: str | None = None) -> SavedReply:
    require_admin(session, actor, tenant_id)
    row = get_saved_reply(session, tenant_id, reply_id) if reply_id else SavedReply(tenant_id=tenant_id,
                                                                                    created_by=actor.user_id)
    if "text" in body:
        check_placeholders(body["text"])
    for key in ("name", "language", "text"):
        if key in body:
            setattr(row, key, body[key])
    if reply_id is None:
        session.add(row)
    session.flush()
    audit.record(session, actor, "inbox_saved_reply.saved", "inbox_saved_reply", row.id, tenant_id=tenant_id,
                 after={"name": row.name, "language": row.language})
    return row


def delete_saved_reply(session: Session, actor: Actor, tenant_id: str, reply_id: str) -> None:
    require_admin(session, actor, tenant_id)
    row = get_saved_reply(session, tenant_id, reply_id)
    audit.record(session, actor, "inbox_saved_reply.deleted", "inbox_saved_reply", row.id, tenant_id=tenant_id,
                 before={"name": row.name})
    session.delete(row)


# ----------------------------------------------------------------------------- saved views
def list_views(session: Session, actor: Actor, tenant_id: str) -> list[SavedView]:
    in_tenant(session, actor, tenant_id)
    return list(session.execute(select(SavedView).where(
        SavedView.tenant_id == tenant_id, or_(SavedView.owner_id.is_(None), SavedView.owner_id == actor.user_id))
        .order_by(SavedView.name, SavedView.id)).scalars())


def get_view(session: Session, actor: Actor, tenant_id: str, view_id: str) -> SavedView:
    row = session.get(SavedView, view_id)
    if row is None or row.tenant_id != tenant_id or row.owner_id not in (None, actor.user_id):
        raise NotFound(f"No saved view {view_id!r}.")
    return row


def save_view(session: Session, actor: Actor, tenant_id: str, body: dict[str, Any],
              view_id: str | None = None) -> SavedView:
    """A personal view (anyone who reads the inbox), or a shared one (inbox admins)."""
    in_tenant(session, actor, tenant_id)
    row = get_view(session, actor, tenant_id, view_id) if view_id else SavedView(tenant_id=tenant_id)
    shared = body.get("shared", row.owner_id is None if view_id else False)
    if shared or (view_id and row.owner_id is None):
        require_admin(session, actor, tenant_id)
    row.owner_id = None if shared else actor.user_id
    for key in ("name", "filters"):
        if key in body:
            setattr(row, key, body[key])
    if view_id is None:
        session.add(row)
    session.flush()
    return row


def delete_view(session: Session, actor: Actor, tenant_id: str, view_id: str) -> None:
    row = get_view(session, actor, tenant_id, view_id)
    if row.owner_id is None:
        require_admin(session, actor, tenant_id)
    session.delete(row)
