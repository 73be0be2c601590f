"""The event-subscriber interface."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from herald.plugin_host.bound import TenantBound


@dataclass(frozen=True)
class Event:
    id: str  # unique, for the receiver's de-duplication
    type: str  # e.g. "org_unit.created"
    tenant_id: str
    occurred_at: datetime
    data: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "tenant_id": self.tenant_id,
                "occurred_at": self.occurred_at.isoformat(), "data": self.data}


class EventSubscriber(TenantBound):
    def wants(self, event: Event) -> bool:
        """Whether :meth:`deliver` should be queued for ``event`` (cheap; runs in-request)."""
        return True

    def deliver(self, event: Event) -> None:
        """Deliver ``event`` (runs on the queue). Raise to have Herald retry with backoff."""
        raise NotImplementedError
