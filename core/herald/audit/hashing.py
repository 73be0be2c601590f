"""How an audit event is hashed. Changing this breaks every existing chain: don't.

Events written since keyed chains exist carry a ``key_id`` and their hash is HMAC-SHA256 under
that instance key, which the database does not hold: whoever can write the table cannot forge a
hash. Events from before (``key_id`` NULL) keep their plain SHA-256 hash."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def jsonable(value: Any) -> Any:
    """Turn a snapshot into plain JSON values so that what is hashed is what is stored."""
    return json.loads(canonical(value)) if value is not None else None


def event_hash(fields: dict[str, Any], key: bytes | None = None) -> str:
    """The event's hash: plain SHA-256 for a legacy event (``key`` None, ``key_id`` unset),
    else HMAC-SHA256 under ``key`` over the same content plus the key's id."""
    at: datetime = fields["at"]
    payload = {
        "chain": fields["chain"],
        "chain_seq": int(fields["chain_seq"]),
        "id": fields["id"],
        "tenant_id": fields["tenant_id"],
        "actor_id": fields["actor_id"],
        "actor_label": fields["actor_label"],
        "action": fields["action"],
        "object_type": fields["object_type"],
        "object_id": fields["object_id"],
        "before": fields["before"],
        "after": fields["after"],
        "context": fields["context"] or {},
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "prev_hash": fields["prev_hash"],
    }
    if key is None:
        return hashlib.sha256(canonical(payload).encode("utf-8")).hexdigest()
    payload["key_id"] = fields["key_id"]
    return hmac.new(key, canonical(payload).encode("utf-8"), hashlib.sha256).hexdigest()
