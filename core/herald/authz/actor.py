"""Who is acting: resolved once per request (or CLI run) and passed to every service."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Actor:
    """``permission_cap``: when set (a scoped API token), the only permissions this actor may
    use, whatever its user's grants say; ``token_id``/``token_name``/``session_id`` say which
    credential acted, so every use is attributable in the audit log."""

    user_id: str
    tenant_id: str | None
    label: str
    is_operator: bool = False
    token_id: str | None = None
    via: str = "api"
    extra: dict[str, Any] = field(default_factory=dict)
    token_name: str | None = None
    session_id: str | None = None
    permission_cap: frozenset[str] | None = None

    @property
    def audit_label(self) -> str:
        """The label written to the audit log: who, and through which token."""
        if self.token_id:
            return f"{self.label} [token {self.token_name or ''} {self.token_id}]".replace("  ", " ")
        return self.label

    def audit_context(self) -> dict[str, Any]:
        ctx: dict[str, Any] = {"via": self.via}
        if self.token_id:
            ctx["token_id"] = self.token_id
        if self.session_id:
            ctx["session_id"] = self.session_id
        return ctx
