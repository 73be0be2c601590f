"""How one variant will look on one network, from the connector's own rules: its
:class:`~herald.networks.connector.Capabilities` (text limit, media, first comments) and its
:meth:`~herald.networks.connector.NetworkConnector.text_length` (X weighs links as 23 and wide
characters as 2; most networks count code points). Nothing here calls the network.

The compose page shows this beside each variant; the same numbers drive ``validate``, so the
preview and the check never disagree about what is too long."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from herald.networks.connector import NetworkConnector, VariantDraft

HASHTAG_RE = re.compile(r"(?<!\w)#\w+")
MENTION_RE = re.compile(r"(?<![\w@])@[\w.]+")


@dataclass(frozen=True)
class MediaPreview:
    asset_id: str | None
    kind: str
    alt_text: str | None
    accepted: bool  # the network takes this kind of media


@dataclass(frozen=True)
class NetworkPreview:
    network: str
    display_name: str
    #: "caption" where the network needs media and the text goes under it, else "text".
    style: str
    length: int
    limit: int
    over: bool
    #: the text as the network keeps it, and what it would cut (empty when it fits).
    kept: str
    cut: str
    hashtags: int
    mentions: int
    media: list[MediaPreview] = field(default_factory=list)
    max_media: int = 0
    min_media: int = 0
    supports_first_comment: bool = False
    first_comment: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def fitting_prefix(connector: NetworkConnector, text: str, limit: int) -> int:
    """The length (in code points) of the longest start of ``text`` the network counts as at most
    ``limit``. Network counts grow with the text, so a binary search over prefixes finds it."""
    if connector.text_length(text) <= limit:
        return len(text)
    low, high = 0, len(text)  # text[:low] fits; text[:high] does not
    while high - low > 1:
        middle = (low + high) // 2
        if connector.text_length(text[:middle]) <= limit:
            low = middle
        else:
            high = middle
    return low


def describe(connector: NetworkConnector, draft: VariantDraft, first_comment: str | None = None) -> NetworkPreview:
    """The preview of ``draft`` on ``connector``'s network."""
    caps = connector.capabilities
    length = connector.text_length(draft.text)
    keep = fitting_prefix(connector, draft.text, caps.max_text_length)
    media = [MediaPreview(asset_id=item.get("asset_id"), kind=str(item.get("kind") or "image"),
                          alt_text=item.get("alt_text"), accepted=item.get("kind") in caps.media_kinds)
             for item in draft.media]
    return NetworkPreview(
        network=connector.key, display_name=connector.display_name,
        style="caption" if caps.min_media > 0 else "text",
        length=length, limit=caps.max_text_length, over=length > caps.max_text_length,
        kept=draft.text[:keep], cut=draft.text[keep:],
        hashtags=len(HASHTAG_RE.findall(draft.text)), mentions=len(MENTION_RE.findall(draft.text)),
        media=media, max_media=caps.max_media, min_media=caps.min_media,
        supports_first_comment=caps.supports_first_comment, first_comment=first_comment or None,
    )
