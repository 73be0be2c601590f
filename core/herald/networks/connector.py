"""The network connector interface.

A connector speaks one social network's API for one tenant. Herald calls ``validate`` while a
post is composed; the publishing, metrics and inbox methods are called by the publishing
engine and the inbox. A connector that does not support an operation leaves the method as is:
the base raises :class:`NotSupported`, which Herald reports to the user instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from herald.plugin_host.bound import TenantBound


class NotSupported(Exception):
    """The network (or this connector) does not offer this operation."""


@dataclass(frozen=True)
class Capabilities:
    max_text_length: int
    media_kinds: tuple[str, ...] = ("image",)
    max_media: int = 4
    min_media: int = 0
    supports_threads: bool = False
    supports_first_comment: bool = False
    supports_delete: bool = False
    supports_metrics: bool = False
    supports_mentions: bool = False


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a post variant for this network; ``field`` names what to fix."""

    field: str
    code: str
    message: str


@dataclass
class VariantDraft:
    """What a connector validates: the text and media of one variant for one network."""

    text: str
    media: list[dict[str, Any]] = field(default_factory=list)
    language: str | None = None
    link: str | None = None


class NetworkConnector(TenantBound):
    capabilities: ClassVar[Capabilities]

    def validate(self, draft: VariantDraft) -> list[Problem]:
        """Every problem with ``draft`` at once (empty list: publishable). The default checks
        length and media against :attr:`capabilities`; connectors add network rules."""
        caps = self.capabilities
        problems: list[Problem] = []
        length = self.text_length(draft.text)
        if length > caps.max_text_length:
            problems.append(Problem("text", "too_long", f"{self.display_name} allows {caps.max_text_length} "
                                    f"characters; this text has {length}."))
        if not draft.text.strip() and not draft.media:
            problems.append(Problem("text", "empty", "A post needs text or media."))
        if len(draft.media) > caps.max_media:
            problems.append(Problem("media", "too_many", f"{self.display_name} allows at most {caps.max_media} "
                                    f"media items; this post has {len(draft.media)}."))
        if len(draft.media) < caps.min_media:
            problems.append(Problem("media", "too_few",
                                    f"{self.display_name} needs at least {caps.min_media} media item(s)."))
        for i, item in enumerate(draft.media):
            if item.get("kind") not in caps.media_kinds:
                problems.append(Problem(f"media[{i}]", "unsupported_kind",
                                        f"{self.display_name} does not accept {item.get('kind')!r} media."))
        return problems

    def text_length(self, text: str) -> int:
        """How the network counts characters (code points by default)."""
        return len(text)

    def publish(self, account: Any, content: Any) -> Any:
        """Create the post on the network; returns the network's post id and URL."""
        raise NotSupported(f"{self.display_name}: publishing is not supported")

    def delete(self, account: Any, remote_id: str) -> None:
        """Delete a published post."""
        raise NotSupported(f"{self.display_name}: deleting posts is not supported")

    def fetch_metrics(self, account: Any, remote_ids: list[str]) -> dict[str, dict[str, int]]:
        """Public metrics per remote post id."""
        raise NotSupported(f"{self.display_name}: metrics are not supported")

    def fetch_mentions(self, account: Any, since: str | None) -> list[dict[str, Any]]:
        """Mentions and comments newer than the cursor ``since``."""
        raise NotSupported(f"{self.display_name}: mentions are not supported")

    def authorize_url(self, state: str, redirect_uri: str) -> str:
        """Where to send a person to connect an account (OAuth)."""
        raise NotSupported(f"{self.display_name}: connecting accounts is not supported")
