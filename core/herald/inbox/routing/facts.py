"""What routing rules look at: the facts of one incoming item and its conversation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ItemFacts:
    """One item as the conditions see it. ``None`` means "not known" (no enricher ran, the network
    does not say): a condition on an unknown fact does not match, and says so."""

    text: str
    kind: str
    network: str
    account_id: str
    account_labels: tuple[str, ...]
    unit_id: str
    unit_path: str
    language: str | None
    author_followers: int | None
    author_verified: bool | None
    author_tags: tuple[str, ...]
    sentiment: float | None
    intent: str | None
    tags: tuple[str, ...]
    received_at: datetime
