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
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, ClassVar

from herald.listening.query.ast import Node as ListeningQuery
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
    #: the connector reads direct messages (:meth:`NetworkConnector.fetch_direct_messages`)
    #: and sends them (:meth:`NetworkConnector.send_reply` with ``kind="dm"``).
    supports_direct_messages: bool = False
    #: the connector answers comments and mentions publicly (:meth:`NetworkConnector.send_reply`).
    supports_replies: bool = False
    #: characters a public reply may have (None: as :attr:`max_text_length`).
    max_reply_length: int | None = None
    #: characters a direct message may have (None: as :attr:`max_text_length`).
    max_dm_length: int | None = None
    #: a direct message may answer only this long after the person's last message (Instagram's
    #: 24-hour standard messaging window); None: no window.
    dm_reply_window_s: int | None = None
    #: never poll one account's mentions or messages more often than this, whatever its budget.
    min_poll_interval_s: int = 60
    #: the connector runs listening queries (:meth:`NetworkConnector.compile_listening_query`
    #: and :meth:`NetworkConnector.search_recent`).
    supports_listening: bool = False
    #: the network lets one account search at most this many distinct terms (the
    #: :attr:`CompiledQuery.budget_terms`) per :attr:`listening_terms_window_s` (Instagram: 30
    #: hashtags per rolling 7 days); Herald keeps the count and refuses beyond it. None: no such limit.
    listening_terms_budget: int | None = None
    listening_terms_window_s: int | None = None


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
    #: the variant's network options (``options`` in the content), since hook API 1.4
    options: dict[str, Any] = field(default_factory=dict)


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
    #: a link the post shares (since hook API 1.4)
    link: str | None = None
    language: str | None = None
    #: the variant's network options (``options`` in the content; filled since hook API 1.4)
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
class AuthorProfile:
    """Who sent an engagement item, as much as the network tells (None: not told)."""

    remote_id: str
    handle: str
    display_name: str = ""
    followers: int | None = None
    verified: bool | None = None
    language: str | None = None


@dataclass(frozen=True)
class Mention:
    """A mention, comment, direct message or search hit, normalised for the inbox.

    ``remote_id`` is the network's id of the item, unique per account; Herald stores an item
    once per (tenant, network, account, ``remote_id``) however often it is read or delivered."""

    remote_id: str
    text: str
    author_id: str
    author_handle: str
    created_at: datetime | None
    #: the remote id of the item this one answers (a comment's parent comment or post, a reply's
    #: replied-to post), if any.
    in_reply_to: str | None = None
    kind: str = "mention"  # mention | comment | dm | search
    raw: dict[str, Any] = field(default_factory=dict)
    #: the author as the network describes them (handle, name, followers, verified).
    author: AuthorProfile | None = None
    #: the network's own thread: a DM conversation id, X's ``conversation_id``. Items sharing it
    #: (on one account) are one conversation in Herald.
    thread_id: str | None = None
    #: the remote id of the post the item is about (the account's post a comment sits under).
    root_id: str | None = None
    #: "inbound" (from someone else) or "outbound" (the account itself: an echo of a message it
    #: sent, from Herald or elsewhere). Outbound items are stored in the thread, never routed.
    direction: str = "inbound"
    #: the network's language classification (BCP 47), if it gives one.
    language: str | None = None
    url: str | None = None
    #: this item is an edited version of the item with this remote id (X's edit history): Herald
    #: updates the stored item instead of adding one.
    edit_of: str | None = None
    #: the network says the item was deleted: Herald keeps a tombstone.
    deleted: bool = False
    #: attachments, each ``{"kind": "image" | "video" | "file" | "post", "url": …}``.
    media: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class RateBudget:
    """What the network's rate-limit signals said about the call that read a page: ``remaining``
    calls of ``limit`` until ``reset_at``. Herald spaces an account's polls to fit it."""

    limit: int
    remaining: int
    reset_at: datetime


@dataclass(frozen=True)
class MentionPage:
    items: list[Mention]
    #: the cursor to pass as ``since`` next time (None: keep the old one).
    cursor: str | None = None
    #: the account's budget for this kind of read after the call, if the network said.
    budget: RateBudget | None = None


# ----------------------------------------------------------------------------- listening
@dataclass(frozen=True)
class CompiledQuery:
    """A listening query as one network's search takes it.

    ``network_query`` is what the connector sends (None: the network cannot run this query at
    all; ``notes`` say why). ``local_filter_needed`` asks Herald to match every result against
    the whole query itself, because the network search is broader than the query;
    ``unsupported_parts`` name the parts the network cannot express (shown on the query);
    ``budget_terms`` are the distinct terms a run spends from a budget the network counts
    (:attr:`Capabilities.listening_terms_budget`: Instagram's hashtags)."""

    network_query: str | None
    local_filter_needed: bool = False
    unsupported_parts: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    budget_terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchPage:
    """What one listening run read: the hits (``kind="search"``, newest first or in any order),
    the cursor to pass next time (None: keep the old one) and the account's budget for this
    kind of read after the run, if the network said."""

    items: list[Mention]
    cursor: str | None = None
    budget: RateBudget | None = None


# ----------------------------------------------------------------------------- replying
@dataclass(frozen=True)
class ReplyRequest:
    """An answer Herald sends from one account. ``reply_id`` is Herald's id for it, stable across
    attempts (a marker for :meth:`NetworkConnector.find_reply`).

    ``kind`` is what is sent: ``"comment"`` (a public reply to a comment or to a post),
    ``"mention"`` (a public reply to a post or comment that mentioned the account) or ``"dm"``
    (a direct message in ``thread_id`` or to ``recipient_id``). ``private=True`` with
    ``kind="dm"`` answers a public comment ``in_reply_to`` privately, where the network allows."""

    reply_id: str
    kind: str
    text: str
    in_reply_to: str | None = None
    thread_id: str | None = None
    recipient_id: str | None = None
    root_id: str | None = None
    #: when the person last wrote to the account (for messaging windows).
    last_inbound_at: datetime | None = None
    private: bool = False
    media: list[MediaFile] = field(default_factory=list)
    lookup_hints: Mapping[str, JSON] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class ReplyResult:
    remote_id: str
    url: str | None = None
    #: the network's thread the reply landed in (a DM conversation created by the send).
    thread_id: str | None = None


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

    def fetch_direct_messages(self, account: ConnectedAccount, since: str | None) -> MentionPage:
        """Direct messages (``kind="dm"``, both directions, each with its ``thread_id``) newer
        than the cursor ``since`` (None: the most recent the network keeps)."""
        raise NotSupported(f"{self.display_name}: direct messages are not supported")

    # ------------------------------------------------------------------ listening
    def compile_listening_query(self, query: ListeningQuery) -> CompiledQuery:
        """``query`` (Herald's query AST, :mod:`herald.listening.query.ast`, already read for
        this network: ``network:`` terms are folded away) as this network's search takes it.
        Parts the network cannot express are left to Herald's own matcher
        (``local_filter_needed``) and named in ``unsupported_parts`` and ``notes``."""
        raise NotSupported(f"{self.display_name}: listening is not supported")

    def search_recent(self, account: ConnectedAccount, compiled: CompiledQuery,
                      cursor: str | None) -> SearchPage:
        """Recent public posts matching ``compiled.network_query``, newer than ``cursor`` (the
        connector's own cursor from the last run; None: the most recent the network keeps).
        Raise from :mod:`herald.networks.errors` (:class:`RateLimited` with the reset)."""
        raise NotSupported(f"{self.display_name}: listening is not supported")

    # ------------------------------------------------------------------ webhooks
    #: the type prefix of the domain events this connector's webhook records (``"instagram."``);
    #: None when it has no webhook. The inbox turns such events into items through the two
    #: methods below.
    webhook_event_prefix: ClassVar[str | None] = None

    def webhook_account(self, event_type: str, data: dict[str, Any]) -> str | None:
        """The network's id of the account a recorded webhook event is for (None: not an
        engagement event)."""
        return None

    def items_from_webhook(self, account: ConnectedAccount, event_type: str,
                           data: dict[str, Any]) -> list[Mention]:
        """The items a recorded webhook event carries (may call the network for what the
        delivery leaves out)."""
        return []

    # ------------------------------------------------------------------ replying
    def reply_window_closes_at(self, request: ReplyRequest) -> datetime | None:
        """When a direct message in answer to ``request.last_inbound_at`` stops being allowed
        (None: no window, or nothing to count from)."""
        window = self.capabilities.dm_reply_window_s
        if request.kind != "dm" or window is None or request.last_inbound_at is None:
            return None
        return request.last_inbound_at + timedelta(seconds=window)

    def validate_reply(self, request: ReplyRequest, now: datetime) -> list[Problem]:
        """Every problem with ``request`` at once, checked before sending (empty: sendable).
        The default checks support, emptiness, length and the messaging window."""
        caps = self.capabilities
        problems: list[Problem] = []
        if request.kind == "dm" and not caps.supports_direct_messages:
            return [Problem("kind", "unsupported", f"{self.display_name} does not send direct messages.")]
        if request.kind != "dm" and not caps.supports_replies:
            return [Problem("kind", "unsupported", f"{self.display_name} does not send replies.")]
        if not request.text.strip() and not request.media:
            problems.append(Problem("text", "empty", "A reply needs text."))
        limit = (caps.max_dm_length if request.kind == "dm" else caps.max_reply_length) or caps.max_text_length
        length = self.text_length(request.text)
        if length > limit:
            problems.append(Problem("text", "too_long", f"{self.display_name} allows {limit} characters "
                                    f"in a {'direct message' if request.kind == 'dm' else 'reply'}; "
                                    f"this text has {length}."))
        closes = self.reply_window_closes_at(request)
        if closes is not None and not request.private and now >= closes:
            problems.append(Problem("kind", "window_closed", f"{self.display_name} allows a direct message "
                                    f"only until {closes.isoformat()} (24 hours after the person's last "
                                    "message); wait for them to write again."))
        return problems

    def send_reply(self, account: ConnectedAccount, request: ReplyRequest) -> ReplyResult:
        """Send the answer, once. Raise from :mod:`herald.networks.errors` exactly as
        :meth:`publish` does (:class:`UncertainOutcome` when it may have been sent)."""
        raise NotSupported(f"{self.display_name}: replying is not supported")

    def find_reply(self, account: ConnectedAccount, request: ReplyRequest,
                   not_before: datetime) -> ReplyResult | None:
        """After an uncertain outcome: the answer an earlier attempt of ``request`` sent (at or
        after ``not_before``), or None if it certainly was not sent. Raise
        :class:`UncertainOutcome` if the network cannot tell."""
        raise NotSupported(f"{self.display_name}: looking replies up is not supported")

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
