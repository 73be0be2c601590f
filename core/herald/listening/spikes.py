"""Spike alerts: a query's hourly volume, and its hourly count of negative hits, compared with
the query's own recent baseline.

The detector (a robust z-score) for each signal:

- the current bucket is the last :data:`WINDOW` (one hour) up to now; the baseline is the
  :data:`BASELINE_HOURS` (7 × 24) hourly buckets before it;
- ``z = (current − median) / max(1.4826 × MAD, MIN_SCALE)``, MAD being the median absolute
  deviation of the baseline (1.4826 × MAD estimates the standard deviation of normal data; the
  floor keeps a silent baseline from turning a handful of posts into an alert);
- an alert when ``z ≥ Z_THRESHOLD`` (4) **and** the current count is at least the signal's
  minimum (:data:`MIN_COUNT`: 20 hits, 10 negative hits), and the same signal has not alerted in
  the last :data:`COOL_DOWN` (6 hours);
- the query's owners are notified (kind ``listening.spike``).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.listening.models import ListeningHitQuery, ListeningQuery
from herald.notifications.notifier import Notification
from herald.notifications.send import send
from herald.people.models import User

WINDOW = timedelta(hours=1)
BASELINE_HOURS = 7 * 24
Z_THRESHOLD = 4.0
MIN_SCALE = 1.0
MIN_COUNT = {"volume": 20, "negative": 10}
COOL_DOWN = timedelta(hours=6)
KIND = "listening.spike"


@dataclass(frozen=True)
class Verdict:
    signal: str
    current: int
    median: float
    mad: float
    z: float
    alert: bool


def robust_z(baseline: Sequence[int], current: int) -> tuple[float, float, float]:
    """(z, median, MAD) of ``current`` against ``baseline``."""
    if not baseline:
        return 0.0, 0.0, 0.0
    median = float(statistics.median(baseline))
    mad = float(statistics.median(abs(x - median) for x in baseline))
    return (current - median) / max(1.4826 * mad, MIN_SCALE), median, mad


def judge(signal: str, baseline: Sequence[int], current: int, last_alert: datetime | None, now: datetime) -> Verdict:
    z, median, mad = robust_z(baseline, current)
    cooling = last_alert is not None and now - last_alert < COOL_DOWN
    alert = z >= Z_THRESHOLD and current >= MIN_COUNT[signal] and not cooling
    return Verdict(signal, current, median, mad, z, alert)


def hourly(session: Session, query_id: str, now: datetime) -> tuple[list[int], int, list[int], int]:
    """(baseline volume, current volume, baseline negatives, current negatives)."""
    start = now - WINDOW * (BASELINE_HOURS + 1)
    rows = session.execute(select(ListeningHitQuery.created_at, ListeningHitQuery.sentiment_label).where(
        ListeningHitQuery.query_id == query_id, ListeningHitQuery.created_at >= start,
        ListeningHitQuery.created_at < now)).all()
    volume = [0] * (BASELINE_HOURS + 1)
    negative = [0] * (BASELINE_HOURS + 1)
    for created, label in rows:
        index = BASELINE_HOURS - int((now - created) / WINDOW)
        if 0 <= index <= BASELINE_HOURS:
            volume[index] += 1
            if label == "negative":
                negative[index] += 1
    return volume[:-1], volume[-1], negative[:-1], negative[-1]


def check_query(session: Session, query: ListeningQuery, now: datetime) -> int:
    """Judge both signals of ``query`` now; notify its owners of each alert. Returns the alerts."""
    base_v, cur_v, base_n, cur_n = hourly(session, query.id, now)
    state = dict(query.alert_state or {})
    alerts = 0
    for verdict in (judge("volume", base_v, cur_v, _at(state, "volume"), now),
                    judge("negative", base_n, cur_n, _at(state, "negative"), now)):
        if not verdict.alert:
            continue
        alerts += 1
        state[verdict.signal] = {"at": now.isoformat(), "count": verdict.current, "median": verdict.median,
                                 "z": round(verdict.z, 2)}
        _notify(session, query, verdict)
    if alerts:
        query.alert_state = state
    return alerts


def _at(state: dict[str, object], signal: str) -> datetime | None:
    entry = state.get(signal)
    if isinstance(entry, dict) and isinstance(entry.get("at"), str):
        return datetime.fromisoformat(entry["at"])
    return None


def _notify(session: Session, query: ListeningQuery, verdict: Verdict) -> int:
    what = "posts" if verdict.signal == "volume" else "negative posts"
    title = f"Spike on \u201c{query.name}\u201d: {verdict.current} {what} in the last hour"
    body = (f"Usually about {verdict.median:g} an hour over the last 7 days (robust z-score "
            f"{verdict.z:.1f}).")
    ids = sorted(set(query.owner_ids or []))
    if not ids:
        return 0
    users = session.execute(select(User).where(User.id.in_(ids), User.tenant_id == query.tenant_id)).scalars()
    count = 0
    for user in users:
        if not user.active:
            continue
        send(session, Notification(tenant_id=query.tenant_id, recipient_id=user.id, recipient_email=user.email,
                                   kind=KIND, title=title, body=body,
                                   link=f"/console/listening/{query.id}",
                                   data={"listening_query_id": query.id, "signal": verdict.signal,
                                         "count": verdict.current}))
        count += 1
    return count
