"""Replay caches for identity providers (:class:`herald.auth.provider.ReplayCache`): a SAML
assertion id or an OIDC nonce is accepted once, by whichever web process sees it first.

With Redis configured, ``SET key NX PX`` does it atomically; otherwise a database table with a
primary key does (its own short transaction, so a record survives a later refusal)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from herald.auth.models import ReplayEntry
from herald.clock import utcnow
from herald.db import Database
from herald.runtime import Runtime

MIN_TTL_MS = 1000


def _key(key: str) -> str:
    # Keys come from identity providers: hash them to a fixed, safe length.
    return hashlib.sha256(key.encode()).hexdigest()


class RedisReplayCache:
    """Shared by every process using the same Redis."""

    def __init__(self, client: object, prefix: str = "herald:replay:") -> None:
        self.client, self.prefix = client, prefix

    def first_use(self, key: str, expires_at: datetime) -> bool:
        ttl_ms = max(MIN_TTL_MS, int((expires_at - utcnow()).total_seconds() * 1000))
        return bool(self.client.set(self.prefix + _key(key), b"1", nx=True, px=ttl_ms))  # type: ignore[attr-defined]


class DatabaseReplayCache:
    """The embedded-mode cache: one row per key until it expires."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def first_use(self, key: str, expires_at: datetime) -> bool:
        now = utcnow()
        try:
            with self.db.transaction() as session:
                session.execute(delete(ReplayEntry).where(ReplayEntry.expires_at <= now))
                session.add(ReplayEntry(key=_key(key), expires_at=max(expires_at, now)))
                session.flush()
        except IntegrityError:
            return False
        return True


_redis_clients: dict[str, object] = {}


def replay_cache(rt: Runtime) -> RedisReplayCache | DatabaseReplayCache:
    """The instance's cache: Redis when configured, the database otherwise."""
    url = rt.settings.redis_url
    if not url:
        return DatabaseReplayCache(rt.db)
    if url not in _redis_clients:
        from redis import Redis

        _redis_clients[url] = Redis.from_url(url)
    return RedisReplayCache(_redis_clients[url], f"herald:replay:{rt.settings.queue_name}:")
