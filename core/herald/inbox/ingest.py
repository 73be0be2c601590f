"""Taking items in: store each once, thread it, enrich it, route it, start its SLA clock.

Every source (a poll, a webhook event, a reply Herald sent) ends here. An item is stored once
per (tenant, network, account, remote id): the insert itself refuses a second copy (see
:mod:`herald.inbox.store`), so replays, a poll overlapping a webhook and two workers polling
one account all end with one row. An edit (``edit_of``) updates the stored item; a deletion on
the network leaves a tombstone (text and media gone, the row kept so that the thread reads
right and a late copy does not bring it back).

Threading: a direct message joins its network thread (one per person and account); a comment
joins the conversation of the post it sits under; a mention joins its network thread when the
network has one, else the conversation of the item it answers, else starts its own."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald import audit
from herald.clock import utcnow
from herald.db.sets import among
from herald.events.bus import emit
from herald.inbox import authors, enrichment, sla, timeline
from herald.inbox.batch_cache import reading_once
from herald.inbox.models import KINDS, NOTHING_DUE, Conversation, InboxAuthor, InboxItem, InboxReply
from herald.inbox.routing.engine import route
from herald.inbox.store import insert_many_once, insert_once
from herald.networks.connector import AuthorProfile, Mention
from herald.tenancy.models import OrgUnit, SocialAccount

log = logging.getLogger(__name__)

PREVIEW_LENGTH = 280
MAX_TEXT = 100_000


@dataclass
class IngestResult:
    stored: list[str] = field(default_factory=list)  # new item ids
    duplicates: int = 0
    updated: int = 0  # edits and tombstones
    rejected: int = 0  # items a connector returned malformed
    conversations: set[str] = field(default_factory=set)


@dataclass
class Stored:
    """Where an item went: its conversation (locked), whether that was created for it, and the
    new item (``item_id`` None: a copy of one stored before)."""

    conversation: Conversation
    created: bool
    item_id: str | None
    item: InboxItem | None = None


def ingest(session: Session, account: SocialAccount, items: Iterable[Mention], *, source: str,
           now: datetime | None = None) -> IngestResult:
    """Store ``items`` read from (or delivered for) ``account``; everything in the caller's
    transaction."""
    return ingest_pages(session, [(account, items)], source=source, now=now)[0]


def ingest_pages(session: Session, pages: Sequence[tuple[SocialAccount, Iterable[Mention]]], *, source: str,
                 now: datetime | None = None) -> list[IngestResult]:
    """:func:`ingest` for a delivery that holds pages of several accounts (a webhook batch, a
    window of a stream), all in the caller's one transaction; a result per page, in order.

    Whatever the number of pages, the tenant's inbox configuration is read once, the authors
    are upserted in one statement per tenant and network, and the audit chain is appended once.
    Pages are taken in account order (and each page's conversations in key order), so two
    deliveries sharing accounts lock the same rows in the same order and never deadlock."""
    now = now or utcnow()
    results = [IngestResult() for _ in pages]
    prepared: list[tuple[int, SocialAccount, OrgUnit, list[Mention]]] = []
    for index, (account, items) in enumerate(pages):
        unit = session.get(OrgUnit, account.org_unit_id)
        if unit is not None:
            prepared.append((index, account, unit, _valid(account, items, source, results[index])))
    prepared.sort(key=lambda page: page[1].id)
    # the tenant's configuration read once; the audit chain appended once, at the end
    with reading_once(session), audit.appended_last(session):
        # the authors of the new messages, in one go (edits and deletions only touch what is stored)
        profiles: dict[tuple[str, str], list[AuthorProfile]] = {}
        for _, account, _, valid in prepared:
            profiles.setdefault((account.tenant_id, account.network), []).extend(
                profile for item in valid if item.direction == "inbound" and not item.deleted and not item.edit_of
                for profile in [authors.profile_of(item)] if profile.remote_id)
        known = {key: authors.upsert_many(session, key[0], key[1], found, now) for key, found in profiles.items()}
        for index, account, unit, valid in prepared:
            people = known.get((account.tenant_id, account.network), {})
            # a page of new items is stored set-based; one with edits or deletions item by item, in order
            plain = len(valid) > 1 and not any(item.deleted or item.edit_of for item in valid)
            stored = _store_page(session, account, valid, source, now, people) if plain else None
            with session.no_autoflush:  # each conversation written once, the page's rows together
                for position, item in enumerate(valid):
                    _ingest_one(session, account, unit, item, source, now, results[index], people,
                                stored[position] if stored else None)
        session.flush()
    return results


def _valid(account: SocialAccount, items: Iterable[Mention], source: str, result: IngestResult) -> list[Mention]:
    """The well-formed items; the others are counted as rejected and logged."""
    valid = []
    for item in items:
        problem = _malformed(item)
        if problem:
            log.warning("account %s: a %s item was refused: %s", account.id, source, problem)
            result.rejected += 1
        else:
            valid.append(item)
    return valid


def _malformed(item: Any) -> str | None:
    if not isinstance(item, Mention):
        return "not a Mention"
    if not isinstance(item.remote_id, str) or not item.remote_id or len(item.remote_id) > 200:
        return "remote_id must be a non-empty string of at most 200 characters"
    if item.kind not in KINDS:
        return f"kind {item.kind!r} is not one of {', '.join(KINDS)}"
    if item.direction not in ("inbound", "outbound"):
        return f"direction {item.direction!r} is not inbound or outbound"
    if not isinstance(item.text, str):
        return "text must be a string"
    return None


def _thread_key(session: Session, account: SocialAccount, item: Mention, author_remote_id: str,
                parents: dict[str, str] | None = None) -> str:
    """The conversation the item belongs to; ``parents`` (remote id → thread key) saves the
    lookup of the item it answers."""
    if item.kind == "dm":
        return f"dm:{item.thread_id or author_remote_id}"[:300]
    if item.kind == "comment":
        return f"post:{item.root_id or item.thread_id or item.in_reply_to or item.remote_id}"[:300]
    if item.thread_id:
        return f"thread:{item.thread_id}"[:300]
    if item.in_reply_to:
        found = parents if parents is not None else _parent_threads(session, account, [item.in_reply_to])
        if found.get(item.in_reply_to):
            return found[item.in_reply_to]
    return f"item:{item.remote_id}"[:300]


def _parent_threads(session: Session, account: SocialAccount, remote_ids: list[str]) -> dict[str, str]:
    """The thread keys of the stored items ``remote_ids`` (the items others answer)."""
    if not remote_ids:
        return {}
    return dict(session.execute(select(InboxItem.remote_id, Conversation.thread_key)
                                .join(Conversation, InboxItem.conversation_id == Conversation.id)
                                .where(InboxItem.tenant_id == account.tenant_id, InboxItem.network == account.network,
                                       InboxItem.account_id == account.id,
                                       among(session, InboxItem.remote_id, sorted(set(remote_ids))))).all())


def _ingest_one(session: Session, account: SocialAccount, unit: OrgUnit, item: Mention, source: str,
                now: datetime, result: IngestResult, known: dict[str, InboxAuthor],
                stored_as: Stored | None = None) -> None:
    """Take one item in (``stored_as``: :func:`_store_page` stored it already)."""
    remote_id = item.edit_of or item.remote_id
    if item.deleted or item.edit_of:
        existing = session.execute(select(InboxItem).where(
            InboxItem.tenant_id == account.tenant_id, InboxItem.network == account.network,
            InboxItem.account_id == account.id, InboxItem.remote_id == remote_id)).scalar_one_or_none()
        if existing is not None:
            if _update_existing(session, existing, item, now):
                result.updated += 1
            else:
                result.duplicates += 1
            return
        if item.deleted:
            return  # never seen, already gone: nothing to keep
    inbound = item.direction == "inbound"
    author = _author(session, account, item, known, now)
    created_at = item.created_at or now
    stored_as = stored_as or _store_one(session, account, item, author, source, now)
    conv, created, item_id = stored_as.conversation, stored_as.created, stored_as.item_id
    if item_id is None:
        result.duplicates += 1
        return
    result.stored.append(item_id)
    result.conversations.add(conv.id)
    stored = stored_as.item or session.get(InboxItem, item_id)
    assert stored is not None
    conv.item_count = (conv.item_count or 0) + 1
    conv.last_message_at = max(conv.last_message_at, created_at) if conv.last_message_at else created_at
    timeline.add(session, conv, "message", item_id=item_id, at=created_at, direction=item.direction,
                 item_kind=item.kind, source=source)
    if not inbound:
        if stored.reply_id is None:  # answered on the network itself, outside Herald
            sla.responded(session, conv, created_at)
        return
    waits = bool(enrichment.enrichers_for(session, account.tenant_id))
    if waits:
        enrichment.queue(session, account.tenant_id, stored.id)
    if conv.author_id is None and author is not None:
        conv.author_id = author.id
    newest = conv.last_inbound_at is None or created_at >= conv.last_inbound_at
    if newest:
        conv.last_inbound_at = created_at
        conv.preview = (item.text or "")[:PREVIEW_LENGTH]
    if conv.first_inbound_at is None or created_at < conv.first_inbound_at:
        conv.first_inbound_at = created_at
    if item.language and newest:
        conv.language = item.language
    emit(session, account.tenant_id, "engagement.received", {
        "conversation_id": conv.id, "item_id": item_id, "account_id": account.id, "network": account.network,
        "kind": item.kind, "unit_id": unit.id, "author_id": author.id if author else None,
        "remote_id": remote_id, "source": source})
    if author is not None and author.spam:
        if conv.status != "spam":
            before = conv.status
            conv.status = "spam"
            timeline.add(session, conv, "status", at=now, before=before, status="spam", reason="the author is spam")
        return
    reopened = False
    if not created and conv.status in ("pending", "resolved") and (
            conv.resolved_at is None or created_at > conv.resolved_at or conv.status == "pending"):
        before = conv.status
        conv.status = "open"
        conv.snoozed_until = None
        reopened = True
        timeline.add(session, conv, "status", at=now, before=before, status="open", reason="a new message")
        if before == "pending":
            sla.resumed(session, conv, created_at)
    if conv.routing_pending_since is not None:
        return  # waiting for an earlier item's enrichment: that job routes it
    if created or conv.sla_started_at is None or (reopened and conv.resolved_at is not None):
        if waits:  # routed once the enrichers have spoken (herald.inbox.enrichment)
            conv.routing_pending_since = now
            return
        route(session, conv, stored, author, account, unit, now)
        if conv.status == "open":
            sla.start_cycle(session, conv, created_at)
    elif reopened:
        sla.refresh(session, conv, now)


def _author(session: Session, account: SocialAccount, item: Mention, known: dict[str, InboxAuthor],
            now: datetime) -> InboxAuthor | None:
    profile = authors.profile_of(item)
    if item.direction != "inbound" or not profile.remote_id:
        return None
    return known.get(str(profile.remote_id)[:200]) or authors.upsert(
        session, account.tenant_id, account.network, profile, now)


def _conversation_row(account: SocialAccount, item: Mention, thread_key: str, author: InboxAuthor | None,
                      now: datetime) -> dict[str, Any]:
    return {"tenant_id": account.tenant_id, "account_id": account.id, "network": account.network,
            "kind": item.kind, "thread_key": thread_key, "author_id": author.id if author else None,
            "status": "open", "priority": "normal", "tags": [], "routing": [], "sla_pauses": [], "item_count": 0,
            "sla_cycle": 0, "sla_state": "none", "preview": "", "last_message_at": item.created_at or now,
            "urgency_at": NOTHING_DUE, "created_at": now, "updated_at": now}


def _item_row(account: SocialAccount, item: Mention, conv_id: str, author: InboxAuthor | None, source: str,
              now: datetime, reply_id: str | None) -> dict[str, Any]:
    return {"tenant_id": account.tenant_id, "conversation_id": conv_id, "account_id": account.id,
            "network": account.network, "remote_id": item.edit_of or item.remote_id, "kind": item.kind,
            "direction": item.direction, "author_id": author.id if author else None,
            "text": item.text[:MAX_TEXT], "language": item.language,
            "url": (item.url or None) and item.url[:2000], "in_reply_to": _short(item.in_reply_to),
            "root_id": _short(item.root_id), "thread_id": _short(item.thread_id), "media": list(item.media or []),
            "enrichment": {}, "source": source, "created_at": item.created_at or now, "received_at": now,
            "reply_id": reply_id}


def _store_one(session: Session, account: SocialAccount, item: Mention, author: InboxAuthor | None, source: str,
               now: datetime) -> Stored:
    """The item's conversation (created if new, locked) and the item stored once."""
    thread_key = _thread_key(session, account, item, str(authors.profile_of(item).remote_id))
    created = insert_once(session, Conversation.__table__,  # type: ignore[arg-type]
                          _conversation_row(account, item, thread_key, author, now),
                          ["tenant_id", "account_id", "thread_key"]) is not None
    conv = session.execute(select(Conversation).where(
        Conversation.tenant_id == account.tenant_id, Conversation.account_id == account.id,
        Conversation.thread_key == thread_key).with_for_update()).scalar_one()
    item_id = insert_once(session, InboxItem.__table__,  # type: ignore[arg-type]
                          _item_row(account, item, conv.id, author, source, now, _reply_for(session, account, item)),
                          ["tenant_id", "network", "account_id", "remote_id"])
    return Stored(conv, created, item_id)


def _store_page(session: Session, account: SocialAccount, items: list[Mention], source: str, now: datetime,
                known: dict[str, InboxAuthor]) -> list[Stored]:
    """:func:`_store_one` for a page of new items (no edits, no deletions) in four statements
    whatever its size: the conversations inserted, then read and locked, the items inserted,
    all in key order (two pages sharing threads never deadlock); each conversation counts as
    created for the first of its items only, as if the items had come one by one."""
    table_c, table_i = Conversation.__table__, InboxItem.__table__
    keys: list[str] = []
    # the threads of the items answered: those stored, then those of this page as they come
    threads = _parent_threads(session, account, [i.in_reply_to for i in items if i.in_reply_to and
                                                 i.kind not in ("dm", "comment") and not i.thread_id])
    for item in items:
        key = _thread_key(session, account, item, str(authors.profile_of(item).remote_id), parents=threads)
        threads.setdefault(item.remote_id, key)
        keys.append(key)
    first: dict[str, int] = {}
    for index, key in enumerate(keys):
        first.setdefault(key, index)
    rows = [_conversation_row(account, items[i], key, _author(session, account, items[i], known, now), now)
            for key, i in sorted(first.items())]
    created = set(insert_many_once(session, table_c, rows, ["tenant_id", "account_id", "thread_key"],
                                    "thread_key"))  # type: ignore[arg-type]
    convs = {c.thread_key: c for c in session.scalars(select(Conversation).where(
        Conversation.tenant_id == account.tenant_id, Conversation.account_id == account.id,
        among(session, Conversation.thread_key, sorted(first))).order_by(Conversation.thread_key).with_for_update())}
    item_rows = [_item_row(account, item, convs[key].id, _author(session, account, item, known, now), source, now,
                           _reply_for(session, account, item)) for item, key in zip(items, keys, strict=True)]
    new_ids = dict(insert_many_once(session, table_i, sorted(item_rows, key=lambda r: r["remote_id"]),
                                     ["tenant_id", "network", "account_id", "remote_id"],
                                     "remote_id", "id"))  # type: ignore[arg-type]
    loaded = {i.id: i for i in session.scalars(select(InboxItem).where(
        among(session, InboxItem.id, sorted(new_ids.values()))))} if new_ids else {}
    stored: list[Stored] = []
    for index, (item, key) in enumerate(zip(items, keys, strict=True)):
        item_id = new_ids.pop(item.remote_id, None)
        stored.append(Stored(convs[key], key in created and first[key] == index, item_id,
                             loaded.get(item_id) if item_id else None))
    return stored


def _short(value: str | None) -> str | None:
    return None if value is None else str(value)[:200]


def _reply_for(session: Session, account: SocialAccount, item: Mention) -> str | None:
    """The Herald reply an outbound item is the echo of."""
    if item.direction != "outbound":
        return None
    return session.execute(select(InboxReply.id).where(
        InboxReply.tenant_id == account.tenant_id, InboxReply.account_id == account.id,
        InboxReply.remote_id == item.remote_id)).scalar()


def _update_existing(session: Session, existing: InboxItem, item: Mention, now: datetime) -> bool:
    conv = session.get(Conversation, existing.conversation_id)
    if item.deleted:
        if existing.deleted_at is not None:
            return False
        existing.deleted_at = now
        existing.text = ""
        existing.media = []
        if conv is not None:
            timeline.add(session, conv, "deleted", item_id=existing.id, at=now)
        return True
    if existing.deleted_at is not None or existing.text == item.text[:MAX_TEXT]:
        return False
    existing.text = item.text[:MAX_TEXT]
    existing.media = list(item.media or existing.media or [])
    existing.edited_at = item.created_at or now
    if conv is not None:
        timeline.add(session, conv, "edited", item_id=existing.id, at=now)
        if conv.last_inbound_at and existing.created_at >= conv.last_inbound_at and existing.direction == "inbound":
            conv.preview = existing.text[:PREVIEW_LENGTH]
    return True

