"""Hits over time per query, bucketed by hour, day or week in the viewer's time zone, with
counts per sentiment label.

On PostgreSQL the buckets are made in SQL (``date_trunc`` on the instant read in the zone), from
``ix_listening_hit_queries_volume`` alone: (query_id, created_at, sentiment_label). Elsewhere
(SQLite) the link rows' two columns are read and bucketed here, with the same result. Zones
with half-hour offsets (Asia/Kolkata, Asia/Tehran) and daylight saving are handled by the zone
database, not by fixed offsets."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from herald.listening.models import ListeningHitQuery

BUCKETS = ("hour", "day", "week")
UNLABELLED = "unlabelled"


def bucket_start(moment: datetime, bucket: str, zone: ZoneInfo) -> datetime:
    """The local start (naive, in ``zone``) of the bucket ``moment`` falls in."""
    local = moment.astimezone(zone).replace(tzinfo=None)
    if bucket == "hour":
        return local.replace(minute=0, second=0, microsecond=0)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return day if bucket == "day" else day - timedelta(days=day.weekday())


def _localise(naive: datetime, zone: ZoneInfo) -> datetime:
    return naive.replace(tzinfo=zone)


def counts(session: Session, query_ids: list[str], start: datetime, end: datetime, bucket: str,
           zone_name: str) -> dict[str, dict[datetime, dict[str, int]]]:
    """query id → local bucket start (aware, in the zone) → sentiment label → count."""
    zone = ZoneInfo(zone_name)
    link = ListeningHitQuery
    where = (link.query_id.in_(query_ids), link.created_at >= start, link.created_at < end)
    out: dict[str, dict[datetime, dict[str, int]]] = {q: defaultdict(lambda: defaultdict(int)) for q in query_ids}
    if session.get_bind().dialect.name == "postgresql":
        local = func.timezone(zone_name, link.created_at)
        trunc = func.date_trunc(literal_column(f"'{bucket}'"), local).label("b")
        rows = session.execute(select(link.query_id, trunc, link.sentiment_label, func.count())
                               .where(*where).group_by(link.query_id, trunc, link.sentiment_label)).all()
        for query_id, naive, label, n in rows:
            out[query_id][_localise(naive, zone)][label or UNLABELLED] += n
    else:
        rows = session.execute(select(link.query_id, link.created_at, link.sentiment_label).where(*where)).all()
        for query_id, created, label in rows:
            out[query_id][_localise(bucket_start(created, bucket, zone), zone)][label or UNLABELLED] += 1
    return out


def series(session: Session, query_id: str, start: datetime, end: datetime, bucket: str,
           zone_name: str) -> list[dict[str, object]]:
    """Every bucket from ``start`` to ``end`` (empty ones too), oldest first."""
    zone = ZoneInfo(zone_name)
    found = counts(session, [query_id], start, end, bucket, zone_name)[query_id]
    out = []
    cursor = bucket_start(start, bucket, zone)
    last = bucket_start(end - timedelta(microseconds=1), bucket, zone)
    step = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}[bucket]
    while cursor <= last:
        key = _localise(cursor, zone)
        by_label = dict(found.get(key, {}))
        out.append({"start": key, "total": sum(by_label.values()), "sentiment": by_label})
        nxt = cursor + step
        if bucket == "hour":  # step in real hours across daylight-saving changes
            nxt = bucket_start(key.astimezone(UTC) + step, bucket, zone)
        cursor = nxt
    return out
