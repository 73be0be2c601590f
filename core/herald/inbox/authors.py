"""Authors: the people who write to a tenant, kept once per (tenant, network, remote id)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from herald import audit
from herald.authz.actor import Actor
from herald.authz.check import can, in_tenant
from herald.clock import utcnow
from herald.db.sets import among
from herald.errors import Forbidden, NotFound, ValidationFailed
from herald.inbox.models import AuthorNote, InboxAuthor
from herald.inbox.store import insert_many_once
from herald.networks.connector import AuthorProfile, Mention


def profile_of(item: Mention) -> AuthorProfile:
    """The author as the item describes them (the bare id and handle when the network gave no
    profile)."""
    if item.author is not None and item.author.remote_id:
        return item.author
    return AuthorProfile(remote_id=item.author_id, handle=item.author_handle)


def upsert(session: Session, tenant_id: str, network: str, profile: AuthorProfile, now: datetime) -> InboxAuthor:
    """The stored author, created on first sight; what the network says now (handle, name,
    followers, verified) replaces what it said before, except for an erased author."""
    return upsert_many(session, tenant_id, network, [profile], now)[str(profile.remote_id)[:200]]


def upsert_many(session: Session, tenant_id: str, network: str, profiles: list[AuthorProfile],
                now: datetime) -> dict[str, InboxAuthor]:
    """:func:`upsert` for a batch, in three statements whatever its size (one insert of those
    never seen, one read of all, the changes written with the next flush); keyed by remote id.
    Rows are written in remote-id order, so two batches sharing authors never deadlock."""
    said: dict[str, list[AuthorProfile]] = {}
    for profile in profiles:  # in the batch's order: each profile refreshes what the one before said
        said.setdefault(str(profile.remote_id)[:200], []).append(profile)
    if not said:
        return {}
    ordered = sorted(said)
    insert_many_once(session, InboxAuthor.__table__, [{  # type: ignore[arg-type]
        "tenant_id": tenant_id, "network": network, "remote_id": remote_id,
        "handle": (p.handle or "")[:200], "display_name": (p.display_name or "")[:200],
        "followers": p.followers, "verified": p.verified, "language": p.language,
        "tags": [], "spam": False, "first_seen_at": now, "last_seen_at": now,
    } for remote_id in ordered for p in said[remote_id][:1]], ["tenant_id", "network", "remote_id"])
    found = {a.remote_id: a for a in session.scalars(select(InboxAuthor).where(
        InboxAuthor.tenant_id == tenant_id, InboxAuthor.network == network,
        among(session, InboxAuthor.remote_id, ordered)).order_by(InboxAuthor.remote_id))}
    for remote_id, author in found.items():
        if author.erased_at is None:
            for profile in said[remote_id]:
                _refresh(author, profile, now)
    return found


def _refresh(author: InboxAuthor, profile: AuthorProfile, now: datetime) -> None:
    if profile.handle and author.handle != profile.handle[:200]:
        author.handle = profile.handle[:200]
    if profile.display_name and author.display_name != profile.display_name[:200]:
        author.display_name = profile.display_name[:200]
    if profile.followers is not None and author.followers != profile.followers:
        author.followers = profile.followers
    if profile.verified is not None and author.verified != profile.verified:
        author.verified = profile.verified
    if profile.language and author.language != profile.language:
        author.language = profile.language
    if author.last_seen_at is None or now > author.last_seen_at:
        author.last_seen_at = now


# ----------------------------------------------------------------------------- people's view
def get_author(session: Session, actor: Actor, tenant_id: str, author_id: str) -> InboxAuthor:
    """The author, if the actor may read at least one of their conversations."""
    from herald.inbox.access import of_tenant, visible_filter
    from herald.inbox.models import Conversation

    author = of_tenant(session, InboxAuthor, tenant_id, author_id, "author")
    seen = session.execute(select(Conversation.id).where(
        Conversation.author_id == author.id, visible_filter(session, actor, tenant_id)).limit(1)).scalar()
    if seen is None and not _is_admin(session, actor, tenant_id):
        raise NotFound(f"No author {author_id!r}.")
    return author


def _is_admin(session: Session, actor: Actor, tenant_id: str) -> bool:
    return can(session, actor, "inbox.admin", in_tenant(session, actor, tenant_id))


def history(session: Session, actor: Actor, tenant_id: str, author: InboxAuthor, limit: int = 100) -> list[Any]:
    """Everything the author sent the tenant, on the accounts the actor may read, newest first."""
    from herald.inbox.access import visible_accounts
    from herald.inbox.models import InboxItem

    return list(session.execute(select(InboxItem).where(
        InboxItem.author_id == author.id, InboxItem.account_id.in_(visible_accounts(session, actor, tenant_id)))
        .order_by(InboxItem.created_at.desc()).limit(limit)).scalars())


def set_tags(session: Session, actor: Actor, tenant_id: str, author: InboxAuthor, tags: list[str]) -> None:
    _require_reply_somewhere(session, actor, tenant_id)
    before = list(author.tags or [])
    author.tags = list(dict.fromkeys(tags))
    audit.record(session, actor, "inbox_author.tags_changed", "inbox_author", author.id, tenant_id=tenant_id,
                 before={"tags": before}, after={"tags": author.tags})


def _require_reply_somewhere(session: Session, actor: Actor, tenant_id: str) -> None:
    from herald.authz.check import visible_unit_paths

    paths = visible_unit_paths(session, actor, "inbox.reply", tenant_id)
    if paths is not None and not paths:
        raise Forbidden("You lack the permission 'inbox.reply' here.", permission="inbox.reply")


def add_note(session: Session, actor: Actor, tenant_id: str, author: InboxAuthor, text: str) -> AuthorNote:
    _require_reply_somewhere(session, actor, tenant_id)
    if not text.strip():
        raise ValidationFailed("A note needs text.", {"text": ["Write something."]})
    note = AuthorNote(tenant_id=tenant_id, author_id=author.id, text=text.strip(), created_by=actor.user_id)
    session.add(note)
    session.flush()
    audit.record(session, actor, "inbox_author.note_added", "inbox_author", author.id, tenant_id=tenant_id,
                 after={"note_id": note.id})
    return note


def notes(session: Session, author: InboxAuthor) -> list[AuthorNote]:
    return list(session.execute(select(AuthorNote).where(AuthorNote.author_id == author.id)
                                .order_by(AuthorNote.created_at.desc())).scalars())


def erase(session: Session, actor: Actor, tenant_id: str, author: InboxAuthor) -> dict[str, int]:
    """Erase the author's personal data on request: their profile, the text and media of their
    items, the previews of their conversations and the notes about them. The rows stay (counts,
    SLA facts and the timeline still add up); who they were does not. Audited without the data."""
    from herald.inbox.models import Conversation, InboxItem

    if not _is_admin(session, actor, tenant_id):
        raise Forbidden("You lack the permission 'inbox.admin' here.", permission="inbox.admin")
    if author.erased_at is not None:
        return {"items": 0, "notes": 0}
    digest = hashlib.sha256(f"{author.tenant_id}\0{author.network}\0{author.remote_id}".encode()).hexdigest()[:32]
    items = session.execute(update(InboxItem).where(InboxItem.author_id == author.id).values(
        text="", media=[], url=None, enrichment={})).rowcount
    session.execute(update(Conversation).where(Conversation.author_id == author.id).values(preview=""))
    removed = session.execute(delete(AuthorNote).where(AuthorNote.author_id == author.id)).rowcount
    author.remote_id = f"erased:{digest}"
    author.handle = ""
    author.display_name = ""
    author.followers = None
    author.verified = None
    author.language = None
    author.tags = []
    author.erased_at = utcnow()
    audit.record(session, actor, "inbox_author.erased", "inbox_author", author.id, tenant_id=tenant_id,
                 after={"items": items, "notes": removed})
    return {"items": int(items or 0), "notes": int(removed or 0)}
