"""What people see of a query besides its volume: the hits with filters, share of voice
between queries, top authors by reach and top terms and hashtags per language."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from herald.listening.models import ListeningHit, ListeningHitQuery
from herald.listening.query import normalise
from herald.listening.stopwords import stop_words

#: how many of the newest hits the top-terms view reads
TERMS_SAMPLE = 5000


def hits_of(query_id: str, filters: dict[str, Any]) -> Select[Any]:
    """The query's hits, filtered (network, language, sentiment_label, intent, from, to, author, text)."""
    stmt = (select(ListeningHit).join(ListeningHitQuery, ListeningHitQuery.hit_id == ListeningHit.id)
            .where(ListeningHitQuery.query_id == query_id))
    if filters.get("network"):
        stmt = stmt.where(ListeningHit.network == filters["network"])
    if filters.get("language"):
        stmt = stmt.where(ListeningHit.language == filters["language"])
    if filters.get("sentiment_label"):
        stmt = stmt.where(ListeningHitQuery.sentiment_label == filters["sentiment_label"])
    if filters.get("intent"):
        stmt = stmt.where(ListeningHit.intent == filters["intent"])
    if filters.get("from_"):
        stmt = stmt.where(ListeningHitQuery.created_at >= filters["from_"])
    if filters.get("to"):
        stmt = stmt.where(ListeningHitQuery.created_at < filters["to"])
    if filters.get("author"):
        stmt = stmt.where(func.lower(ListeningHit.author_handle) == filters["author"].lstrip("@").lower())
    if filters.get("text"):
        stmt = stmt.where(ListeningHit.text.ilike(f"%{_escape(filters['text'])}%", escape="\\"))
    return stmt


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def share_of_voice(session: Session, query_ids: list[str], start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Hits per query in the range and each query's share of their sum."""
    rows = dict(session.execute(select(ListeningHitQuery.query_id, func.count()).where(
        ListeningHitQuery.query_id.in_(query_ids), ListeningHitQuery.created_at >= start,
        ListeningHitQuery.created_at < end).group_by(ListeningHitQuery.query_id)).all())
    total = sum(rows.values())
    return [{"query_id": q, "hits": rows.get(q, 0), "share": (rows.get(q, 0) / total) if total else 0.0}
            for q in query_ids]


def top_authors(session: Session, query_id: str, start: datetime | None, end: datetime | None,
                limit: int) -> list[dict[str, Any]]:
    """Authors by reach (their largest follower count seen), then by distinct hits."""
    hit, link = ListeningHit, ListeningHitQuery
    reach = func.max(func.coalesce(hit.author_followers, 0))
    stmt = (select(hit.network, func.lower(hit.author_handle).label("handle"), func.max(hit.author_name), reach,
                   func.count(func.distinct(hit.id)), func.max(case((hit.author_verified.is_(True), 1), else_=0)))
            .join(link, link.hit_id == hit.id)
            .where(link.query_id == query_id, hit.author_handle.is_not(None))
            .group_by(hit.network, func.lower(hit.author_handle))
            .order_by(reach.desc(), func.count(func.distinct(hit.id)).desc(), func.lower(hit.author_handle))
            .limit(limit))
    if start is not None:
        stmt = stmt.where(link.created_at >= start)
    if end is not None:
        stmt = stmt.where(link.created_at < end)
    return [{"network": n, "handle": h, "name": name, "followers": r, "hits": c, "verified": bool(v)}
            for n, h, name, r, c, v in session.execute(stmt).all()]


def top_terms(session: Session, query_id: str, start: datetime | None, end: datetime | None,
              limit: int) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """language → {"terms": [...], "hashtags": [...]}, each ``{"term", "count"}`` (a hit counts a
    term once), stop-words removed, from the newest :data:`TERMS_SAMPLE` hits."""
    hit, link = ListeningHit, ListeningHitQuery
    stmt = select(hit.text, hit.language).join(link, link.hit_id == hit.id).where(link.query_id == query_id)
    if start is not None:
        stmt = stmt.where(link.created_at >= start)
    if end is not None:
        stmt = stmt.where(link.created_at < end)
    rows = session.execute(stmt.order_by(link.created_at.desc()).limit(TERMS_SAMPLE)).all()
    words: dict[str, Counter[str]] = defaultdict(Counter)
    tags: dict[str, Counter[str]] = defaultdict(Counter)
    for text, language in rows:
        lang = (language or "und").split("-")[0].lower()
        stops = stop_words(language)
        hashtags = normalise.hashtags(text or "")
        mentioned = normalise.mentions(text or "")
        tags[lang].update(hashtags)
        kept = {w for w in normalise.words(_without_links(text or "")) if len(w) > 1 and not w.isdigit()
                and w not in stops and w not in hashtags and w not in mentioned}
        words[lang].update(kept)
    return {lang: {"terms": [{"term": t, "count": c} for t, c in _most_common(words[lang], limit)],
                   "hashtags": [{"term": f"#{t}", "count": c} for t, c in _most_common(tags[lang], limit)]}
            for lang in sorted(set(words) | set(tags))}


def _without_links(text: str) -> str:
    return " ".join(w for w in text.split() if not w.lower().startswith(("http://", "https://", "www.")))


def _most_common(counts: Counter[str], limit: int) -> list[tuple[str, int]]:
    """The most frequent first, ties in alphabetical order (the same whatever order hits came in)."""
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:limit]
