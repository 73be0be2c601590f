"""The Facebook connector: Page tokens, publishing, look-ups, delete, insights and the connect
flow; reading the inbox and replying live in :mod:`~herald_network_facebook.inbox`."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlencode

from herald.plugins import (
    AuthExpired,
    AuthRevoked,
    Capabilities,
    ConnectedAccount,
    Mention,
    MentionPage,
    NetworkConnector,
    PermanentError,
    Problem,
    PublishRequest,
    PublishResult,
    RateBudget,
    RemoteProfile,
    ReplyRequest,
    ReplyResult,
    TokenSet,
    TransientError,
    UncertainOutcome,
    VariantDraft,
    utcnow,
)
from herald_network_facebook import inbox
from herald_network_facebook.error_map import PermissionMissing, to_herald, wait_until
from herald_network_facebook.graph import GraphClient, GraphError
from herald_network_facebook.settings import effective
from herald_network_facebook.values import as_id, as_text, data_list, parse_time, path_id

#: look-ups accept posts this much older than ``not_before``, for clock skew with Meta
CLOCK_SKEW = timedelta(minutes=2)
POST_FIELDS = "id,message,created_time,permalink_url"
MAX_PAGES = 5


class FacebookConnector(NetworkConnector):
    """Facebook Pages for one tenant. ``account.remote_id`` is the Page id and ``account.tokens``
    the user's token; the Page's own token is read from ``/me/accounts`` once per instance."""

    key = "facebook"
    display_name = "Facebook"
    capabilities = Capabilities(
        max_text_length=63206, media_kinds=("image",), max_media=10, supports_delete=True,
        supports_metrics=True, supports_mentions=True, supports_lookup=True, supports_direct_messages=True,
        supports_replies=True, max_reply_length=8000, max_dm_length=2000, dm_reply_window_s=24 * 3600,
        # one poll costs a call per recent post and per active conversation, all drawn from the
        # app's hourly allowance; webhooks deliver in real time, so polling is the safety net
        min_poll_interval_s=120,
    )
    webhook_event_prefix: ClassVar[str | None] = "facebook."

    def __init__(self, tenant_id: str, settings: Any) -> None:
        super().__init__(tenant_id, settings)
        self.conf = effective(settings)
        self.graph = GraphClient(f"{str(self.conf['api_base_url']).rstrip('/')}/{self.conf['api_version']}",
                                 float(self.conf["request_timeout_s"]))
        self._page_tokens: dict[str, str] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ calling the Graph API
    def call(self, method: str, path: str, token: str | None, params: dict[str, Any] | None = None, *,
             uncertain: bool = False) -> dict[str, Any]:
        try:
            return self.graph.request(method, path, token, params)
        except GraphError as err:
            raise to_herald(err, now=utcnow(), fallback_s=float(self.conf["throttle_fallback_wait_s"]),
                            uncertain=uncertain) from err

    def paged(self, path: str, token: str, params: dict[str, Any], max_pages: int = MAX_PAGES) -> Iterator[dict]:
        """Items of a list edge, following the ``after`` cursor while the page has a ``next``
        (the link itself is never followed: the token goes to our own base URL only)."""
        body = self.call("GET", path, token, params)
        for page in range(max_pages):
            yield from data_list(body)
            paging = body.get("paging") if isinstance(body.get("paging"), dict) else {}
            after = (paging.get("cursors") or {}).get("after") if isinstance(paging.get("cursors"), dict) else None
            if not paging.get("next") or not isinstance(after, str) or page + 1 == max_pages:
                return
            body = self.call("GET", path, token, {**params, "after": after})

    def page_token(self, account: ConnectedAccount) -> str:
        """The Page's token, derived from the user's (``GET /me/accounts``)."""
        with self._lock:
            if account.remote_id in self._page_tokens:
                return self._page_tokens[account.remote_id]
        if account.tokens is None or not account.tokens.access_token:
            raise AuthExpired("The Facebook account has no access token; reconnect it.", code="no_token")
        user_token, params = account.tokens.access_token, {"fields": "id,name,access_token", "limit": 100}
        for page in self.paged("me/accounts", user_token, params):
            if as_id(page.get("id")) == account.remote_id and as_text(page.get("access_token")):
                with self._lock:
                    self._page_tokens[account.remote_id] = page["access_token"]
                return page["access_token"]
        raise PermissionMissing("The person who connected this Page no longer manages it; reconnect the Page "
                                "with someone who does.", code="page_not_listed")

    def budget(self) -> RateBudget | None:
        """Meta's usage headers as a budget in percentage points of the allowance."""
        usage, now = self.graph.last_usage, utcnow()
        if usage is None:
            return None
        reset = wait_until(usage.regain_minutes, now, 3600)  # app usage is counted over a rolling hour
        return RateBudget(limit=100, remaining=max(0, math.floor(100 - usage.percent)), reset_at=reset)

    # ------------------------------------------------------------------ composing
    def validate(self, draft: VariantDraft) -> list[Problem]:
        problems = super().validate(draft)
        if draft.link and draft.media:
            problems.append(Problem("link", "link_and_media", "A Facebook post carries a link preview or photos, "
                                    "not both; put the link in the text."))
        return problems

    # ------------------------------------------------------------------ publishing
    def publish(self, account: ConnectedAccount, request: PublishRequest) -> PublishResult:
        """Text or link: ``/feed``. One photo: ``/photos``. Several: each uploaded unpublished,
        then one ``/feed`` post attaching them. Always published now (Herald schedules). A
        timeout or 5xx on the call that creates the post raises :class:`UncertainOutcome`."""
        page, token = path_id(account.remote_id, "The Page id"), self.page_token(account)
        if any(not m.url for m in request.media):
            raise PermanentError("Facebook fetches photos itself; every photo needs a public URL.", code="no_media_url")
        if len(request.media) == 1:
            body = self.call("POST", f"{page}/photos", token, {"url": request.media[0].url,
                             "caption": request.text or None, "published": True}, uncertain=True)
            post_id = as_id(body.get("post_id")) or as_id(body.get("id"))
        else:
            params: dict[str, Any] = {"message": request.text, "link": request.link}
            for i, photo in enumerate(request.media):  # an unpublished photo is no post: failures are certain
                uploaded = self.call("POST", f"{page}/photos", token, {"url": photo.url, "published": False})
                if not as_id(uploaded.get("id")):
                    raise TransientError("Facebook did not return the uploaded photo's id.", code="no_photo_id")
                params[f"attached_media[{i}]"] = {"media_fbid": uploaded["id"]}
            post_id = as_id(self.call("POST", f"{page}/feed", token, params, uncertain=True).get("id"))
        if post_id is None:
            raise UncertainOutcome("Facebook answered without the post's id.", code="no_post_id")
        usage = self.graph.last_usage
        pause = wait_until(usage.regain_minutes, utcnow(), float(self.conf["throttle_fallback_wait_s"])) \
            if usage is not None and usage.percent >= 100 else None
        return PublishResult(remote_id=post_id, url=f"https://www.facebook.com/{post_id}", pause_until=pause)

    def find_published(self, account: ConnectedAccount, request: PublishRequest,
                       not_before: datetime) -> PublishResult | None:
        """The Page's post with exactly this text, created at or after ``not_before``."""
        if not request.text.strip():
            raise UncertainOutcome("A post without text cannot be recognised among the Page's posts.", code="no_text")
        earliest = (not_before if not_before.tzinfo else not_before.replace(tzinfo=UTC)) - CLOCK_SKEW
        page, token = path_id(account.remote_id, "The Page id"), self.page_token(account)
        limit = int(self.conf["recent_posts_limit"])
        for post in self.paged(f"{page}/posts", token, {"fields": POST_FIELDS, "limit": limit}, max_pages=3):
            created = parse_time(post.get("created_time"))
            if created is not None and created < earliest:
                return None  # newest first: everything further is older
            if post.get("message") == request.text and as_id(post.get("id")):
                return PublishResult(remote_id=post["id"], url=post.get("permalink_url"))
        return None

    def delete(self, account: ConnectedAccount, remote_id: str) -> None:
        body = self.call("DELETE", path_id(remote_id, "The post id"), self.page_token(account))
        if body.get("success") is not True:
            raise PermanentError("Facebook did not confirm the deletion.", code="not_deleted")

    def fetch_metrics(self, account: ConnectedAccount, remote_ids: list[str]) -> dict[str, dict[str, int]]:
        """Post insights (``insight_metrics``); a count object (reactions by type) gives
        ``name.kind`` figures. A post Meta has no insights for (gone, too old) is left out."""
        token, out = self.page_token(account), {}
        for post_id in remote_ids:
            try:
                body = self.call("GET", f"{path_id(post_id, 'The post id')}/insights", token,
                                 {"metric": self.conf["insight_metrics"]})
            except PermanentError as exc:
                if getattr(exc, "needs_attention", False):
                    raise
                continue
            figures: dict[str, int] = {}
            for metric in data_list(body):
                values = data_list(metric.get("values"))
                value = values[-1].get("value") if values else None
                name = as_text(metric.get("name"))
                pairs = value.items() if isinstance(value, dict) else [("", value)]
                for kind, count in pairs:
                    if name and isinstance(count, int) and not isinstance(count, bool):
                        figures[f"{name}.{kind}" if kind else name] = count
            out[post_id] = figures
        return out

    # ------------------------------------------------------------------ inbox and replies
    def fetch_mentions(self, account: ConnectedAccount, since: str | None) -> MentionPage:
        return inbox.fetch_comments(self, account, since)

    def fetch_direct_messages(self, account: ConnectedAccount, since: str | None) -> MentionPage:
        return inbox.fetch_messages(self, account, since)

    def webhook_account(self, event_type: str, data: dict[str, Any]) -> str | None:
        return inbox.webhook_account(event_type, data)

    def items_from_webhook(self, account: ConnectedAccount, event_type: str, data: dict[str, Any]) -> list[Mention]:
        return inbox.items_from_webhook(self, account, event_type, data)

    def validate_reply(self, request: ReplyRequest, now: datetime) -> list[Problem]:
        return inbox.reply_problems(request, super().validate_reply(request, now))

    def send_reply(self, account: ConnectedAccount, request: ReplyRequest) -> ReplyResult:
        return inbox.send_reply(self, account, request)

    def find_reply(self, account: ConnectedAccount, request: ReplyRequest,
                   not_before: datetime) -> ReplyResult | None:
        return inbox.find_reply(self, account, request, not_before)

    # ------------------------------------------------------------------ connecting
    def authorize_url(self, state: str, redirect_uri: str, code_verifier: str) -> str:
        dialog = self.conf["authorize_url"] or f"https://www.facebook.com/{self.conf['api_version']}/dialog/oauth"
        query = {"client_id": self.conf["app_id"], "redirect_uri": redirect_uri, "state": state,
                 "response_type": "code", "scope": self.conf["scopes"]}
        return f"{dialog}{'&' if '?' in dialog else '?'}{urlencode(query)}"

    def exchange_code(self, code: str, redirect_uri: str, code_verifier: str) -> TokenSet:
        """The code → a user token → a long-lived (~60 days) user token."""
        short = self._token({"redirect_uri": redirect_uri, "code": code}, refreshing=False)
        return self._token({"grant_type": "fb_exchange_token", "fb_exchange_token": short.access_token},
                           refreshing=False)

    def refresh(self, tokens: TokenSet) -> TokenSet:
        """A new long-lived user token; Meta's 190 means the grant is gone (:class:`AuthRevoked`)."""
        return self._token({"grant_type": "fb_exchange_token", "fb_exchange_token": tokens.access_token},
                           refreshing=True)

    def _token(self, params: dict[str, str], *, refreshing: bool) -> TokenSet:
        params = {"client_id": self.conf["app_id"], "client_secret": self.conf["app_secret"], **params}
        try:
            body = self.graph.request("GET", "oauth/access_token", None, params)
        except GraphError as err:
            if err.code in (190, 100) and not err.refused:
                error = AuthRevoked if refreshing else PermanentError
                raise error(f"Facebook refused the token request: {err.message}", code=err.label) from err
            raise TransientError(f"Facebook could not issue a token now: {err.message}", code=err.label) from err
        access, expires = as_text(body.get("access_token")), body.get("expires_in")
        if not access.strip():
            raise TransientError("Facebook answered without a token.", code="empty_token")
        expires_at = utcnow() + timedelta(seconds=expires) if isinstance(expires, int) and \
            0 < expires <= 400 * 86400 else None
        return TokenSet(access_token=access, expires_at=expires_at)

    def profile(self, tokens: TokenSet) -> RemoteProfile:
        """The first Page the person manages (connect once per Page)."""
        for page in self.paged("me/accounts", tokens.access_token, {"fields": "id,name"}, max_pages=1):
            if as_id(page.get("id")):
                return RemoteProfile(page["id"], as_text(page.get("name")), as_text(page.get("name")))
        raise PermanentError("This person manages no Facebook Page.", code="no_page")
