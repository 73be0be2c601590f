"""The notifier interface: deliver one notification to one person over one channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from herald.plugin_host.bound import TenantBound


@dataclass(frozen=True)
class Notification:
    tenant_id: str
    recipient_id: str
    recipient_email: str
    kind: str  # e.g. "approval.due", "publication.failed"
    title: str
    body: str = ""
    link: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


class Notifier(TenantBound):
    def notify(self, notification: Notification) -> None:
        """Deliver it. Raise to have Herald retry later (with backoff)."""
        raise NotImplementedError
