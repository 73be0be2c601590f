"""The network connector interface.

A connector speaks one social network's API for one tenant. Herald calls ``validate`` while a
post is composed; the publishing engine calls ``publish``/``find_published``/``delete``; the
inbox and reports call ``fetch_mentions``/``search``/``fetch_metrics``; the connect flow calls
``authorize_url``/``exchange_code``/``refresh``.

A connector never retries on its own and never stores anything: it makes one attempt and
reports what happened by returning a result or raising one of the errors in
:mod:`herald.networks.errors`. The engine decides about retries, backoff, refresh and
reconciliation from those errors. A connector that does not support an operation leaves the
method as is: the base raises :class:`NotSupported`, which Herald reports to the user.

Every connector reads its API base URL(s) from its settings, so that tests and corporate
proxies can point it anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar

from herald.networks.errors import JSON, NotSupported
from herald.plugin_host.bound import TenantBound


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
    supports_search: bool = False
    #: True if :meth:`NetworkConnector.find_published` can look a post up after an uncertain
    #: outcome; False means such a publication goes to "needs attention" instead of a retry.
    supports_lookup: bool = False


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
    #: further parts, published as replies to the first (a thread)
    thread: list[str] = field(default_factory=list)
    #: the remote id of a post this one replies to, or quotes
    reply_to: str | None = None
    quote_of: str | None = None


# ----------------------------------------------------------------------------- accounts and tokens
@dataclass(frozen=True)
class TokenSet:
    """OAuth tokens of one connected account. ``refresh_token`` None means "keep the one you
    have": the engine never overwrites a stored refresh token with an empty one."""

    access_token: str
    refresh_token: str | None = None
    expires_at: datetime | None = None
    scope: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ConnectedAccount:
    """A social account as a connector sees it: Herald's id, the network's id and handle, and
    its current tokens (decrypted)."""

    id: str
    remote_id: str
    handle: str
    tokens: TokenSet | None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RemoteProfile:
    """Who a fresh token belongs to (after the connect flow)."""

    remote_id: str
    handle: str
    display_name: str = ""


# ----------------------------------------------------------------------------- publishing
@dataclass(frozen=True)
class MediaFile:
    """One media item to publish. ``url`` is a public, signed, expiring URL (for networks
    that fetch media themselves, like Instagram); ``read`` returns the bytes (for networks
    that take uploads, like X)."""

    kind: str  # image | video | gif | document
    mime_type: str
    size: int
    url: str | None
    read: Callable[[], bytes]
    alt_text: str | None = None


@dataclass(frozen=True)
class PublishRequest:
    """What to publish on one account. ``publication_id`` is Herald's id for this (variant,
    account) pair: stable across attempts, usable as a marker for lookups. ``lookup_hints``
    (read-only, empty unless an earlier attempt ended uncertain) holds the hints that attempt's
    :class:`~herald.networks.errors.UncertainOutcome` carried, merged over successive uncertain
    attempts: what ``find_published`` needs to find the post again."""

    publication_id: str
    text: str
    media: list[MediaFile] = field(default_factory=list)
    thread: list[str] = field(default_factory=list)  # further parts, chained as replies
    reply_to: str | None = None  # remote id
    quote_of: str | None = None  # remote id
    first_comment: str | None = None
    language: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    lookup_hints: Mapping[str, JSON] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class PublishResult:
    remote_id: str
    url: str | None = None
    #: remote ids of further parts (thread replies, first comment), in order.
    extra_ids: list[str] = field(default_factory=list)
    #: the network's own usage signals say this account must not call again before this
    #: instant (its window or daily quota is used up): the engine holds the account's other
    #: publications until then, as after :class:`~herald.networks.errors.RateLimited`.
    pause_until: datetime | None = None


@dataclass(frozen=True)
class Mention:
    """A mention, comment or search hit, normalised for the inbox."""

    remote_id: str
    text: str
    author_id: str
    author_handle: str
    created_at: datetime | None
    in_reply_to: str | None = None
    kind: str = "mention"  # mention | comment | search
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MentionPage:
    items: list[Mention]
    #: the cursor to pass as ``since`` next time (None: keep the old one).
    cursor: str | None = None


class NetworkConnector(TenantBound):
    capabilities: ClassVar[Capabilities]

    # ------------------------------------------------------------------ composing
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
        if draft.thread and not caps.supports_threads:
            problems.append(Problem("thread", "unsupported", f"{self.display_name} does not take threads; "
                                    "publish the parts as separate posts."))
        for i, part in enumerate(draft.thread):
            part_length = self.text_length(part)
            if not part.strip():
                problems.append(Problem(f"thread[{i}]", "empty", "A part of a thread needs text."))
            elif part_length > caps.max_text_length:
                problems.append(Problem(f"thread[{i}]", "too_long", f"{self.display_name} allows "
                                        f"{caps.max_text_length} characters; this part has {part_length}."))
        for i, item in enumerate(draft.media):
            if item.get("kind") not in caps.media_kinds:
                problems.append(Problem(f"media[{i}]", "unsupported_kind",
                                        f"{self.display_name} does not accept {item.get('kind')!r} media."))
        return problems

    def text_length(self, text: str) -> int:
        """How the network counts characters (code points by default)."""
        return len(text)

    # ------------------------------------------------------------------ publishing
    def publish(self, account: ConnectedAccount, request: PublishRequest) -> PublishResult:
        """Create the post on the network, once. Raise from :mod:`herald.networks.errors`:
        :class:`UncertainOutcome` when the post may or may not exist (timeout, 5xx after the
        request was sent), :class:`RateLimited`, :class:`TransientError`,
        :class:`AuthExpired`, :class:`AuthRevoked` or :class:`PermanentError`."""
        raise NotSupported(f"{self.display_name}: publishing is not supported")

    def find_published(self, account: ConnectedAccount, request: PublishRequest,
                       not_before: datetime) -> PublishResult | None:
        """After an uncertain outcome: the post made by an earlier attempt of ``request`` (at or
        after ``not_before``), or None if it certainly does not exist. Raise
        :class:`UncertainOutcome` if the network cannot tell."""
        raise NotSupported(f"{self.display_name}: looking posts up is not supported")

    def delete(self, account: ConnectedAccount, remote_id: str) -> None:
        """Delete a published post."""
        raise NotSupported(f"{self.display_name}: deleting posts is not supported")

    # ------------------------------------------------------------------ reading
    def fetch_metrics(self, account: ConnectedAccount, remote_ids: list[str]) -> dict[str, dict[str, int]]:
        """Public metrics per remote post id."""
        raise NotSupported(f"{self.display_name}: metrics are not supported")

    def fetch_mentions(self, account: ConnectedAccount, since: str | None) -> MentionPage:
        """Mentions and comments newer than the cursor ``since`` (None: the most recent)."""
        raise NotSupported(f"{self.display_name}: mentions are not supported")

    def search(self, account: ConnectedAccount, query: str, since: str | None) -> MentionPage:
        """Public posts matching ``query`` (social listening)."""
        raise NotSupported(f"{self.display_name}: search is not supported")

    # ------------------------------------------------------------------ connecting (OAuth)
    def authorize_url(self, state: str, redirect_uri: str, code_verifier: str) -> str:
        """Where to send a person to connect an account. ``code_verifier`` is the PKCE
        verifier Herald keeps server-side; connectors that use PKCE derive the S256 challenge."""
        raise NotSupported(f"{self.display_name}: connecting accounts is not supported")

    def exchange_code(self, code: str, redirect_uri: str, code_verifier: str) -> TokenSet:
        """Trade the callback's code for tokens."""
        raise NotSupported(f"{self.display_name}: connecting accounts is not supported")

    def refresh(self, tokens: TokenSet) -> TokenSet:
        """New tokens from ``tokens``. Raise :class:`AuthRevoked` only on the network's own
        "revoked / invalid grant" answer; any other failure is :class:`TransientError`."""
        raise NotSupported(f"{self.display_name}: refreshing tokens is not supported")

    def profile(self, tokens: TokenSet) -> RemoteProfile:
        """The account these tokens act for."""
        raise NotSupported(f"{self.display_name}: reading the profile is not supported")
