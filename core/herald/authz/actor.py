"""Who is acting: resolved once per request (or CLI run) and passed to every service."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Actor:
    user_id: str
    tenant_id: str | None
    label: str
    is_operator: bool = False
    token_id: str | None = None
    via: str = "api"
    extra: dict[str, Any] = field(default_factory=dict)

    def audit_context(self) -> dict[str, Any]:
        ctx: dict[str, Any] = {"via": self.via}
        if self.token_id:
            ctx["token_id"] = self.token_id
        return ctx
