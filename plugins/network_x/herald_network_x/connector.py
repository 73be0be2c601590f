"""The X API v2 connector: connect (OAuth 2.0 + PKCE), publish (text, threads, replies, quotes,
media), reconcile after an uncertain outcome, delete, and read metrics, mentions and search.
Direct messages and replies are delegated to :mod:`~herald_network_x.messages` and
:mod:`~herald_network_x.replies`."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote

import httpx

from herald.plugins import (
    AuthRevoked,
    Capabilities,
    CompiledQuery,
    ConnectedAccount,
    MediaFile,
    MentionPage,
    NetworkConnector,
    NetworkError,
    PermanentError,
    Problem,
    PublishRequest,
    PublishResult,
    QueryNode,
    RemoteProfile,
    ReplyRequest,
    ReplyResult,
    SearchPage,
    TokenSet,
    TransientError,
    UncertainOutcome,
    VariantDraft,
)
from herald_network_x import listening, messages, oauth, replies
from herald_network_x.grants import access_token as _token
from herald_network_x.http import XHttp, json_body
from herald_network_x.items import TWEET_FIELDS, USER_FIELDS, post_item, refers, users_by_id
from herald_network_x.media import MediaUploader
from herald_network_x.payload import NUMERIC_ID_RE, as_dict, aware, created_of, data_of, dict_items
from herald_network_x.ratelimit import RateLimitStatus
from herald_network_x.read_budget import read_budget
from herald_network_x.replies import DM_MAX_CHARS
from herald_network_x.settings import XSettings
from herald_network_x.text import same_text, weighted_length

METRICS = ("retweet_count", "reply_count", "like_count", "quote_count", "impression_count")
#: How far back X's recent search reaches.
SEARCH_WINDOW = timedelta(days=7)
#: X accepts at most 100 ids per lookup.
LOOKUP_BATCH = 100
#: The lookup hint naming the posts of a thread created before an attempt became uncertain.
THREAD_HINT = "x_thread_ids"
#: Scopes added to the ones asked for when direct messages are turned on.
DM_SCOPES = ("dm.read", "dm.write")


class XConnector(NetworkConnector):
    """X for one tenant. Each instance makes single attempts and keeps only
    :attr:`last_rate_limit` (the rate-limit headers of the last answer, for pacing the account)."""

    key = "x"
    display_name = "X"
    capabilities = Capabilities(
        max_text_length=280, media_kinds=("image", "video", "gif"), max_media=4,
        supports_threads=True, supports_first_comment=True, supports_delete=True, supports_metrics=True,
        supports_mentions=True, supports_search=True, supports_lookup=True,
        # direct messages need X's Pro tier: a tenant turns them on in its settings (see dms_enabled)
        supports_direct_messages=True, supports_replies=True,
        max_reply_length=280, max_dm_length=DM_MAX_CHARS, dm_reply_window_s=None,
        supports_listening=True,
    )
    #: The schema's defaults, loaded once: an instance may be given partial settings.
    _DEFAULTS: ClassVar[dict[str, Any] | None] = None

    def __init__(self, tenant_id: str, settings: Mapping[str, Any]) -> None:
        super().__init__(tenant_id, settings)
        self.last_rate_limit: RateLimitStatus | None = None
        #: Injectable so tests neither wait for video processing nor depend on the real clock.
        self.sleep: Callable[[float], None] = time.sleep
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)

    # ------------------------------------------------------------------ settings
    def _cfg(self, name: str) -> Any:
        if XConnector._DEFAULTS is None:
            # A partial load leaves defaults out, so read each field's declared default.
            XConnector._DEFAULTS = {name: f.load_default for name, f in XSettings().fields.items()
                                    if isinstance(f.load_default, str | int | float)}
        value = self.settings.get(name)
        return XConnector._DEFAULTS.get(name) if value is None else value

    def _url(self, name: str) -> str:
        return str(self._cfg(name)).rstrip("/")

    def _http(self, also: Callable[[RateLimitStatus], None] | None = None) -> XHttp:
        """``also`` receives this conversation's rate-limit headers too (the instance is shared
        by concurrent calls, so :attr:`last_rate_limit` may belong to another account)."""
        timeout = httpx.Timeout(float(self._cfg("timeout_seconds")),
                                connect=float(self._cfg("connect_timeout_seconds")))
        if also is None:
            return XHttp(timeout, self._remember_limits)

        def both(limits: RateLimitStatus) -> None:
            self._remember_limits(limits)
            also(limits)

        return XHttp(timeout, both)

    def _remember_limits(self, limits: RateLimitStatus) -> None:
        self.last_rate_limit = limits

    def dms_enabled(self) -> bool:
        """Whether this tenant reads and sends direct messages on X (its ``direct_messages``
        setting: X gives them to Pro and Enterprise apps only)."""
        return bool(self._cfg("direct_messages"))

    # ------------------------------------------------------------------ composing
    def text_length(self, text: str) -> int:
        return weighted_length(text)

    def validate(self, draft: VariantDraft) -> list[Problem]:
        problems = super().validate(draft)
        kinds = [m.get("kind") for m in draft.media]
        moving = [k for k in kinds if k in ("video", "gif")]
        if moving and len(kinds) > 1:
            problems.append(Problem("media", "video_alone",
                                    "X accepts either up to 4 images or a single video or GIF, not both."))
        return problems

    # ------------------------------------------------------------------ connecting
    def _scope(self) -> str:
        scope = str(self._cfg("scopes")).split()
        if self._cfg("media_upload_style") != "v1.1" and "media.write" not in scope:
            scope.append("media.write")
        if self.dms_enabled():
            scope.extend(s for s in DM_SCOPES if s not in scope)
        return " ".join(scope)

    def authorize_url(self, state: str, redirect_uri: str, code_verifier: str) -> str:
        return oauth.authorize_url(self._url("authorize_url"), client_id=self._cfg("client_id"),
                                   redirect_uri=redirect_uri, scope=self._scope(), state=state,
                                   code_verifier=code_verifier)

    def exchange_code(self, code: str, redirect_uri: str, code_verifier: str) -> TokenSet:
        return self._token_call({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                                 "code_verifier": code_verifier}, refreshing=False)

    def refresh(self, tokens: TokenSet) -> TokenSet:
        if not tokens.refresh_token:
            raise AuthRevoked("X gave no refresh token for this account; it needs reconnecting.",
                              code="no_refresh_token")
        return self._token_call({"grant_type": "refresh_token", "refresh_token": tokens.refresh_token},
                                refreshing=True)

    def _token_call(self, form: dict[str, str], *, refreshing: bool) -> TokenSet:
        form = {**form, "client_id": self._cfg("client_id")}
        secret = self.settings.get("client_secret")
        # Confidential clients authenticate with Basic auth; public clients send client_id alone.
        auth = (self._cfg("client_id"), secret) if secret else None
        with self._http() as http:
            response = http.send("POST", f"{self._url('api_base_url')}/2/oauth2/token", data=form, auth=auth)
        if response.status_code != 200:
            raise oauth.token_error(response, refreshing=refreshing)
        return oauth.token_set(json_body(response), self.now())

    def profile(self, tokens: TokenSet) -> RemoteProfile:
        with self._http() as http:
            r = http.call("GET", f"{self._url('api_base_url')}/2/users/me", token=tokens.access_token)
        data = data_of(json_body(r))
        if not data.get("id"):
            raise TransientError("X's answer about the account had no id.", code="bad_response")
        return RemoteProfile(remote_id=str(data["id"]), handle=str(data.get("username") or ""),
                             display_name=str(data.get("name") or ""))

    # ------------------------------------------------------------------ publishing
    def publish(self, account: ConnectedAccount, request: PublishRequest) -> PublishResult:
        token = _token(account)
        parts = _parts(request)
        seen: list[RateLimitStatus] = []
        with self._http(seen.append) as http:
            media_ids = self._upload_all(http, token, request)
            head = self._create(http, token, _post_body(request, parts[0], media_ids, request.reply_to,
                                                        request.quote_of))
            created = [head]
            for text in parts[1:]:
                try:
                    created.append(self._create(http, token, {"text": text,
                                                              "reply": {"in_reply_to_tweet_id": created[-1]}}))
                except NetworkError as exc:
                    # The head exists: repeating publish would post it twice, so whatever went
                    # wrong with a later part, the outcome is for the engine to reconcile; the
                    # lookup is told which parts exist.
                    raise UncertainOutcome(
                        f"Published {len(created)} of {len(parts)} parts ({', '.join(created)}); "
                        f"part {len(created) + 1} failed: {exc.message}", code="partial_thread",
                        hints={THREAD_HINT: list(created)}) from exc
        return PublishResult(remote_id=head, url=self._post_url(account, head), extra_ids=created[1:],
                             pause_until=self._pause_after(seen))

    def _pause_after(self, seen: list[RateLimitStatus]) -> datetime | None:
        """When the last answer of a publish says a window or a daily limit is used up: its
        reset, so the engine holds the account instead of earning a 429."""
        until = seen[-1].spent_until() if seen else None
        return until if until is not None and until > self.now() else None

    def _upload_all(self, http: XHttp, token: str, request: PublishRequest) -> list[str]:
        return self._upload_files(http, token, request.media)

    def _upload_files(self, http: XHttp, token: str, media: list[MediaFile]) -> list[str]:
        """X's media ids of ``media``, uploaded in order (nothing is posted yet)."""
        if not media:
            return []
        uploader = MediaUploader(
            http, token, style=self._cfg("media_upload_style"), api_base=self._url("api_base_url"),
            upload_base=self._url("upload_base_url"), chunk_bytes=int(self._cfg("media_chunk_bytes")),
            processing_timeout=float(self._cfg("media_processing_timeout_seconds")), sleep=self.sleep)
        return [uploader.upload(m) for m in media]

    def _create(self, http: XHttp, token: str, body: dict[str, Any]) -> str:
        r = http.call("POST", f"{self._url('api_base_url')}/2/tweets", token=token, json=body, creates=True)
        post_id = data_of(json_body(r)).get("id")
        if not post_id:
            location = r.headers.get("location", "")
            post_id = location.rstrip("/").rsplit("/", 1)[-1] if "/2/tweets/" in location else None
        if not post_id:
            raise UncertainOutcome("X accepted the post but its answer had no id.", code="bad_response",
                                   status=r.status_code)
        return str(post_id)

    def _post_url(self, account: ConnectedAccount, post_id: str) -> str:
        who = account.handle or "i/web"
        return f"{self._url('web_base_url')}/{who}/status/{post_id}"

    # ------------------------------------------------------------------ reconciling
    def find_published(self, account: ConnectedAccount, request: PublishRequest,
                       not_before: datetime) -> PublishResult | None:
        """Looks through the account's own recent posts (recent search ``from:<account>``) for
        the exact text of ``request``, posted at or after ``not_before`` (and replying to or
        quoting the same post), then follows the thread parts reply by reply. None only when the
        search covers the attempt and the post is not there; the search index lags behind, so a
        lookup too soon after the attempt raises :class:`UncertainOutcome`."""
        token = _token(account)
        parts = _parts(request)
        since = aware(not_before)
        hinted = _thread_hint(request)
        if hinted:
            return self._find_hinted_thread(account, token, parts, hinted, since)
        self._check_search_window(since)
        with self._http() as http:
            posts, complete = self._own_posts_since(http, token, account, since)
        head = next((p for p in posts if same_text(parts[0], _text(p))
                     and refers(p, "replied_to", request.reply_to) and refers(p, "quoted", request.quote_of)), None)
        if head is None:
            self._check_search_settled(since, complete)
            return None
        found = [str(head["id"])]
        for text in parts[1:]:
            reply = next((p for p in posts if same_text(text, _text(p))
                          and refers(p, "replied_to", found[-1])), None)
            if reply is None:
                # Named as hints: the next lookup reads these posts by id instead of searching.
                raise UncertainOutcome(
                    f"X shows {len(found)} of {len(parts)} parts of this thread ({', '.join(found)}); "
                    f"part {len(found) + 1} is missing.", code="partial_thread", hints={THREAD_HINT: found})
            found.append(str(reply["id"]))
        return PublishResult(remote_id=found[0], url=self._post_url(account, found[0]), extra_ids=found[1:])

    def _check_search_window(self, since: datetime) -> None:
        """Recent search reaches back 7 days: an older attempt cannot be ruled out."""
        if self.now() - since > SEARCH_WINDOW:
            raise UncertainOutcome("The attempt is older than X's recent search reaches.", code="beyond_search")

    def _check_search_settled(self, since: datetime, complete: bool) -> None:
        """A search that did not find the post rules it out only once the index has caught up
        and the search reached back to the attempt."""
        lag = timedelta(seconds=float(self._cfg("search_index_lag_seconds")))
        if self.now() - since < lag:
            raise UncertainOutcome("X's search may not show the post yet; look again later.", code="search_lag")
        if not complete:
            raise UncertainOutcome("The account posted more since the attempt than one lookup reads.",
                                   code="too_many_posts")

    def _find_hinted_thread(self, account: ConnectedAccount, token: str, parts: list[str], hinted: list[str],
                            since: datetime) -> PublishResult:
        """An earlier attempt named the parts it created: read them by id (no search lag), then
        look for the parts after them among the account's recent posts (the part that failed
        may exist after all). Nothing is posted: a thread cut short is what exists on X, the
        head first, the rest as ``extra_ids``."""
        with self._http() as http:
            r = http.call("GET", f"{self._url('api_base_url')}/2/tweets", token=token,
                          params={"ids": ",".join(hinted[:LOOKUP_BATCH]), "tweet.fields": TWEET_FIELDS})
            existing = {str(p.get("id")) for p in dict_items(as_dict(json_body(r)).get("data"))}
            if hinted[0] not in existing:
                raise UncertainOutcome(f"X no longer shows post {hinted[0]}, the first part of this thread; "
                                       "check the account.", code="thread_head_missing")
            found: list[str] = []
            for post_id in hinted[:len(parts)]:
                if post_id not in existing:
                    break
                found.append(post_id)
            rest = parts[len(found):]
            if rest and self.now() - since <= SEARCH_WINDOW:
                lag = timedelta(seconds=float(self._cfg("search_index_lag_seconds")))
                if self.now() - since < lag:
                    raise UncertainOutcome("X's search may not show the rest of the thread yet; look again later.",
                                           code="search_lag", hints={THREAD_HINT: found})
                posts, _ = self._own_posts_since(http, token, account, since)
                for text in rest:
                    reply = next((p for p in posts if same_text(text, _text(p))
                                  and refers(p, "replied_to", found[-1])), None)
                    if reply is None:
                        break
                    found.append(str(reply["id"]))
        return PublishResult(remote_id=found[0], url=self._post_url(account, found[0]), extra_ids=found[1:])

    def _own_posts_since(self, http: XHttp, token: str, account: ConnectedAccount,
                         not_before: datetime) -> tuple[list[dict[str, Any]], bool]:
        """The account's posts since ``not_before`` (one second of slack for X's clock), and
        whether the search reached back that far within ``max_pages``."""
        who = account.handle or account.remote_id
        params: dict[str, Any] = {"query": f"from:{who}", "max_results": 100,
                                  "tweet.fields": TWEET_FIELDS}
        since = not_before - timedelta(seconds=1)
        posts: list[dict[str, Any]] = []
        for _ in range(int(self._cfg("max_pages"))):
            r = http.call("GET", f"{self._url('api_base_url')}/2/tweets/search/recent", token=token, params=params)
            body = as_dict(json_body(r))
            page = dict_items(body.get("data"))
            mine = [p for p in page if not p.get("author_id") or str(p["author_id"]) == account.remote_id]
            posts.extend(p for p in mine if (created_of(p) or since) >= since)
            older = [p for p in page if created_of(p) is not None and created_of(p) < since]  # type: ignore[operator]
            next_token = as_dict(body.get("meta")).get("next_token")
            if older or not next_token:
                return posts, True
            params["next_token"] = next_token
        return posts, False

    # ------------------------------------------------------------------ deleting
    def delete(self, account: ConnectedAccount, remote_id: str) -> None:
        url = f"{self._url('api_base_url')}/2/tweets/{quote(remote_id, safe='')}"
        with self._http() as http:
            try:
                r = http.call("DELETE", url, token=_token(account))
            except PermanentError as exc:
                if exc.status == 404:
                    return  # already gone: what deleting asks for
                raise
        if data_of(json_body(r)).get("deleted") is not True:
            raise TransientError("X did not confirm the deletion.", code="not_deleted", status=r.status_code)

    # ------------------------------------------------------------------ reading
    def fetch_metrics(self, account: ConnectedAccount, remote_ids: list[str]) -> dict[str, dict[str, int]]:
        """Public metrics per post; posts X no longer has (deleted, protected) are left out."""
        token = _token(account)
        out: dict[str, dict[str, int]] = {}
        ids = list(dict.fromkeys(remote_ids))
        with self._http() as http:
            for start in range(0, len(ids), LOOKUP_BATCH):
                batch = ids[start:start + LOOKUP_BATCH]
                r = http.call("GET", f"{self._url('api_base_url')}/2/tweets", token=token,
                              params={"ids": ",".join(batch), "tweet.fields": "public_metrics"})
                for post in dict_items(as_dict(json_body(r)).get("data")):
                    metrics = post.get("public_metrics")
                    if isinstance(metrics, dict) and post.get("id"):
                        out[str(post["id"])] = {k: int(metrics[k]) for k in METRICS
                                                if isinstance(metrics.get(k), int)}
        return out

    def fetch_mentions(self, account: ConnectedAccount, since: str | None) -> MentionPage:
        """Posts mentioning the account newer than the post id ``since``, with their
        conversation, the post they reply to and their author (:mod:`~herald_network_x.items`),
        and the budget X's rate-limit headers leave."""
        url = f"{self._url('api_base_url')}/2/users/{quote(account.remote_id, safe='')}/mentions"
        return self._list(account, url, since, page_param="pagination_token", max_results=100, kind="mention")

    def search(self, account: ConnectedAccount, query: str, since: str | None) -> MentionPage:
        """Recent posts (7 days) matching ``query`` newer than the post id ``since``."""
        url = f"{self._url('api_base_url')}/2/tweets/search/recent"
        return self._list(account, url, since, page_param="next_token", max_results=100, kind="search",
                          query=query)

    def _list(self, account: ConnectedAccount, url: str, since: str | None, *, page_param: str,
              max_results: int, kind: str, query: str | None = None) -> MentionPage:
        """Every page newer than ``since`` (newest first, as X gives them), up to ``max_pages``.
        The cursor is the newest id of the first page; None when nothing new came."""
        token = _token(account)
        params: dict[str, Any] = {"max_results": max_results, "tweet.fields": TWEET_FIELDS,
                                  "expansions": "author_id", "user.fields": USER_FIELDS}
        if query is not None:
            params["query"] = query
        if since:
            params["since_id"] = since
        items = []
        cursor: str | None = None
        seen: list[RateLimitStatus] = []
        calls = 0
        web = self._url("web_base_url")
        with self._http(seen.append) as http:
            for _ in range(int(self._cfg("max_pages"))):
                calls += 1
                body = as_dict(json_body(http.call("GET", url, token=token, params=params)))
                meta = as_dict(body.get("meta"))
                if cursor is None and meta.get("newest_id"):
                    cursor = str(meta["newest_id"])
                users = users_by_id(body.get("includes"))
                items.extend(m for p in dict_items(body.get("data"))
                             if (m := post_item(account, p, users, kind, web)) is not None)
                if not meta.get("next_token"):
                    break
                params[page_param] = meta["next_token"]
        if cursor is None and items:
            cursor = max((m.remote_id for m in items), key=lambda i: (len(i), i))
        return MentionPage(items=items, cursor=cursor, budget=read_budget(seen, now=self.now(), calls=calls))

    def compile_listening_query(self, query: QueryNode) -> CompiledQuery:
        """The query in X's recent-search operators (:mod:`~herald_network_x.listening`)."""
        return listening.compile_query(query)

    def search_recent(self, account: ConnectedAccount, compiled: CompiledQuery, cursor: str | None) -> SearchPage:
        """Recent search with the compiled query, newer than the post id ``cursor``."""
        return listening.search_recent(self, account, compiled, cursor)

    def fetch_direct_messages(self, account: ConnectedAccount, since: str | None) -> MentionPage:
        """Direct messages of every conversation, both directions (:mod:`~herald_network_x.messages`)."""
        return messages.fetch_direct_messages(self, account, since)

    # ------------------------------------------------------------------ replying
    def validate_reply(self, request: ReplyRequest, now: datetime) -> list[Problem]:
        """The generic checks with X's rules (:func:`~herald_network_x.replies.reply_problems`)."""
        return replies.reply_problems(self, request, super().validate_reply(request, now))

    def send_reply(self, account: ConnectedAccount, request: ReplyRequest) -> ReplyResult:
        """A public reply (``POST /2/tweets``) or a direct message, sent once
        (:mod:`~herald_network_x.replies`)."""
        return replies.send_reply(self, account, request)

    def find_reply(self, account: ConnectedAccount, request: ReplyRequest,
                   not_before: datetime) -> ReplyResult | None:
        """The reply an uncertain attempt sent, found by account, text, target and time."""
        return replies.find_reply(self, account, request, not_before)


# ---------------------------------------------------------------------- helpers
def _thread_hint(request: PublishRequest) -> list[str]:
    """The thread's created post ids from the lookup hints; ids that are not X's numeric ids
    are not trusted (they would end up in a URL)."""
    value = request.lookup_hints.get(THREAD_HINT)
    if not isinstance(value, list):
        return []
    ids = [str(v) for v in value if isinstance(v, str | int) and not isinstance(v, bool)]
    return ids if ids and all(NUMERIC_ID_RE.fullmatch(i) for i in ids) else []


def _parts(request: PublishRequest) -> list[str]:
    """The head's text, then each thread part, then the first comment (a reply to the last)."""
    parts = [request.text, *request.thread]
    if request.first_comment:
        parts.append(request.first_comment)
    return parts


def _post_body(request: PublishRequest, text: str, media_ids: list[str], reply_to: str | None,
               quote_of: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"text": text}
    if media_ids:
        body["media"] = {"media_ids": media_ids}
    if reply_to:
        body["reply"] = {"in_reply_to_tweet_id": reply_to}
    if quote_of:
        body["quote_tweet_id"] = quote_of
    for option in ("reply_settings", "poll"):
        if request.options.get(option):
            body[option] = request.options[option]
    return body


def _text(post: dict[str, Any]) -> str:
    return post["text"] if isinstance(post.get("text"), str) else ""
