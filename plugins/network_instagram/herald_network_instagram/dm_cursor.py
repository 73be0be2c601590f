"""The cursor of direct-message polling: a high-water mark and the messages seen just below it.

A message's ``created_time`` has a resolution of one second and a message may show up in the
API a little after its ``created_time``; a bare "newest timestamp seen" cursor would either
repeat the messages of that second or lose the ones that surface late. So the cursor keeps
``high`` (the newest ``created_time`` returned so far) and the ids of every message returned
whose ``created_time`` lies within :data:`OVERLAP` of it; the next poll re-reads that overlap
and skips only those ids. Nothing is repeated, and nothing is lost unless it surfaces more than
:data:`OVERLAP` after a newer message was read.

Encoded as ``dm1:`` + compact JSON. A cursor that cannot be read counts as none (the most
recent messages are read again; the inbox drops what it already has) rather than failing every
poll of the account for good.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from herald_network_instagram.payload_values import from_epoch, parse_time

PREFIX = "dm1:"
OVERLAP = timedelta(seconds=60)
#: a burst bigger than this within one overlap keeps only its newest ids (the cursor must stay
#: small enough to store)
MAX_SEEN = 2000


@dataclass
class DmCursor:
    high: datetime | None = None
    #: message id → ``created_time`` (Unix seconds) of messages returned within the overlap
    seen: dict[str, float] = field(default_factory=dict)

    @property
    def floor(self) -> datetime | None:
        """Messages created before this were handled by earlier polls."""
        return self.high - OVERLAP if self.high is not None else None

    def is_new(self, message_id: str, created: datetime | None) -> bool:
        if message_id in self.seen:
            return False
        floor = self.floor
        return floor is None or created is None or created >= floor

    def advanced(self, returned: dict[str, datetime]) -> DmCursor:
        """The cursor after ``returned`` (message id → created time) was handed to the inbox."""
        if not returned:
            return self
        high = max([*returned.values(), *([self.high] if self.high else [])])
        floor = (high - OVERLAP).timestamp()
        seen = {k: t for k, t in self.seen.items() if t >= floor}
        seen.update({k: t.timestamp() for k, t in returned.items() if t.timestamp() >= floor})
        if len(seen) > MAX_SEEN:
            seen = dict(sorted(seen.items(), key=lambda kv: kv[1])[-MAX_SEEN:])
        return DmCursor(high, seen)

    def encode(self) -> str:
        body = {"t": self.high.timestamp() if self.high else None, "seen": self.seen}
        return PREFIX + json.dumps(body, separators=(",", ":"), sort_keys=True)

    @classmethod
    def decode(cls, raw: str | None) -> DmCursor:
        if not raw:
            return cls()
        if not raw.startswith(PREFIX):
            # a plain timestamp (as the mentions cursor is) still says where to resume
            return cls(parse_time(raw))
        try:
            body = json.loads(raw[len(PREFIX):])
        except (ValueError, RecursionError):
            return cls()
        if not isinstance(body, dict):
            return cls()
        t = body.get("t")
        high = from_epoch(t) if isinstance(t, int | float) and not isinstance(t, bool) else None
        seen_raw = body.get("seen") if isinstance(body.get("seen"), dict) else {}
        seen = {str(k): float(v) for k, v in seen_raw.items()
                if isinstance(v, int | float) and not isinstance(v, bool)}
        return cls(high, seen)
