"""Enriching inbox items after they are stored, then routing what waited for it.

Ingestion never waits for an enricher: the item is stored and visible at once, and its id is
queued (when the transaction commits) for :func:`enrich_items`, which runs the tenant's
enrichers over a batch outside any transaction, then writes each item's annotations with who
made them, and routes the new conversations that waited for them (so that routing rules can
use language, sentiment and intent). A tenant without enrichers routes at ingestion, as before.
If the job is lost (a crash, the queue down), the inbox sweep routes any conversation that has
waited longer than :data:`ROUTING_WAIT` with what is known, and queues its enrichment again."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from herald.clock import utcnow
from herald.enrichment import media as enrichment_media
from herald.enrichment import pipeline
from herald.enrichment.enricher import Enricher
from herald.events.bus import emit
from herald.inbox import sla
from herald.inbox.batch_cache import once
from herald.inbox.models import Conversation, InboxAuthor, InboxItem
from herald.inbox.routing.engine import route
from herald.library.logos import logo_images
from herald.queue.after_commit import after_commit
from herald.queue.base import Job
from herald.runtime import current
from herald.tenancy.models import OrgUnit, SocialAccount

log = logging.getLogger(__name__)

#: at most this many items per enrichment job
BATCH = 200
#: a conversation waits at most this long for its enrichment before the sweep routes it
ROUTING_WAIT = timedelta(minutes=2)
_PENDING = "herald_inbox_enrichment"


def enrichers_for(session: Session, tenant_id: str) -> list[Enricher]:
    """The tenant's enrichers of engagement items, in the order of their needs (read once per
    batch of ingestion); none when they cannot be listed (logged: ingestion goes on)."""
    def read() -> list[Enricher]:
        try:
            found = current().plugins.for_tenant(session, tenant_id).instances("herald_enrichers")
        except Exception:
            log.exception("could not list the enrichers of tenant %s", tenant_id)
            return []
        return pipeline.for_subject(found, "engagement")
    return once(session, ("enrichers", tenant_id), read)


def queue(session: Session, tenant_id: str, item_id: str) -> None:
    """Have ``item_id`` enriched once the caller's transaction commits (items of one
    transaction go in jobs of up to :data:`BATCH`)."""
    jobs: dict[str, Job] = session.info.setdefault(_PENDING, {})
    job = jobs.get(tenant_id)
    if job is None or len(job.args[1]) >= BATCH:
        job = Job("herald.inbox.enrichment.enrich_items", (tenant_id, []), job_id=f"enrich-{item_id}")
        jobs[tenant_id] = job
        after_commit(session, job)
    job.args[1].append(item_id)


def enrich_items(tenant_id: str, item_ids: Sequence[str]) -> int:
    """The job: enrich ``item_ids`` of ``tenant_id`` and route the conversations waiting for
    them; returns how many items got annotations. Safe to run twice (the second run writes the
    same annotations again and finds nothing left to route)."""
    rt = current()
    with rt.db.transaction() as session:
        enrichers = enrichers_for(session, tenant_id)
        rows = _items(session, tenant_id, item_ids)
        payloads = [_payload(item, author) for item, author in rows]
        ids = [item.id for item, _ in rows]
        logos = logo_images(session, tenant_id) if any(e.wants_media for e in enrichers) else []
    found: list[dict[str, pipeline.Annotation]] = [{} for _ in payloads]
    if enrichers and payloads:
        if any(e.wants_media for e in enrichers):
            enrichment_media.load(payloads, logos)
        found = pipeline.run(enrichers, "engagement", payloads)
    now = utcnow()
    written = 0
    with rt.db.transaction() as session:
        for item_id, annotations in zip(ids, found, strict=True):
            item = session.get(InboxItem, item_id)
            if item is None or item.deleted_at is not None or item.tenant_id != tenant_id:
                continue
            if annotations:
                _write(session, item, annotations, now)
                written += 1
        route_waiting_for(session, tenant_id, ids, now)
    return written


def _items(session: Session, tenant_id: str, item_ids: Sequence[str]) -> list[tuple[InboxItem, InboxAuthor | None]]:
    if not item_ids:
        return []
    rows = session.execute(select(InboxItem, InboxAuthor).outerjoin(InboxAuthor, InboxAuthor.id == InboxItem.author_id)
                           .where(InboxItem.tenant_id == tenant_id, InboxItem.id.in_(list(item_ids)),
                                  InboxItem.deleted_at.is_(None)).order_by(InboxItem.id)).all()
    return [(item, author) for item, author in rows]


def _payload(item: InboxItem, author: InboxAuthor | None) -> dict[str, Any]:
    return pipeline.payload(
        text=item.text, language=item.language, kind=item.kind, network=item.network,
        author=({"handle": author.handle, "followers": author.followers, "verified": author.verified}
                if author else None),
        media=[{"url": m.get("url"), "mime": m.get("mime") or m.get("type")} for m in item.media or []
               if isinstance(m, dict)])


def _write(session: Session, item: InboxItem, annotations: dict[str, pipeline.Annotation], now: datetime) -> None:
    """Store the annotations on the item (beside those of enrichers not run this time) and what
    they say on its conversation when it is the newest inbound item."""
    fresh = {key: found.record() for key, found in annotations.items()}
    item.enrichment = {**(item.enrichment or {}), **fresh}
    item.enriched_at = now
    values = pipeline.values_of(fresh)
    language = values.get("language")
    if isinstance(language, str) and not item.language:
        item.language = language[:16]
    conv = session.get(Conversation, item.conversation_id)
    if conv is None:
        return
    if conv.last_inbound_at is None or item.created_at >= conv.last_inbound_at:
        if isinstance(values.get("sentiment"), int | float):
            conv.sentiment = float(values["sentiment"])
        if isinstance(values.get("intent"), str):
            conv.intent = values["intent"][:64]
        if item.language:
            conv.language = item.language
    emit(session, item.tenant_id, "engagement.enriched", {
        "conversation_id": conv.id, "item_id": item.id,
        "enrichers": {key: {"version": found.version, "plugin": found.plugin} for key, found in annotations.items()},
        "language": item.language, "sentiment": values.get("sentiment"),
        "sentiment_label": values.get("sentiment_label"),
        "intent": values.get("intent"), "team": values.get("team"), "tags": pipeline.tags_of(item.enrichment)})


def route_waiting_for(session: Session, tenant_id: str, item_ids: Sequence[str], now: datetime) -> int:
    """Route the conversations of ``item_ids`` that wait for enrichment (locked, each once)."""
    if not item_ids:
        return 0
    convs = session.scalars(select(Conversation).where(
        Conversation.tenant_id == tenant_id, Conversation.routing_pending_since.is_not(None),
        Conversation.id.in_(select(InboxItem.conversation_id).where(InboxItem.id.in_(list(item_ids)))))
        .order_by(Conversation.id).with_for_update()).all()
    for conv in convs:
        _route_now(session, conv, now)
    return len(convs)


def route_overdue(session: Session, now: datetime | None = None, limit: int = 200) -> int:
    """The sweep's part: route conversations that waited longer than :data:`ROUTING_WAIT` for
    an enrichment that did not come, with what is known, and queue their enrichment again."""
    now = now or utcnow()
    convs = session.scalars(select(Conversation).where(
        Conversation.routing_pending_since.is_not(None), Conversation.routing_pending_since < now - ROUTING_WAIT)
        .order_by(Conversation.routing_pending_since).limit(limit).with_for_update(skip_locked=True)).all()
    for conv in convs:
        log.warning("conversation %s waited %s for enrichment; routed without it", conv.id,
                    now - (conv.routing_pending_since or now))
        item = _routing_item(session, conv)
        _route_now(session, conv, now)
        if item is not None and item.enriched_at is None:
            queue(session, conv.tenant_id, item.id)
    return len(convs)


def _routing_item(session: Session, conv: Conversation) -> InboxItem | None:
    """The newest inbound item of the conversation: the one routing looks at."""
    return session.scalars(select(InboxItem).where(
        InboxItem.conversation_id == conv.id, InboxItem.direction == "inbound", InboxItem.deleted_at.is_(None))
        .order_by(InboxItem.created_at.desc(), InboxItem.id.desc()).limit(1)).first()


def _route_now(session: Session, conv: Conversation, now: datetime) -> None:
    """Route ``conv`` and start its SLA cycle where ingestion would have: at the network time of
    the first item that made it wait."""
    waited_from = conv.routing_pending_since
    conv.routing_pending_since = None
    item = _routing_item(session, conv)
    account = session.get(SocialAccount, conv.account_id)
    unit = session.get(OrgUnit, account.org_unit_id) if account is not None else None
    if item is None or account is None or unit is None:
        return
    author = session.get(InboxAuthor, item.author_id) if item.author_id else None
    route(session, conv, item, author, account, unit, now)
    if conv.status == "open":
        started = session.scalar(select(func.min(InboxItem.created_at)).where(
            InboxItem.conversation_id == conv.id, InboxItem.direction == "inbound",
            InboxItem.received_at >= waited_from)) if waited_from is not None else None
        sla.start_cycle(session, conv, started or item.created_at)


def requeue_period(session: Session, tenant_id: str, since: datetime, until: datetime, *,
                   stale_only: bool = True) -> int:
    """Queue the inbound items of ``tenant_id`` received in [since, until) for enrichment again
    (after a model changed); with ``stale_only``, only those that some enabled enricher has not
    annotated at its current version. Returns how many were queued."""
    versions = {enricher.key: str(enricher.version) for enricher in enrichers_for(session, tenant_id)}
    if not versions:
        return 0
    rows = session.execute(select(InboxItem.id, InboxItem.enrichment).where(
        InboxItem.tenant_id == tenant_id, InboxItem.direction == "inbound", InboxItem.deleted_at.is_(None),
        InboxItem.created_at >= since, InboxItem.created_at < until).order_by(InboxItem.created_at, InboxItem.id)
        .execution_options(yield_per=1000))
    queued = 0
    for item_id, records in rows:
        if stale_only and all(isinstance((records or {}).get(key), dict) and records[key].get("version") == version
                              for key, version in versions.items()):
            continue
        queue(session, tenant_id, item_id)
        queued += 1
    return queued
