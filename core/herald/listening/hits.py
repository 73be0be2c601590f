"""Storing hits once and linking them to the queries that found them.

A hit is stored once per (tenant, network, remote id) with ``INSERT … ON CONFLICT DO NOTHING``
(:mod:`herald.inbox.store`): overlapping runs, two workers, or two queries finding the same
post never make a second row, and its link to each query is stored once the same way. What a
run stored new is returned, so the enrichment pipeline can be queued for exactly those hits
(:func:`stored_hit_ids`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from herald.clock import utcnow
from herald.ids import new_id
from herald.inbox.store import insert_many_once
from herald.listening.models import ListeningHit, ListeningHitQuery
from herald.networks.connector import Mention

TEXT_LIMIT = 20_000


@dataclass(frozen=True)
class StoreResult:
    #: ids of the hits this call stored for the first time (for the enrichers)
    new_hit_ids: list[str]
    #: ids of every hit of the call, new or already stored, now linked to the query
    hit_ids: list[str]
    #: links to the query made by this call (a hit the query had already found is not counted)
    new_links: int


def _row(tenant_id: str, network: str, account_id: str | None, item: Mention, now: datetime) -> dict[str, object]:
    author = item.author
    return {
        "id": new_id("lh"), "tenant_id": tenant_id, "network": network, "remote_id": item.remote_id[:200],
        "account_id": account_id,
        "author_remote_id": (author.remote_id if author else item.author_id)[:200] or None,
        "author_handle": ((author.handle if author else item.author_handle) or "")[:200] or None,
        "author_name": (author.display_name if author else "")[:200] or None,
        "author_followers": author.followers if author else None,
        "author_verified": author.verified if author else None,
        "text": (item.text or "")[:TEXT_LIMIT], "language": (item.language or None) and item.language[:16],
        "url": item.url[:2000] if item.url else None, "created_at": item.created_at or now, "received_at": now,
        "enrichment": {}, "sentiment": None, "sentiment_label": None, "intent": None,
    }


def store_hits(session: Session, tenant_id: str, query_id: str, network: str, account_id: str | None,
               items: Iterable[Mention], now: datetime | None = None) -> StoreResult:
    """Store ``items`` (once each) and link them to the query (once each)."""
    now = now or utcnow()
    unique: dict[str, Mention] = {}
    for item in items:
        if item.remote_id and not item.deleted:
            unique.setdefault(item.remote_id[:200], item)
    if not unique:
        return StoreResult([], [], 0)
    rows = [_row(tenant_id, network, account_id, m, now) for m in unique.values()]
    table = ListeningHit.__table__
    new_ids = insert_many_once(session, table, rows, ["tenant_id", "network", "remote_id"], "id")  # type: ignore[arg-type]
    found = session.execute(select(ListeningHit.id, ListeningHit.created_at, ListeningHit.sentiment_label).where(
        ListeningHit.tenant_id == tenant_id, ListeningHit.network == network,
        ListeningHit.remote_id.in_(list(unique)))).all()
    links = [{"query_id": query_id, "hit_id": hit_id, "tenant_id": tenant_id, "created_at": created,
              "sentiment_label": label, "found_at": now} for hit_id, created, label in found]
    linked = insert_many_once(session, ListeningHitQuery.__table__, links, ["query_id", "hit_id"],  # type: ignore[arg-type]
                              "hit_id")
    return StoreResult(list(new_ids), [row[0] for row in found], len(linked))


def stored_hit_ids(session: Session, tenant_id: str, since: datetime, *, limit: int = 1000,
                   unenriched_only: bool = True) -> list[str]:
    """Hits of the tenant received since ``since`` (oldest first), by default only those no
    enricher has annotated yet: what an enrichment pipeline picks up."""
    stmt = select(ListeningHit.id).where(ListeningHit.tenant_id == tenant_id, ListeningHit.received_at >= since)
    if unenriched_only:
        stmt = stmt.where(ListeningHit.sentiment_label.is_(None), ListeningHit.intent.is_(None))
    return list(session.execute(stmt.order_by(ListeningHit.received_at, ListeningHit.id).limit(limit)).scalars())


def set_enrichment(session: Session, hit_id: str, *, enrichment: dict[str, object] | None = None,
                   language: str | None = None, sentiment: float | None = None,
                   sentiment_label: str | None = None, intent: str | None = None) -> None:
    """Write what the enrichers found on a hit, and copy its sentiment label onto its links
    (the volume view reads the links alone)."""
    values: dict[str, object] = {}
    if enrichment is not None:
        values["enrichment"] = enrichment
    if language is not None:
        values["language"] = language[:16]
    if sentiment is not None:
        values["sentiment"] = sentiment
    if intent is not None:
        values["intent"] = intent[:64]
    if sentiment_label is not None:
        values["sentiment_label"] = sentiment_label[:16]
    if values:
        session.execute(update(ListeningHit).where(ListeningHit.id == hit_id).values(**values))
    if sentiment_label is not None:
        session.execute(update(ListeningHitQuery).where(ListeningHitQuery.hit_id == hit_id)
                        .values(sentiment_label=sentiment_label[:16]))
