"""The CRM sink interface: push one engagement item (a lead, a case) to a CRM."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from herald.plugin_host.bound import TenantBound


@dataclass(frozen=True)
class CrmRecord:
    kind: str  # "lead" | "case" | "contact"
    idempotency_key: str
    fields: dict[str, Any]


class CrmSink(TenantBound):
    def push(self, record: CrmRecord) -> str:
        """Create or update the record in the CRM; returns the CRM's id for it. Pushing the
        same ``idempotency_key`` twice must not create a second record."""
        raise NotImplementedError
