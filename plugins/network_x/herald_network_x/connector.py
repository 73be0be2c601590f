"""The X API v2 connector: connect (OAuth 2.0 + PKCE), publish (text, threads, replies, quotes,
media), reconcile after an uncertain outcome, delete, and read metrics, mentions and search."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote

import httpx

from herald.plugins import (
    AuthRevoked,
    Capabilities,
    ConnectedAccount,
    Mention,
    MentionPage,
    NetworkConnector,
    NetworkError,
    PermanentError,
    Problem,
    PublishRequest,
    PublishResult,
    RemoteProfile,
    TokenSet,
    TransientError,
    UncertainOutcome,
    VariantDraft,
)
from herald_network_x import oauth
from herald_network_x.http import XHttp, json_body
from herald_network_x.media import MediaUploader
from herald_network_x.ratelimit import RateLimitStatus
from herald_network_x.settings import XSettings
from herald_network_x.text import same_text, weighted_length

#: Tweet fields asked for on every read, so mentions and lookups can be matched and attributed.
TWEET_FIELDS = "created_at,author_id,conversation_id,referenced_tweets,public_metrics"
METRICS = ("retweet_count", "reply_count", "like_count", "quote_count", "impression_count")
#: How far back X's recent search reaches.
SEARCH_WINDOW = timedelta(days=7)
#: X accepts at most 100 ids per lookup.
LOOKUP_BATCH = 100
#: The lookup hint naming the posts of a thread created before an attempt became uncertain.
THREAD_HINT = "x_thread_ids"
_POST_ID_RE = re.compile(r"^\d{1,30}$")


class XConnector(NetworkConnector):
    """X for one tenant. Each instance makes single attempts and keeps only
    :attr:`last_rate_limit` (the rate-limit headers of the last answer, for pacing the account)."""

    key = "x"
    display_name = "X"
    capabilities = Capabilities(
        max_text_length=280, media_kinds=("image", "video", "gif"), max_media=4,
        supports_threads=True, supports_first_comment=True, supports_delete=True, supports_metrics=True,
        supports_mentions=True, supports_search=True, supports_lookup=True,
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
        data = _data(json_body(r))
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
        if not request.media:
            return []
        uploader = MediaUploader(
            http, token, style=self._cfg("media_upload_style"), api_base=self._url("api_base_url"),
            upload_base=self._url("upload_base_url"), chunk_bytes=int(self._cfg("media_chunk_bytes")),
            processing_timeout=float(self._cfg("media_processing_timeout_seconds")), sleep=self.sleep)
        return [uploader.upload(m) for m in request.media]

    def _create(self, http: XHttp, token: str, body: dict[str, Any]) -> str:
        r = http.call("POST", f"{self._url('api_base_url')}/2/tweets", token=token, json=body, creates=True)
        post_id = _data(json_body(r)).get("id")
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
        since = _aware(not_before)
        hinted = _thread_hint(request)
        if hinted:
            return self._find_hinted_thread(account, token, parts, hinted, since)
        if self.now() - since > SEARCH_WINDOW:
            raise UncertainOutcome("The attempt is older than X's recent search reaches.", code="beyond_search")
        with self._http() as http:
            posts, complete = self._own_posts_since(http, token, account, since)
        head = next((p for p in posts if same_text(parts[0], _text(p))
                     and _refers(p, "replied_to", request.reply_to) and _refers(p, "quoted", request.quote_of)), None)
        if head is None:
            lag = timedelta(seconds=float(self._cfg("search_index_lag_seconds")))
            if self.now() - since < lag:
                raise UncertainOutcome("X's search may not show the post yet; look again later.",
                                       code="search_lag")
            if not complete:
                raise UncertainOutcome("The account posted more since the attempt than one lookup reads.",
                                       code="too_many_posts")
            return None
        found = [str(head["id"])]
        for text in parts[1:]:
            reply = next((p for p in posts if same_text(text, _text(p))
                          and _refers(p, "replied_to", found[-1])), None)
            if reply is None:
                # Named as hints: the next lookup reads these posts by id instead of searching.
                raise UncertainOutcome(
                    f"X shows {len(found)} of {len(parts)} parts of this thread ({', '.join(found)}); "
                    f"part {len(found) + 1} is missing.", code="partial_thread", hints={THREAD_HINT: found})
            found.append(str(reply["id"]))
        return PublishResult(remote_id=found[0], url=self._post_url(account, found[0]), extra_ids=found[1:])

    def _find_hinted_thread(self, account: ConnectedAccount, token: str, parts: list[str], hinted: list[str],
                            since: datetime) -> PublishResult:
        """An earlier attempt named the parts it created: read them by id (no search lag), then
        look for the parts after them among the account's recent posts (the part that failed
        may exist after all). Nothing is posted: a thread cut short is what exists on X, the
        head first, the rest as ``extra_ids``."""
        with self._http() as http:
            r = http.call("GET", f"{self._url('api_base_url')}/2/tweets", token=token,
                          params={"ids": ",".join(hinted[:LOOKUP_BATCH]), "tweet.fields": TWEET_FIELDS})
            existing = {str(p.get("id")) for p in _items(_obj(json_body(r)).get("data"))}
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
                                  and _refers(p, "replied_to", found[-1])), None)
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
            body = _obj(json_body(r))
            page = _items(body.get("data"))
            mine = [p for p in page if not p.get("author_id") or str(p["author_id"]) == account.remote_id]
            posts.extend(p for p in mine if (_created(p) or since) >= since)
            older = [p for p in page if _created(p) is not None and _created(p) < since]  # type: ignore[operator]
            next_token = _obj(body.get("meta")).get("next_token")
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
        if _data(json_body(r)).get("deleted") is not True:
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
                for post in _items(_obj(json_body(r)).get("data")):
                    metrics = post.get("public_metrics")
                    if isinstance(metrics, dict) and post.get("id"):
                        out[str(post["id"])] = {k: int(metrics[k]) for k in METRICS
                                                if isinstance(metrics.get(k), int)}
        return out

    def fetch_mentions(self, account: ConnectedAccount, since: str | None) -> MentionPage:
        url = f"{self._url('api_base_url')}/2/users/{quote(account.remote_id, safe='')}/mentions"
        return self._list(account, url, since, page_param="pagination_token", max_results=100, kind="mention")

    def search(self, account: ConnectedAccount, query: str, since: str | None) -> MentionPage:
        url = f"{self._url('api_base_url')}/2/tweets/search/recent"
        return self._list(account, url, since, page_param="next_token", max_results=100, kind="search",
                          query=query)

    def _list(self, account: ConnectedAccount, url: str, since: str | None, *, page_param: str,
              max_results: int, kind: str, query: str | None = None) -> MentionPage:
        """Every page newer than ``since`` (newest first, as X gives them), up to ``max_pages``.
        The cursor is the newest id of the first page; None when nothing new came."""
        token = _token(account)
        params: dict[str, Any] = {"max_results": max_results, "tweet.fields": TWEET_FIELDS,
                                  "expansions": "author_id", "user.fields": "username"}
        if query is not None:
            params["query"] = query
        if since:
            params["since_id"] = since
        items: list[Mention] = []
        cursor: str | None = None
        with self._http() as http:
            for _ in range(int(self._cfg("max_pages"))):
                body = _obj(json_body(http.call("GET", url, token=token, params=params)))
                meta = _obj(body.get("meta"))
                if cursor is None and meta.get("newest_id"):
                    cursor = str(meta["newest_id"])
                users = {str(u.get("id")): str(u.get("username") or "")
                         for u in _items(_obj(body.get("includes")).get("users"))}
                items.extend(_mention(p, users, kind) for p in _items(body.get("data")) if p.get("id"))
                if not meta.get("next_token"):
                    break
                params[page_param] = meta["next_token"]
        if cursor is None and items:
            cursor = max((m.remote_id for m in items), key=lambda i: (len(i), i))
        return MentionPage(items=items, cursor=cursor)


# ---------------------------------------------------------------------- helpers
def _token(account: ConnectedAccount) -> str:
    if account.tokens is None or not account.tokens.access_token:
        raise AuthRevoked("This X account has no tokens; it needs reconnecting.", code="not_connected")
    return account.tokens.access_token


def _thread_hint(request: PublishRequest) -> list[str]:
    """The thread's created post ids from the lookup hints; ids that are not X's numeric ids
    are not trusted (they would end up in a URL)."""
    value = request.lookup_hints.get(THREAD_HINT)
    if not isinstance(value, list):
        return []
    ids = [str(v) for v in value if isinstance(v, str | int) and not isinstance(v, bool)]
    return ids if ids and all(_POST_ID_RE.fullmatch(i) for i in ids) else []


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


def _obj(value: Any) -> dict[str, Any]:
    """``value`` if X sent an object there, else an empty one (answers are not trusted blindly)."""
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _data(body: Any) -> dict[str, Any]:
    return _obj(_obj(body).get("data"))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _text(post: dict[str, Any]) -> str:
    return post["text"] if isinstance(post.get("text"), str) else ""


def _created(post: dict[str, Any]) -> datetime | None:
    value = post.get("created_at")
    if not isinstance(value, str):
        return None
    try:
        return _aware(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None


def _references(post: dict[str, Any]) -> dict[str, str] | None:
    refs = post.get("referenced_tweets")
    if not isinstance(refs, list):
        return None
    return {str(r.get("type")): str(r.get("id")) for r in _items(refs)}


def _refers(post: dict[str, Any], kind: str, remote_id: str | None) -> bool:
    """Whether ``post`` replies to / quotes ``remote_id`` as the request asked. A post without
    ``referenced_tweets`` cannot be told apart, so it is not ruled out."""
    refs = _references(post)
    if refs is None:
        return True
    return refs.get(kind) == remote_id if remote_id else kind not in refs


def _reply_target(post: dict[str, Any]) -> str | None:
    refs = _references(post)
    return refs.get("replied_to") if refs else None


def _mention(post: dict[str, Any], users: dict[str, str], kind: str) -> Mention:
    author = str(post.get("author_id") or "")
    return Mention(remote_id=str(post.get("id")), text=_text(post), author_id=author,
                   author_handle=users.get(author, ""), created_at=_created(post),
                   in_reply_to=_reply_target(post), kind=kind, raw=post)
