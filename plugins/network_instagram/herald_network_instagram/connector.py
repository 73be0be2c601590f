"""The Instagram connector: composing rules, publishing, look-ups, comments, insights, tokens;
direct messages, replies and webhook items are delegated to modules of their own."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

import httpx

from herald.plugins import (
    AuthExpired,
    AuthRevoked,
    Capabilities,
    CompiledQuery,
    ConnectedAccount,
    Mention,
    MentionPage,
    NetworkConnector,
    NetworkError,
    OutboundRefused,
    PermanentError,
    Problem,
    PublishRequest,
    PublishResult,
    QueryNode,
    RateLimited,
    RemoteProfile,
    ReplyRequest,
    ReplyResult,
    SearchPage,
    TokenSet,
    TransientError,
    UncertainOutcome,
    VariantDraft,
    outbound_http_client,
)
from herald_network_instagram import listening, messaging, replies, webhook_items
from herald_network_instagram.engagement_items import comment_item, tagged_media_item
from herald_network_instagram.error_map import MAX_REGAIN_MINUTES, to_herald
from herald_network_instagram.graph import GraphClient, GraphError, Usage
from herald_network_instagram.payload_values import as_int as _as_int
from herald_network_instagram.payload_values import aware as _aware
from herald_network_instagram.payload_values import parse_time as _parse_time
from herald_network_instagram.payload_values import path_id
from herald_network_instagram.publishing import CONTAINER_HINT, Publisher, limit_error, quota_reset
from herald_network_instagram.read_budget import budget_from_usage
from herald_network_instagram.replies import DM_MAX_BYTES, private_window_closes_at, reply_problems
from herald_network_instagram.settings import DEFAULT_DIALOGS, DEFAULT_SCOPES, defaults

MAX_HASHTAGS = 30
MAX_MENTIONS = 20
HASHTAG_RE = re.compile(r"(?<!\w)#\w+")
MENTION_RE = re.compile(r"(?<![\w@])@[\w.]+")
VERSION_RE = re.compile(r"/v\d+\.\d+$")
_GRAPH_ID_RE = re.compile(r"^\d{1,30}$")
COMMENT_FIELDS = "id,text,timestamp,username,from,like_count,parent_id,hidden"
#: look-ups after an uncertain outcome accept posts this much older than ``not_before``, for
#: clock skew between Herald and Meta.
CLOCK_SKEW = timedelta(minutes=2)
MAX_PAGES = 20
MAX_TOKEN_LIFETIME_S = 400 * 86400
IMAGE_TYPES = ("image/jpeg", "image/jpg")
VIDEO_TYPES = ("video/mp4", "video/quicktime")
MIN_ASPECT, MAX_ASPECT = 4 / 5 - 0.005, 1.91 + 0.005  # Meta rounds; allow for it
MIN_REEL_S, MAX_REEL_S = 3, 15 * 60
#: a usage figure at or above this (percent of the allowance) means the account is at its limit
USAGE_LIMIT_PERCENT = 100.0


class InstagramConnector(NetworkConnector):
    """Instagram (Graph API) for one tenant. Instantiated per use with the tenant's settings;
    ``sleep`` and ``now`` may be replaced (tests, engines with their own clock)."""

    key = "instagram"
    display_name = "Instagram"
    capabilities = Capabilities(
        max_text_length=2200, media_kinds=("image", "video"), min_media=1, max_media=10,
        supports_metrics=True, supports_mentions=True, supports_lookup=True, supports_delete=False,
        supports_direct_messages=True, supports_replies=True,
        # counted in UTF-8 bytes, not characters: see validate_reply
        max_dm_length=DM_MAX_BYTES,
        dm_reply_window_s=24 * 3600,
        # Meta meters calls as a share of an allowance every account of the app draws on, and
        # one poll costs a call per post, comment page, conversation and new message; webhooks
        # deliver in real time, so polling is the safety net and need not be frequent
        min_poll_interval_s=120,
        # hashtag search (listening): 30 unique hashtags per account per rolling 7 days
        supports_listening=True, listening_terms_budget=30, listening_terms_window_s=7 * 86400,
    )
    webhook_event_prefix: ClassVar[str | None] = "instagram."
    sleep: ClassVar[Callable[[float], None]] = staticmethod(time.sleep)  # type: ignore[assignment]

    def __init__(self, tenant_id: str, settings: Any) -> None:
        super().__init__(tenant_id, settings)
        self.conf: dict[str, Any] = {**defaults(), **{k: v for k, v in dict(settings).items() if v is not None}}
        self.graph = GraphClient(self.conf["api_base_url"], float(self.conf["request_timeout_s"]))

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    @property
    def last_usage(self) -> Usage | None:
        """The rate-limit usage Meta reported on the latest answer (``near_limit()`` tells an
        engine to slow down)."""
        return self.graph.last_usage

    def _fail(self, err: GraphError, uncertain: bool = False) -> NetworkError:
        mapped = to_herald(err, now=self.now(), throttle_fallback_s=float(self.conf["throttle_fallback_wait_s"]),
                           quota_fallback_s=float(self.conf["quota_fallback_wait_s"]), uncertain=uncertain)
        mapped.usage = err.usage  # type: ignore[attr-defined]  # for engines that pace on it
        return mapped

    def _call(self, method: str, path: str, token: str | None, params: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            return self.graph.request(method, path, token, params)
        except GraphError as err:
            raise self._fail(err) from err

    @staticmethod
    def _token(account: ConnectedAccount) -> str:
        if account.tokens is None or not account.tokens.access_token:
            raise AuthExpired("The Instagram account has no access token; reconnect it.", code="no_token")
        return account.tokens.access_token

    # ------------------------------------------------------------------ composing
    def validate(self, draft: VariantDraft) -> list[Problem]:
        problems = super().validate(draft)
        tags = len(HASHTAG_RE.findall(draft.text))
        if tags > MAX_HASHTAGS:
            problems.append(Problem("text", "too_many_hashtags",
                                    f"Instagram allows {MAX_HASHTAGS} hashtags per caption; this one has {tags}."))
        mentions = len(MENTION_RE.findall(draft.text))
        if mentions > MAX_MENTIONS:
            problems.append(Problem("text", "too_many_mentions",
                                    f"Instagram allows {MAX_MENTIONS} @mentions per caption; this one has {mentions}."))
        for i, item in enumerate(draft.media):
            problems.extend(_media_problems(f"media[{i}]", item))
        return problems

    # ------------------------------------------------------------------ publishing
    def publish(self, account: ConnectedAccount, request: PublishRequest) -> PublishResult:
        """Quota check, containers (children first for a carousel), status checks until
        FINISHED, then media_publish. A timeout or 5xx on media_publish raises
        :class:`UncertainOutcome` hinting ``instagram_container_id``. A success that leaves the
        account at its limit (a usage header at 100 %, or the rolling publishing quota used up
        by this post) carries ``pause_until``."""
        token = self._token(account)
        publisher = Publisher(self.graph, account.remote_id, token,
                              poll_interval=float(self.conf["container_poll_interval_s"]),
                              poll_limit=int(self.conf["container_poll_limit"]),
                              sleep=self.sleep, fail=self._fail)
        children, parent = publisher.plan(request)
        self.graph.forget_thread_usage()  # only this publication's answers count for its pause
        quota = self.check_quota(account)
        try:
            container = publisher.build(children, parent)
            media_id = publisher.publish(container, lambda: publisher.build(children, parent))
        except RateLimited as exc:
            if (exc.code and "2207042" in exc.code) or exc.code == "9":
                raise self._quota_error(account, token, exc.message) from exc
            raise
        url = self._permalink(media_id, token)
        return PublishResult(remote_id=media_id, url=url, pause_until=self._pause_after(account, token, quota))

    def _pause_after(self, account: ConnectedAccount, token: str,
                     quota: tuple[int, int, int] | None) -> datetime | None:
        """When Meta's signals say the account is at its limit after this post: the usage
        headers' regain time (else the throttle fallback), or when the rolling quota this post
        used up frees a slot; the later of the two."""
        now = self.now()
        pauses: list[datetime] = []
        usage = self.graph.thread_usage()
        if usage is not None and usage.highest_percent >= USAGE_LIMIT_PERCENT:
            wait = (timedelta(minutes=min(usage.regain_minutes, MAX_REGAIN_MINUTES)) if usage.regain_minutes > 0
                    else timedelta(seconds=float(self.conf["throttle_fallback_wait_s"])))
            pauses.append(now + wait)
        if quota is not None:
            used, total, duration = quota
            if used + 1 >= total:  # this post took the last slot (a carousel counts once)
                pauses.append(self._quota_reset(account, token, used + 1, total, duration))
        until = max(pauses) if pauses else None
        return until if until is not None and until > now else None

    def check_quota(self, account: ConnectedAccount) -> tuple[int, int, int] | None:
        """Raise :class:`RateLimited` when the account's rolling publishing quota is used up
        (the smaller of Meta's ``quota_total`` and the tenant's setting counts); else (posts
        used, posts allowed, window in seconds), or None when Meta did not say."""
        token = self._token(account)
        body = self._call("GET", f"{account.remote_id}/content_publishing_limit", token,
                          {"fields": "quota_usage,config"})
        data = body.get("data")
        entry = data[0] if isinstance(data, list) and data else data if isinstance(data, dict) else {}
        if not isinstance(entry, dict):
            return None
        used = _as_int(entry.get("quota_usage"))
        config = entry.get("config") if isinstance(entry.get("config"), dict) else {}
        total = int(self.conf["publishing_quota_per_day"])
        if _as_int(config.get("quota_total")):
            total = min(total, _as_int(config["quota_total"]))
        duration = _as_int(config.get("quota_duration")) or 86400
        if used is not None and used >= total:
            raise self._quota_error(account, token, f"The account has published {used} of {total} posts "
                                    f"allowed per {duration // 3600} h.", used=used, total=total, duration=duration)
        return None if used is None else (used, total, duration)

    def _quota_error(self, account: ConnectedAccount, token: str, message: str, *, used: int = 0,
                     total: int = 0, duration: int = 86400) -> RateLimited:
        return limit_error(message, self._quota_reset(account, token, used, total, duration), "9/2207042")

    def _quota_reset(self, account: ConnectedAccount, token: str, used: int, total: int, duration: int) -> datetime:
        """When the used-up rolling quota frees a slot, from the account's recent posts' dates."""
        stamps: list[datetime] = []
        with contextlib.suppress(NetworkError):  # without the dates, the fallback wait applies
            stamps = [ts for item in self._recent_media(account.remote_id, token, "id,timestamp")
                      if (ts := _parse_time(item.get("timestamp")))]
        return quota_reset(stamps, self.now(), duration, used, total, float(self.conf["quota_fallback_wait_s"]))

    def _permalink(self, media_id: str, token: str) -> str | None:
        try:
            body = self.graph.get(media_id, token, {"fields": "id,permalink"})
        except GraphError:
            return None  # the post is out; its link is a nicety
        link = body.get("permalink")
        return str(link) if link else None

    def find_published(self, account: ConnectedAccount, request: PublishRequest,
                       not_before: datetime) -> PublishResult | None:
        """The container's status tells whether the post went out (``PUBLISHED``); the container
        id comes from ``request.lookup_hints["instagram_container_id"]`` (hinted by the uncertain
        attempt; ``request.options`` is still read for callers that put it there). Without it,
        or to learn the media id, the account's recent media are searched for the exact caption,
        published at or after ``not_before``."""
        token = self._token(account)
        container_id = request.lookup_hints.get(CONTAINER_HINT) or request.options.get(CONTAINER_HINT)
        if container_id is not None and not _GRAPH_ID_RE.fullmatch(str(container_id)):
            raise PermanentError("instagram_container_id must be the numeric id Instagram gave the container.",
                                 code="bad_container_id")
        if container_id:
            body = self._call("GET", str(container_id), token, {"fields": "status_code,status"})
            status = str(body.get("status_code") or "").upper()
            if status != "PUBLISHED":
                return None  # a container that was not published never will be by itself
            found = self._by_caption(account, token, request.text, not_before)
            if found is None:
                raise UncertainOutcome("Instagram says the post was published but it is not among the "
                                       "account's recent media yet.", code="published_not_found")
            return found
        if (request.options.get("instagram") or {}).get("media_type") == "STORIES":
            raise UncertainOutcome("A story has no caption to recognise it by; without its container id "
                                   "Instagram cannot tell whether it went out.", code="story_unknown")
        return self._by_caption(account, token, request.text, not_before)

    def _by_caption(self, account: ConnectedAccount, token: str, caption: str,
                    not_before: datetime) -> PublishResult | None:
        if not caption.strip():
            raise UncertainOutcome("A post without a caption cannot be recognised among the account's media.",
                                   code="no_caption")
        earliest = _aware(not_before) - CLOCK_SKEW
        for item in self._recent_media(account.remote_id, token, "id,caption,timestamp,permalink"):
            ts = _parse_time(item.get("timestamp"))
            if ts is not None and ts < earliest:
                return None  # newest first: everything further is older
            if (item.get("caption") or "") == caption and item.get("id"):
                return PublishResult(remote_id=str(item["id"]), url=item.get("permalink"))
        return None

    def _recent_media(self, user_id: str, token: str, fields: str) -> Iterator[dict[str, Any]]:
        limit = int(self.conf["recent_media_limit"])
        items = self._paged(f"{user_id}/media", token, {"fields": fields, "limit": limit}, max_pages=3)
        for seen, item in enumerate(items, start=1):
            yield item
            if seen >= limit * 3:
                return

    def _paged(self, path: str, token: str, params: dict[str, Any], max_pages: int = MAX_PAGES
               ) -> Iterator[dict[str, Any]]:
        """Items of a list endpoint, page after page: the ``after`` cursor on our own host, or
        ``paging.next`` when it points at our own host; the last page has no ``next``."""
        body = self._call("GET", path, token, params)
        for _ in range(max_pages):
            for item in body.get("data") if isinstance(body.get("data"), list) else []:
                if isinstance(item, dict):
                    yield item
            paging = body.get("paging") if isinstance(body.get("paging"), dict) else {}
            nxt = paging.get("next")
            if not nxt:
                return
            after = (paging.get("cursors") or {}).get("after") if isinstance(paging.get("cursors"), dict) else None
            if after:
                body = self._call("GET", path, token, {**params, "after": after})
            elif isinstance(nxt, str) and self.graph.same_origin(nxt):
                body = self._call("GET", nxt, token)
            else:
                return

    # ------------------------------------------------------------------ reading
    def fetch_metrics(self, account: ConnectedAccount, remote_ids: list[str]) -> dict[str, dict[str, int]]:
        """Insights per media id (``insight_metrics``). A post Meta has no insights for (too
        old, or from before the account became professional) is left out."""
        token = self._token(account)
        out: dict[str, dict[str, int]] = {}
        for media_id in remote_ids:
            try:
                body = self.graph.get(f"{media_id}/insights", token, {"metric": self.conf["insight_metrics"]})
            except GraphError as err:
                mapped = self._fail(err)
                if isinstance(mapped, PermanentError) and not hasattr(mapped, "needs_attention"):
                    continue
                raise mapped from err
            figures: dict[str, int] = {}
            for metric in body.get("data") or []:
                if isinstance(metric, dict) and metric.get("name"):
                    value = _metric_value(metric)
                    if value is not None:
                        figures[str(metric["name"])] = value
            out[media_id] = figures
        return out

    def fetch_mentions(self, account: ConnectedAccount, since: str | None) -> MentionPage:
        """Comments on the account's recent media (``kind="comment"``) and media it is tagged in
        (``kind="mention"``), newer than ``since`` (an ISO timestamp cursor: the newest item seen
        last time); identities as :mod:`~herald_network_instagram.engagement_items` describes.
        The page's ``budget`` comes from the usage headers of the last answer
        (:mod:`~herald_network_instagram.read_budget`)."""
        token = self._token(account)
        after = _parse_time(since) if since else None
        self.graph.forget_thread_usage()  # the budget is this poll's own latest answer
        items: list[Mention] = []
        for media in self._recent_media(account.remote_id, token, "id,timestamp,permalink"):
            media_id = path_id(media.get("id"))
            if media_id is None:
                continue
            link = media.get("permalink") if isinstance(media.get("permalink"), str) else None
            for c in self._paged(f"{media_id}/comments", token, {"fields": COMMENT_FIELDS}):
                item = comment_item(account, c, media_id, url=link)
                if item is not None:
                    items.append(item)
        for tag in self._paged(f"{account.remote_id}/tags", token,
                               {"fields": "id,caption,timestamp,username,permalink,media_type"}):
            item = tagged_media_item(tag)
            if item is not None:
                items.append(item)
        if after is not None:
            items = [m for m in items if m.created_at is not None and m.created_at > after]
        stamps = [m.created_at for m in items if m.created_at is not None]
        items.sort(key=lambda m: m.created_at or datetime.min.replace(tzinfo=UTC))
        return MentionPage(items=items, cursor=max(stamps).isoformat() if stamps else None,
                           budget=budget_from_usage(self.graph.thread_usage(), self.now()))

    def reply_to_comment(self, account: ConnectedAccount, comment_id: str, message: str) -> str:
        """Reply to a top-level comment (Instagram refuses replies to replies and to hidden
        comments); the reply's id."""
        if not message.strip():
            raise PermanentError("A reply needs text.", code="empty_reply")
        if not _GRAPH_ID_RE.fullmatch(comment_id):
            raise PermanentError("A comment is named by its numeric id.", code="bad_comment_id")
        body = self._call("POST", f"{comment_id}/replies", self._token(account), {"message": message})
        reply_id = str(body.get("id") or "")
        if not reply_id:
            raise TransientError("Instagram did not return the reply's id.", code="no_reply_id")
        return reply_id

    def read_mention(self, account: ConnectedAccount, media_id: str, comment_id: str | None = None) -> Mention:
        """The media (or the comment on it) in which the account was @mentioned, as a webhook
        ``mentions`` change names it; Meta gives no author for these. The item's identity is
        the requested id (the comment's, else the media's), ``thread_id``/``root_id`` the media's,
        so that it matches what a poll of ``/tags`` returns for the same media."""
        token = self._token(account)
        if not _GRAPH_ID_RE.fullmatch(media_id) or (comment_id is not None and not _GRAPH_ID_RE.fullmatch(comment_id)):
            raise PermanentError("A mention is named by numeric ids.", code="bad_mention_id")
        if comment_id:
            fields = f"mentioned_comment.comment_id({comment_id}){{id,text,timestamp}}"
            body = self._call("GET", account.remote_id, token, {"fields": fields})
            item = body.get("mentioned_comment") if isinstance(body.get("mentioned_comment"), dict) else {}
            return Mention(remote_id=comment_id, text=str(item.get("text") or ""),
                           author_id="", author_handle="", created_at=_parse_time(item.get("timestamp")),
                           in_reply_to=media_id, kind="mention", raw=item, thread_id=media_id, root_id=media_id)
        fields = f"mentioned_media.media_id({media_id}){{id,caption,media_type,timestamp}}"
        body = self._call("GET", account.remote_id, token, {"fields": fields})
        item = body.get("mentioned_media") if isinstance(body.get("mentioned_media"), dict) else {}
        return Mention(remote_id=media_id, text=str(item.get("caption") or ""),
                       author_id="", author_handle="", created_at=_parse_time(item.get("timestamp")),
                       kind="mention", raw=item, thread_id=media_id, root_id=media_id)

    def reply_to_mention(self, account: ConnectedAccount, media_id: str, message: str,
                         comment_id: str | None = None) -> str:
        """Comment on media (or a comment) that @mentioned the account; the new comment's id."""
        if not message.strip():
            raise PermanentError("A reply needs text.", code="empty_reply")
        params = {"media_id": media_id, "message": message, "comment_id": comment_id}
        body = self._call("POST", f"{account.remote_id}/mentions", self._token(account), params)
        reply_id = str(body.get("id") or "")
        if not reply_id:
            raise TransientError("Instagram did not return the reply's id.", code="no_reply_id")
        return reply_id

    def compile_listening_query(self, query: QueryNode) -> CompiledQuery:
        """The query as hashtag search (:mod:`~herald_network_instagram.listening`)."""
        return listening.compile_query(query)

    def search_recent(self, account: ConnectedAccount, compiled: CompiledQuery, cursor: str | None) -> SearchPage:
        """Recent media of the compiled query's hashtags, newer than the cursor's."""
        return listening.search_recent(self, account, compiled, cursor)

    def fetch_direct_messages(self, account: ConnectedAccount, since: str | None) -> MentionPage:
        """Direct messages in both directions (:mod:`~herald_network_instagram.messaging`)."""
        return messaging.fetch_direct_messages(self, account, since)

    # ------------------------------------------------------------------ webhooks
    def webhook_account(self, event_type: str, data: dict[str, Any]) -> str | None:
        return webhook_items.webhook_account(event_type, data)

    def items_from_webhook(self, account: ConnectedAccount, event_type: str,
                           data: dict[str, Any]) -> list[Mention]:
        return webhook_items.items_from_webhook(self, account, event_type, data)

    # ------------------------------------------------------------------ replying
    def reply_window_closes_at(self, request: ReplyRequest) -> datetime | None:
        """The 24-hour messaging window for a direct message; 7 days after the comment for a
        private reply (``last_inbound_at`` is then the comment's time)."""
        if request.private:
            return private_window_closes_at(request)
        return super().reply_window_closes_at(request)

    def validate_reply(self, request: ReplyRequest, now: datetime) -> list[Problem]:
        """The generic checks, with direct messages counted in UTF-8 bytes (≤ 1,000), plus what
        each kind of answer needs (:mod:`~herald_network_instagram.replies`)."""
        return reply_problems(request, now, super().validate_reply(request, now))

    def send_reply(self, account: ConnectedAccount, request: ReplyRequest) -> ReplyResult:
        """See :mod:`~herald_network_instagram.replies`. Outside the 24-hour window (checked
        first, and Meta's own 10/2534022) raises ``MessagingWindowClosed``, a
        :class:`PermanentError`."""
        return replies.send_reply(self, account, request)

    def find_reply(self, account: ConnectedAccount, request: ReplyRequest,
                   not_before: datetime) -> ReplyResult | None:
        return replies.find_reply(self, account, request, not_before)

    # ------------------------------------------------------------------ connecting
    @property
    def _flavour(self) -> str:
        return str(self.conf["login"])

    def _token_base(self) -> str:
        """Instagram Login's token endpoints live at the host's root, without a version."""
        return VERSION_RE.sub("", self.graph.base_url)

    def authorize_url(self, state: str, redirect_uri: str, code_verifier: str) -> str:
        dialog = self.conf.get("authorize_url") or DEFAULT_DIALOGS[self._flavour]
        query = {"client_id": self.conf["app_id"], "redirect_uri": redirect_uri, "state": state,
                 "response_type": "code", "scope": self.conf.get("scopes") or DEFAULT_SCOPES[self._flavour]}
        return f"{dialog}{'&' if urlsplit(dialog).query else '?'}{urlencode(query)}"

    def exchange_code(self, code: str, redirect_uri: str, code_verifier: str) -> TokenSet:
        """The callback's code → a short-lived token → a long-lived (~60 days) one."""
        try:
            if self._flavour == "facebook":
                body = self.graph.get("oauth/access_token", None, {
                    "client_id": self.conf["app_id"], "client_secret": self.conf["app_secret"],
                    "redirect_uri": redirect_uri, "code": code})
            else:
                with outbound_http_client(what="the Instagram token URL", timeout=self.graph.timeout) as http:
                    resp = http.post(self.conf["instagram_token_url"], data={
                        "client_id": self.conf["app_id"], "client_secret": self.conf["app_secret"],
                        "grant_type": "authorization_code", "redirect_uri": redirect_uri, "code": code})
                body = resp.json() if resp.status_code == 200 else {}
                if isinstance(body, dict) and isinstance(body.get("data"), list) and body["data"]:
                    body = body["data"][0]  # the older answer shape wraps the token in a list
                if not isinstance(body, dict) or not body:
                    raise PermanentError(f"Instagram refused the authorization code (HTTP {resp.status_code}).",
                                         code="code_refused", status=resp.status_code)
        except GraphError as err:
            raise self._fail(err) from err
        except OutboundRefused as exc:
            raise PermanentError(exc.detail, code="outbound_refused") from exc
        except (httpx.HTTPError, ValueError) as exc:
            raise TransientError(f"Could not trade the code with Instagram: {type(exc).__name__}") from exc
        short = str(body.get("access_token") or "")
        if not short:
            raise PermanentError("Instagram answered the code exchange without a token.", code="no_token")
        return self.exchange_long_lived(short)

    def exchange_long_lived(self, short_token: str) -> TokenSet:
        """A short-lived user token → a long-lived one (fb_exchange_token / ig_exchange_token)."""
        return self._token_call(short_token, revoked_is_final=False)

    def refresh(self, tokens: TokenSet) -> TokenSet:
        """A fresh long-lived token. Meta's 190 means the grant is gone (:class:`AuthRevoked`);
        anything else is :class:`TransientError`. An answer without a token is never taken."""
        if not tokens.access_token:
            raise AuthRevoked("There is no Instagram token to refresh; reconnect the account.", code="no_token")
        return self._token_call(tokens.access_token, revoked_is_final=True, refreshing=True)

    def _token_call(self, token: str, *, revoked_is_final: bool, refreshing: bool = False) -> TokenSet:
        if self._flavour == "facebook":
            path, params = f"{self.graph.base_url}/oauth/access_token", {
                "grant_type": "fb_exchange_token", "client_id": self.conf["app_id"],
                "client_secret": self.conf["app_secret"], "fb_exchange_token": token}
            send_token = None
        elif refreshing:
            path, params, send_token = f"{self._token_base()}/refresh_access_token", {
                "grant_type": "ig_refresh_token"}, token
        else:
            path, params, send_token = f"{self._token_base()}/access_token", {
                "grant_type": "ig_exchange_token", "client_secret": self.conf["app_secret"]}, token
        try:
            body = self.graph.get(path, send_token, params)
        except GraphError as err:
            if err.code == 190:
                if revoked_is_final:
                    raise AuthRevoked(f"Instagram no longer accepts this account's token: {err.message}",
                                      code=err.label, status=err.status) from err
                raise PermanentError(err.message, code=err.label, status=err.status) from err
            raise TransientError(f"Instagram could not issue a token now: {err.message}",
                                 code=err.label, status=err.status,
                                 retry_after=err.usage.regain_minutes * 60 if err.usage and err.usage.regain_minutes
                                 else None) from err
        access = body.get("access_token")
        if not isinstance(access, str) or not access.strip():
            raise TransientError("Instagram answered without a new token.", code="empty_token")
        expires_in = _as_int(body.get("expires_in"))
        expires_at = (self.now() + timedelta(seconds=expires_in)
                      if expires_in and 0 < expires_in <= MAX_TOKEN_LIFETIME_S else None)
        return TokenSet(access_token=access, refresh_token=None, expires_at=expires_at,
                        extra={"token_type": body.get("token_type") or "bearer", "login": self._flavour})

    def profile(self, tokens: TokenSet) -> RemoteProfile:
        """Instagram Login: ``/me``. Facebook Login: the Instagram professional account linked
        to the first of the person's Pages that has one."""
        token = tokens.access_token
        if self._flavour == "instagram":
            body = self._call("GET", "me", token, {"fields": "user_id,username,name"})
            remote = str(body.get("user_id") or body.get("id") or "")
            if not remote:
                raise PermanentError("Instagram did not say whose token this is.", code="no_profile")
            return RemoteProfile(remote, str(body.get("username") or ""), str(body.get("name") or ""))
        body = self._call("GET", "me/accounts", token, {"fields": "instagram_business_account{id,username,name}"})
        for page in body.get("data") or []:
            ig = page.get("instagram_business_account") if isinstance(page, dict) else None
            if isinstance(ig, dict) and ig.get("id"):
                return RemoteProfile(str(ig["id"]), str(ig.get("username") or ""), str(ig.get("name") or ""))
        raise PermanentError("None of this person's Facebook Pages is linked to an Instagram professional "
                             "account.", code="no_instagram_account")


def _media_problems(where: str, item: dict[str, Any]) -> list[Problem]:
    """Instagram's media rules, checked on what the draft knows (type, size, length); facts the
    draft does not carry are left to Meta."""
    problems = []
    mime = str(item.get("mime_type") or "").lower()
    kind = item.get("kind")
    if kind == "image" and mime and mime not in IMAGE_TYPES:
        problems.append(Problem(where, "unsupported_format", "Instagram publishes JPEG images only."))
    if kind == "video" and mime and mime not in VIDEO_TYPES:
        problems.append(Problem(where, "unsupported_format", "Instagram publishes MP4 or MOV videos only."))
    width, height = _as_number(item.get("width")), _as_number(item.get("height"))
    if kind == "image" and width and height and not MIN_ASPECT <= width / height <= MAX_ASPECT:
        problems.append(Problem(where, "aspect_ratio", "Instagram images must be between 4:5 (portrait) and "
                                f"1.91:1 (landscape); this one is {width / height:.2f}:1."))
    duration = _as_number(item.get("duration_s"))
    if kind == "video" and duration is not None and not MIN_REEL_S <= duration <= MAX_REEL_S:
        problems.append(Problem(where, "duration", "Instagram reels last from 3 seconds to 15 minutes."))
    return problems


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _metric_value(metric: dict[str, Any]) -> int | None:
    total = metric.get("total_value")
    if isinstance(total, dict) and _as_int(total.get("value")) is not None:
        return _as_int(total["value"])
    values = metric.get("values")
    if isinstance(values, list) and values and isinstance(values[-1], dict):
        return _as_int(values[-1].get("value"))
    return None
