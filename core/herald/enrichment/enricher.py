"""The enricher interface: annotate a post or an engagement item."""

from __future__ import annotations

from typing import Any, ClassVar

from herald.plugin_host.bound import TenantBound


class Enricher(TenantBound):
    #: what the enricher looks at: "post", "engagement" or both.
    subjects: ClassVar[tuple[str, ...]] = ("post", "engagement")

    def enrich(self, subject: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Annotations for ``payload`` (e.g. ``{"sentiment": -0.4, "tags": ["billing"]}``),
        stored under this enricher's key."""
        raise NotImplementedError
