"""The Mastodon connector: one instance per tenant, reached through Herald's outbound policy.

Composing checks against the instance's own limits (:mod:`~herald_network_mastodon.instance`);
connecting is OAuth (:mod:`~herald_network_mastodon.oauth`); publishing, reconciling, deleting,
metrics, mentions and direct messages are here; answering is in
:mod:`~herald_network_mastodon.replies`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from herald.plugins import (
    AuthRevoked,
    Capabilities,
    ConnectedAccount,
    MediaFile,
    MentionPage,
    NetworkConnector,
    NetworkError,
    OutboundRefused,
    PermanentError,
    Problem,
    PublishRequest,
    PublishResult,
    RemoteProfile,
    ReplyRequest,
    ReplyResult,
    TokenSet,
    TransientError,
    UncertainOutcome,
    VariantDraft,
    check_outbound_url,
    utcnow,
)
from herald_network_mastodon import oauth, replies
from herald_network_mastodon.http import MastodonHttp, json_body, link_param
from herald_network_mastodon.instance import InstanceLimits, instance_limits
from herald_network_mastodon.settings import VISIBILITIES, defaults
from herald_network_mastodon.statuses import SKEW, created, dicts, flat, html_text, newest, status_item, text

METRICS = ("favourites_count", "reblogs_count", "replies_count")
#: The lookup hint naming the statuses of a thread created before an attempt became uncertain.
THREAD_HINT = "mastodon_thread_ids"
#: Mastodon keeps an Idempotency-Key for an hour; within this much of an attempt, repeating it is safe.
IDEMPOTENCY_WINDOW = timedelta(minutes=50)


class MastodonConnector(NetworkConnector):
    """Mastodon for one tenant; ``capabilities`` start from Mastodon's defaults and take the
    instance's own character and media limits once read."""

    key = "mastodon"
    display_name = "Mastodon"
    capabilities = Capabilities(
        max_text_length=500, media_kinds=("image", "video", "gif"), max_media=4, supports_threads=True,
        supports_first_comment=True, supports_delete=True, supports_metrics=True, supports_mentions=True,
        supports_lookup=True, supports_direct_messages=True, supports_replies=True)

    def __init__(self, tenant_id: str, settings: Mapping[str, Any]) -> None:
        super().__init__(tenant_id, settings)
        self._settings = {**defaults(), **{k: v for k, v in settings.items() if v is not None}}
        #: Injectable so tests do not wait for media processing.
        self.sleep: Callable[[float], None] = time.sleep
        self._limits: InstanceLimits | None = None

    def setting(self, name: str) -> Any:
        """A setting of this tenant's, or its declared default."""
        return self._settings[name]

    def _instance_url(self) -> str:
        base = self._settings.get("instance_url")
        if not base:
            raise PermanentError("No Mastodon instance URL is configured.", code="not_configured")
        return str(base)

    def _http(self, token: str | None = None) -> MastodonHttp:
        return MastodonHttp(self._instance_url(), token, float(self._settings["timeout_seconds"]))

    def _account_http(self, account: ConnectedAccount) -> MastodonHttp:
        if account.tokens is None or not account.tokens.access_token:
            raise AuthRevoked("This Mastodon account has no token; it needs reconnecting.", code="not_connected")
        return self._http(account.tokens.access_token)

    # ------------------------------------------------------------------ composing
    def limits(self) -> InstanceLimits:
        """The instance's limits, read once per connector (Herald makes one per use)."""
        if self._limits is None:
            with self._http() as http:
                self._limits = instance_limits(http, float(self._settings["instance_cache_seconds"]))
            self.capabilities = replace(type(self).capabilities, max_text_length=self._limits.max_characters,
                                        max_media=self._limits.max_media)
        return self._limits

    def text_length(self, text: str) -> int:
        return self.limits().text_length(text)

    def validate(self, draft: VariantDraft) -> list[Problem]:
        limits = self.limits()
        problems = super().validate(draft)
        warning = draft.options.get("spoiler_text")
        if isinstance(warning, str) and warning and not any(p.field == "text" for p in problems):
            length = self.text_length(draft.text) + self.text_length(warning)  # the instance counts both
            if length > self.capabilities.max_text_length:
                problems.append(Problem("text", "too_long", f"This instance allows {self.capabilities.max_text_length} "
                                        f"characters for the text and content warning together; these have {length}."))
        visibility = draft.options.get("visibility")
        if visibility is not None and visibility not in VISIBILITIES:
            problems.append(Problem("options.visibility", "invalid",
                                    f"Visibility is one of {', '.join(VISIBILITIES)}."))
        for i, item in enumerate(draft.media):
            mime, size = item.get("mime_type"), item.get("size")
            if limits.mime_types and isinstance(mime, str) and mime not in limits.mime_types:
                problems.append(Problem(f"media[{i}]", "unsupported_type", f"This instance does not take {mime}."))
            cap = limits.video_size_limit if item.get("kind") in ("video", "gif") else limits.image_size_limit
            if cap and isinstance(size, int) and size > cap:
                problems.append(Problem(f"media[{i}]", "too_large", f"This instance takes files up to {cap} bytes."))
        return problems

    # ------------------------------------------------------------------ connecting
    def authorize_url(self, state: str, redirect_uri: str, code_verifier: str) -> str:
        base = self._instance_url()
        try:  # people are sent only to an instance Herald itself may reach
            check_outbound_url(base, what="the Mastodon instance URL")
        except OutboundRefused as exc:
            raise PermanentError(exc.detail, code="outbound_refused") from exc
        return oauth.authorize_url(base, client_id=str(self._settings.get("client_id") or ""),
                                   redirect_uri=redirect_uri, scope=self._settings["scopes"], state=state,
                                   code_verifier=code_verifier)

    def exchange_code(self, code: str, redirect_uri: str, code_verifier: str) -> TokenSet:
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                "code_verifier": code_verifier, "client_id": self._settings.get("client_id"),
                "client_secret": self._settings.get("client_secret"), "scope": self._settings["scopes"]}
        with self._http() as http:
            response = http.call("POST", "/oauth/token", data=form, check=False)
        if response.status_code != 200:
            raise oauth.token_error(response)
        return oauth.token_set(json_body(response))

    def refresh(self, tokens: TokenSet) -> TokenSet:
        # Mastodon's tokens do not expire; one the instance refuses can only be replaced by reconnecting.
        raise AuthRevoked("The Mastodon instance refused this account's token; reconnect the account.",
                          code="no_refresh_token")

    def profile(self, tokens: TokenSet) -> RemoteProfile:
        with self._http(tokens.access_token) as http:
            me = json_body(http.call("GET", "/api/v1/accounts/verify_credentials"))
        if not isinstance(me, dict) or not me.get("id"):
            raise TransientError("The instance's answer about the account had no id.", code="bad_response")
        return RemoteProfile(remote_id=str(me["id"]), handle=text(me.get("acct") or me.get("username")),
                             display_name=text(me.get("display_name")))

    # ------------------------------------------------------------------ publishing
    def publish(self, account: ConnectedAccount, request: PublishRequest) -> PublishResult:
        parts = _parts(request)
        with self._account_http(account) as http:
            media_ids = [self._upload(http, m) for m in request.media]
            head = self.create_status(http, self._status(request, parts[0], request.reply_to, media_ids),
                                f"herald-{request.publication_id}-0")
            created_ids = [str(head["id"])]
            for i, part in enumerate(parts[1:], start=1):
                try:
                    created_ids.append(str(self.create_status(http, self._status(request, part, created_ids[-1], []),
                                                        f"herald-{request.publication_id}-{i}")["id"]))
                except NetworkError as exc:
                    # The head exists: the engine reconciles, told which parts exist.
                    raise UncertainOutcome(f"Published {len(created_ids)} of {len(parts)} parts; part "
                                           f"{len(created_ids) + 1} failed: {exc.message}", code="partial_thread",
                                           hints={THREAD_HINT: created_ids}) from exc
            limit = http.last_limit
        pause = limit.reset_at if limit and limit.remaining <= 0 else None
        return PublishResult(remote_id=created_ids[0], url=text(head.get("url")) or None, extra_ids=created_ids[1:],
                             pause_until=pause)

    def _status(self, request: PublishRequest, status: str, reply_to: str | None, media: list[str]) -> dict[str, Any]:
        options = request.options
        body: dict[str, Any] = {"status": status, "visibility": options.get("visibility")
                                or self._settings["default_visibility"]}
        for name, value in (("in_reply_to_id", reply_to), ("media_ids", media), ("language", request.language),
                            ("spoiler_text", options.get("spoiler_text")), ("sensitive", options.get("sensitive"))):
            if value:
                body[name] = value
        return body

    def create_status(self, http: MastodonHttp, body: dict[str, Any], key: str) -> dict[str, Any]:
        """``POST /api/v1/statuses`` once. Mastodon keeps the Idempotency-Key for an hour: a
        repeated attempt gets the status the first one made."""
        status = json_body(http.call("POST", "/api/v1/statuses", json=body, headers={"Idempotency-Key": key},
                                     creates=True))
        if not isinstance(status, dict) or not status.get("id"):
            raise UncertainOutcome("The instance accepted the status but its answer had no id.", code="bad_response")
        return status

    def _upload(self, http: MastodonHttp, media: MediaFile) -> str:
        """Upload one file (``POST /api/v2/media``); a 202 means the instance is still processing
        it, so poll ``GET /api/v1/media/:id`` (206 while processing) until it is ready."""
        try:
            data = media.read()
        except Exception as exc:  # the library's reader may fail in any way; nothing was sent yet
            raise TransientError("The media file could not be read.", code="media_unreadable") from exc
        form = {"description": media.alt_text} if media.alt_text else {}
        r = http.call("POST", "/api/v2/media", files={"file": ("upload", data, media.mime_type)}, data=form)
        attachment = json_body(r)
        if not isinstance(attachment, dict) or not attachment.get("id"):
            raise TransientError("The instance's upload answer had no id.", code="bad_response")
        media_id = str(attachment["id"])
        polls = 0
        while r.status_code in (202, 206):
            if polls >= int(self._settings["media_poll_limit"]):
                raise TransientError("The instance is still processing the media; try again later.",
                                     code="media_processing")
            self.sleep(float(self._settings["media_poll_interval_seconds"]))
            polls += 1
            r = http.call("GET", f"/api/v1/media/{quote(media_id, safe='')}")
        return media_id

    # ------------------------------------------------------------------ reconciling
    def find_published(self, account: ConnectedAccount, request: PublishRequest,
                       not_before: datetime) -> PublishResult | None:
        """The account's statuses since ``not_before`` are read newest first; the head is the one
        with the request's text replying to the same status, each further part the reply to the
        part before. The text is compared with the status's source (``GET .../source``). A thread
        found in part is None while publishing again is safe (the Idempotency-Keys still hold)."""
        parts = _parts(request)
        with self._account_http(account) as http:
            mine = self._own_statuses_since(http, account, not_before)
            found: list[str] = []
            for part in parts:
                parent = found[-1] if found else request.reply_to
                match = next((s for s in mine if (s.get("in_reply_to_id") or None) == parent
                              and self._same_text(http, s, part)), None)
                if match is None:
                    break
                found.append(str(match["id"]))
        if not found:
            return None
        if len(found) < len(parts):
            if utcnow() - not_before < IDEMPOTENCY_WINDOW:
                # Publishing again sends the same Idempotency-Keys: the parts made are answered
                # back, not posted twice, and only the missing ones are created.
                return None
            raise UncertainOutcome(f"The instance shows {len(found)} of {len(parts)} parts of this thread.",
                                   code="partial_thread", hints={THREAD_HINT: found})
        return PublishResult(remote_id=found[0], extra_ids=found[1:])

    def _own_statuses_since(self, http: MastodonHttp, account: ConnectedAccount,
                            not_before: datetime) -> list[dict[str, Any]]:
        path = f"/api/v1/accounts/{quote(account.remote_id, safe='')}/statuses"
        params: dict[str, Any] = {"limit": 40}
        out: list[dict[str, Any]] = []
        for _ in range(int(self._settings["max_pages"])):
            r = http.call("GET", path, params=params)
            page = [s for s in dicts(json_body(r)) if s.get("id")]
            out.extend(s for s in page if (c := created(s)) is None or c >= not_before - SKEW)
            older = link_param(r, "next", "max_id")
            if not page or not older or any((c := created(s)) and c < not_before - SKEW for s in page):
                return out
            params["max_id"] = older
        raise UncertainOutcome("The account posted more since the attempt than one lookup reads.",
                               code="too_many_posts")

    def _same_text(self, http: MastodonHttp, status: dict[str, Any], wanted: str) -> bool:
        if flat(html_text(status.get("content"))) == flat(wanted):
            return True
        # Links and mentions are rewritten in the HTML; the source is what was sent.
        source = json_body(http.call("GET", f"/api/v1/statuses/{quote(str(status['id']), safe='')}/source"))
        return isinstance(source, dict) and text(source.get("text")).strip() == wanted.strip()

    def delete(self, account: ConnectedAccount, remote_id: str) -> None:
        with self._account_http(account) as http:
            try:
                http.call("DELETE", f"/api/v1/statuses/{quote(remote_id, safe='')}")
            except PermanentError as exc:
                if exc.status != 404:  # already gone is what was asked for
                    raise

    # ------------------------------------------------------------------ reading
    def fetch_metrics(self, account: ConnectedAccount, remote_ids: list[str]) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        with self._account_http(account) as http:
            for remote_id in remote_ids:
                try:
                    status = json_body(http.call("GET", f"/api/v1/statuses/{quote(remote_id, safe='')}"))
                except PermanentError as exc:
                    if exc.status == 404:
                        continue
                    raise
                if isinstance(status, dict):
                    out[remote_id] = {k: status[k] for k in METRICS
                                      if isinstance(status.get(k), int) and not isinstance(status[k], bool)}
        return out

    def fetch_mentions(self, account: ConnectedAccount, since: str | None) -> MentionPage:
        """Mention notifications newer than the notification id ``since`` (the newest page on
        the first poll), read forward with ``min_id``. Direct statuses come as direct messages."""
        items, ids = [], []
        params: dict[str, Any] = {"types[]": "mention", "limit": 40}
        with self._account_http(account) as http:
            for _ in range(int(self._settings["max_pages"])):
                if since:
                    params["min_id"] = since
                r = http.call("GET", "/api/v1/notifications", params=params)
                page = [n for n in dicts(json_body(r)) if n.get("id")]
                ids.extend(str(n["id"]) for n in page)
                items.extend(m for n in page if n.get("type") == "mention" and isinstance(n.get("status"), dict)
                             and n["status"].get("visibility") != "direct"
                             and (m := status_item(account, n["status"], "mention")) is not None)
                since = newest([str(n["id"]) for n in page])
                if not page or not params.get("min_id"):
                    break
            limit = http.last_limit
        return MentionPage(items=items, cursor=newest(ids), budget=limit.budget() if limit else None)

    def fetch_direct_messages(self, account: ConnectedAccount, since: str | None) -> MentionPage:
        """Conversations whose last status is newer than the status id ``since``; each gives its
        statuses newer than that (the last one and its ancestors, ``GET .../context``) with
        ``thread_id`` = the conversation. Older pages are read until ``since``."""
        items = []
        params: dict[str, Any] = {"limit": 40}

        def newer(status: dict[str, Any]) -> bool:
            return bool(status.get("id")) and (not since or newest([str(status["id"]), since]) != since)

        with self._account_http(account) as http:
            for _ in range(int(self._settings["max_pages"])):
                r = http.call("GET", "/api/v1/conversations", params=params)
                page = [c for c in dicts(json_body(r)) if isinstance(c.get("last_status"), dict)]
                fresh = [c for c in page if newer(c["last_status"])]
                for c in fresh:
                    last = c["last_status"]
                    context = json_body(http.call("GET", f"/api/v1/statuses/{quote(str(last['id']), safe='')}/context"))
                    earlier = dicts(context.get("ancestors") if isinstance(context, dict) else None)
                    items.extend(m for s in [*earlier, last] if newer(s) and s.get("visibility", "direct") == "direct"
                                 and (m := status_item(account, s, "dm", str(c.get("id") or ""))) is not None)
                params["max_id"] = link_param(r, "next", "max_id")
                if not since or len(fresh) < len(page) or not params["max_id"]:
                    break
            limit = http.last_limit
        return MentionPage(items=items, cursor=newest([m.remote_id for m in items]),
                           budget=limit.budget() if limit else None)

    # ------------------------------------------------------------------ replying
    def send_reply(self, account: ConnectedAccount, request: ReplyRequest) -> ReplyResult:
        """A reply or direct message, sent once (:func:`~herald_network_mastodon.replies.send_reply`)."""
        with self._account_http(account) as http:
            return replies.send_reply(self, http, account, request)

    def find_reply(self, account: ConnectedAccount, request: ReplyRequest,
                   not_before: datetime) -> ReplyResult | None:
        """The answer an uncertain attempt sent (:func:`~herald_network_mastodon.replies.find_reply`)."""
        with self._account_http(account) as http:
            return replies.find_reply(self, http, account, request, not_before)


def _parts(request: PublishRequest) -> list[str]:
    """The head's text, then each thread part, then the first comment (a reply to the last)."""
    return [request.text, *request.thread, *([request.first_comment] if request.first_comment else [])]
