"""The LinkedIn connector for organisation pages: connect (OAuth 2.0), publish (text, images,
a document), look a post up after an uncertain attempt, delete, read share statistics, read the
page's comments and answer them. LinkedIn has no messaging API for pages: no direct messages."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, unquote

import httpx

from herald.plugins import (
    AuthRevoked,
    Capabilities,
    ConnectedAccount,
    MentionPage,
    NetworkConnector,
    PermanentError,
    Problem,
    PublishRequest,
    PublishResult,
    RemoteProfile,
    ReplyRequest,
    ReplyResult,
    TokenSet,
    UncertainOutcome,
    VariantDraft,
)
from herald_network_linkedin import comments, oauth
from herald_network_linkedin.http import LinkedInHttp, as_dict, json_body
from herald_network_linkedin.media import MediaUploader
from herald_network_linkedin.settings import defaults
from herald_network_linkedin.text import little_commentary

ORG_PREFIX = "urn:li:organization:"
POST_PREFIXES = ("urn:li:share:", "urn:li:ugcPost:")
METRICS = {"impressionCount": "impressions", "uniqueImpressionsCount": "unique_impressions",
           "clickCount": "clicks", "likeCount": "likes", "commentCount": "comments", "shareCount": "shares"}
#: Posts asked for per statistics call (LinkedIn documents no maximum).
METRICS_BATCH = 20
LOOKUP_PAGE, LOOKUP_PAGES = 50, 4
#: Look-ups accept posts this much older than ``not_before``: Herald's and LinkedIn's clocks differ.
CLOCK_SKEW = timedelta(minutes=2)
IMAGE_TYPES = ("image/jpeg", "image/jpg", "image/png", "image/gif")
DOCUMENT_TYPES = ("application/pdf", "application/msword", "application/vnd.ms-powerpoint",
                  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                  "application/vnd.openxmlformats-officedocument.presentationml.presentation")
MAX_DOCUMENT_BYTES = 100 * 1024 * 1024


def _token(account: ConnectedAccount) -> str:
    if account.tokens is None or not account.tokens.access_token:
        raise AuthRevoked("This LinkedIn page has no access token; it needs reconnecting.", code="no_token")
    return account.tokens.access_token


def _org_urn(account: ConnectedAccount) -> str:
    rid = account.remote_id
    return rid if rid.startswith(ORG_PREFIX) else f"{ORG_PREFIX}{rid}"


class LinkedInConnector(NetworkConnector):
    """LinkedIn for one tenant's pages. Single attempts only; ``sleep`` and ``now`` are
    injectable so tests neither wait for media processing nor depend on the clock."""

    key = "linkedin"
    display_name = "LinkedIn"
    capabilities = Capabilities(
        max_text_length=3000, media_kinds=("image", "document"), max_media=20,
        supports_delete=True, supports_metrics=True, supports_mentions=True, supports_lookup=True,
        supports_replies=True, max_reply_length=comments.MAX_COMMENT_LENGTH,
        # LinkedIn offers organisation pages no messaging API.
        supports_direct_messages=False, min_poll_interval_s=300,
    )

    def __init__(self, tenant_id: str, settings: Mapping[str, Any]) -> None:
        super().__init__(tenant_id, settings)
        self.sleep: Callable[[float], None] = time.sleep
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def _cfg(self, name: str) -> Any:
        value = self.settings.get(name)
        return defaults().get(name) if value is None else value

    def _url(self, name: str) -> str:
        return str(self._cfg(name)).rstrip("/")

    def _http(self) -> LinkedInHttp:
        timeout = httpx.Timeout(float(self._cfg("timeout_seconds")),
                                connect=float(self._cfg("connect_timeout_seconds")))
        return LinkedInHttp(timeout, version=str(self._cfg("api_version")), now=self.now(),
                            throttle_wait=int(self._cfg("throttle_wait_seconds")))

    # ------------------------------------------------------------------ composing
    def validate(self, draft: VariantDraft) -> list[Problem]:
        problems = super().validate(draft)
        kinds = [m.get("kind") for m in draft.media]
        if "document" in kinds and len(kinds) > 1:
            problems.append(Problem("media", "document_alone", "LinkedIn takes one document alone, without images."))
        for i, item in enumerate(draft.media):
            mime = item.get("mime_type")
            allowed = IMAGE_TYPES if item.get("kind") == "image" else DOCUMENT_TYPES
            if mime and item.get("kind") in self.capabilities.media_kinds and mime not in allowed:
                problems.append(Problem(f"media[{i}]", "unsupported_type", f"LinkedIn does not accept {mime} here."))
        return problems

    # ------------------------------------------------------------------ connecting
    def authorize_url(self, state: str, redirect_uri: str, code_verifier: str) -> str:
        # LinkedIn's web flow authenticates the app with its secret; PKCE is for native apps only.
        return oauth.authorize_url(self._url("oauth_base_url"), client_id=self._cfg("client_id"),
                                   redirect_uri=redirect_uri, scope=str(self._cfg("scopes")), state=state)

    def exchange_code(self, code: str, redirect_uri: str, code_verifier: str) -> TokenSet:
        return self._token_call({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
                                refreshing=False)

    def refresh(self, tokens: TokenSet) -> TokenSet:
        if not tokens.refresh_token:
            raise AuthRevoked("LinkedIn gave no refresh token for this page; it needs reconnecting.",
                              code="no_refresh_token")
        fresh = self._token_call({"grant_type": "refresh_token", "refresh_token": tokens.refresh_token},
                                 refreshing=True)
        # LinkedIn does not extend the refresh token: keep its original expiry if the answer omits it.
        extra = {**tokens.extra, **fresh.extra}
        return TokenSet(fresh.access_token, fresh.refresh_token, fresh.expires_at, fresh.scope or tokens.scope, extra)

    def _token_call(self, form: dict[str, str], *, refreshing: bool) -> TokenSet:
        form = {**form, "client_id": self._cfg("client_id"), "client_secret": self.settings.get("client_secret") or ""}
        with self._http() as http:
            response = http.send("POST", f"{self._url('oauth_base_url')}/oauth/v2/accessToken", data=form)
        if response.status_code != 200:
            raise oauth.token_error(response, refreshing=refreshing)
        return oauth.token_set(json_body(response), self.now())

    def profile(self, tokens: TokenSet) -> RemoteProfile:
        """The page these tokens administer: the configured ``organization_id``, else the only one."""
        api = self._url("api_base_url")
        with self._http() as http:
            r = http.call("GET", f"{api}/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED",
                          token=tokens.access_token, restli_method="FINDER")
            orgs = [str(e["organization"])[len(ORG_PREFIX):] for e in as_dict(json_body(r)).get("elements") or []
                    if isinstance(e, dict) and str(e.get("organization", "")).startswith(ORG_PREFIX)]
            wanted = self.settings.get("organization_id")
            if wanted and wanted not in orgs:
                raise PermanentError(f"This LinkedIn member does not administer page {wanted}.", code="not_admin")
            if not wanted and len(orgs) != 1:
                raise PermanentError("This LinkedIn member administers " + (
                    f"several pages ({', '.join(orgs)}); set organization_id to choose one." if orgs else "no page."),
                    code="choose_organization")
            org_id = wanted or orgs[0]
            page = as_dict(json_body(http.call("GET", f"{api}/rest/organizations/{quote(org_id, safe='')}",
                                               token=tokens.access_token)))
        name = page.get("localizedName") if isinstance(page.get("localizedName"), str) else ""
        handle = page.get("vanityName") if isinstance(page.get("vanityName"), str) else org_id
        return RemoteProfile(remote_id=org_id, handle=handle or org_id, display_name=name)

    # ------------------------------------------------------------------ publishing
    def publish(self, account: ConnectedAccount, request: PublishRequest) -> PublishResult:
        token, org = _token(account), _org_urn(account)
        body: dict[str, Any] = {
            "author": org, "commentary": little_commentary(request.text), "visibility": "PUBLIC",
            "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                             "thirdPartyDistributionChannels": []},
            "lifecycleState": "PUBLISHED", "isReshareDisabledByAuthor": False,
        }
        with self._http() as http:
            if request.media:
                body["content"] = self._content(http, token, org, request)
            r = http.call("POST", f"{self._url('api_base_url')}/rest/posts", token=token, json=body, creates=True)
        urn = unquote(r.headers.get("x-restli-id", ""))  # tolerate a percent-encoded URN
        if not urn.startswith(POST_PREFIXES):
            raise UncertainOutcome("LinkedIn accepted the post but did not say its id.", code="bad_response",
                                   status=r.status_code)
        return PublishResult(remote_id=urn, url=self._post_url(urn))

    def _content(self, http: LinkedInHttp, token: str, org: str, request: PublishRequest) -> dict[str, Any]:
        for media in request.media:
            if media.kind not in ("image", "document"):
                raise PermanentError(f"LinkedIn does not accept {media.kind!r} media.", code="unsupported_media")
            if media.kind == "document" and media.size > MAX_DOCUMENT_BYTES:
                raise PermanentError("LinkedIn accepts documents up to 100 MB.", code="document_too_large")
        uploader = MediaUploader(http, token, api_base=self._url("api_base_url"), owner=org,
                                 timeout=float(self._cfg("media_processing_timeout_seconds")), sleep=self.sleep)
        urns = [uploader.upload(m) for m in request.media]
        if request.media[0].kind == "document":
            title = request.options.get("document_title") or request.text.strip().split("\n")[0][:200]
            return {"media": {"id": urns[0], "title": str(title or "Document")}}
        images = [{"id": urn, **({"altText": m.alt_text} if m.alt_text else {})}
                  for urn, m in zip(urns, request.media, strict=True)]
        return {"media": images[0]} if len(images) == 1 else {"multiImage": {"images": images}}

    def _post_url(self, urn: str) -> str:
        return f"{self._url('web_base_url')}/feed/update/{urn}"

    def _recent_posts(self, http: LinkedInHttp, token: str, org: str, start: int, count: int) -> list[dict[str, Any]]:
        url = (f"{self._url('api_base_url')}/rest/posts?author={quote(org, safe='')}&q=author"
               f"&count={count}&start={start}&sortBy=CREATED")
        r = http.call("GET", url, token=token, restli_method="FINDER")
        return [e for e in as_dict(json_body(r)).get("elements") or [] if isinstance(e, dict)]

    def find_published(self, account: ConnectedAccount, request: PublishRequest,
                       not_before: datetime) -> PublishResult | None:
        """The page's post with ``request``'s commentary created at or after ``not_before``, read
        from the page's posts newest first; None once the list reaches back past ``not_before``."""
        token, org = _token(account), _org_urn(account)
        since = not_before - CLOCK_SKEW
        wanted = {little_commentary(request.text), request.text}
        with self._http() as http:
            for page in range(LOOKUP_PAGES):
                posts = self._recent_posts(http, token, org, page * LOOKUP_PAGE, LOOKUP_PAGE)
                for post in posts:
                    created = comments.millis(post.get("createdAt"))
                    if created is not None and created < since:
                        return None
                    if post.get("commentary") in wanted and str(post.get("id", "")).startswith(POST_PREFIXES):
                        return PublishResult(remote_id=post["id"], url=self._post_url(post["id"]))
                if len(posts) < LOOKUP_PAGE:
                    return None
        raise UncertainOutcome("The page has posted too much since the attempt to tell whether it went out.",
                               code="lookup_incomplete")

    def delete(self, account: ConnectedAccount, remote_id: str) -> None:
        url = f"{self._url('api_base_url')}/rest/posts/{quote(remote_id, safe='')}"
        try:
            with self._http() as http:
                http.call("DELETE", url, token=_token(account), restli_method="DELETE")
        except PermanentError as exc:
            if exc.status != 404:  # already gone is what deleting wants
                raise

    # ------------------------------------------------------------------ reading
    def fetch_metrics(self, account: ConnectedAccount, remote_ids: list[str]) -> dict[str, dict[str, int]]:
        token, org = _token(account), _org_urn(account)
        ids = [i for i in dict.fromkeys(remote_ids) if i.startswith(POST_PREFIXES)]
        result: dict[str, dict[str, int]] = {}
        with self._http() as http:
            for at in range(0, len(ids), METRICS_BATCH):
                batch = ids[at:at + METRICS_BATCH]
                query = "".join(
                    f"&{param}=List({','.join(quote(i, safe='') for i in batch if i.startswith(prefix))})"
                    for param, prefix in (("shares", POST_PREFIXES[0]), ("ugcPosts", POST_PREFIXES[1]))
                    if any(i.startswith(prefix) for i in batch))
                url = (f"{self._url('api_base_url')}/rest/organizationalEntityShareStatistics?q=organizationalEntity"
                       f"&organizationalEntity={quote(org, safe='')}{query}")
                for e in as_dict(json_body(http.call("GET", url, token=token, restli_method="FINDER"))).get(
                        "elements") or []:
                    post = as_dict(e).get("share") or as_dict(e).get("ugcPost")
                    stats = as_dict(as_dict(e).get("totalShareStatistics"))
                    if post in batch:
                        result[post] = {name: int(stats[key]) for key, name in METRICS.items()
                                        if isinstance(stats.get(key), int) and not isinstance(stats[key], bool)}
        return result

    def fetch_mentions(self, account: ConnectedAccount, since: str | None) -> MentionPage:
        """Comments newer than ``since`` (epoch milliseconds of the newest seen) on the page's
        latest ``inbox_posts`` posts. LinkedIn does not tell pages about other mentions."""
        token, org = _token(account), _org_urn(account)
        after = int(since) if since and since.isascii() and since.isdigit() else None
        items, newest = [], after
        with self._http() as http:
            posts = self._recent_posts(http, token, org, 0, int(self._cfg("inbox_posts")))
            for post in posts:
                urn = post.get("id")
                if not isinstance(urn, str) or not urn.startswith(POST_PREFIXES):
                    continue
                for element in comments.read_comments(http, token, self._url("api_base_url"), urn)[0]:
                    when = as_dict(element.get("created")).get("time")
                    item = comments.comment_item(element, urn, org, self._url("web_base_url"))
                    if item is None or not isinstance(when, int) or (after is not None and when <= after):
                        continue
                    items.append(item)
                    newest = max(newest or 0, when)
        return MentionPage(items=items, cursor=str(newest) if newest is not None else None)

    # ------------------------------------------------------------------ replying
    def validate_reply(self, request: ReplyRequest, now: datetime) -> list[Problem]:
        problems = super().validate_reply(request, now)
        if request.kind != "dm" and not (request.in_reply_to or request.root_id):
            problems.append(Problem("in_reply_to", "missing", "A LinkedIn reply needs the comment or post it answers."))
        return problems

    def send_reply(self, account: ConnectedAccount, request: ReplyRequest) -> ReplyResult:
        if request.kind == "dm":
            raise PermanentError("LinkedIn pages cannot send direct messages.", code="unsupported")
        token, org = _token(account), _org_urn(account)
        target, body = comments.reply_call(request, org)
        if not target:
            raise PermanentError("A LinkedIn reply needs the comment or post it answers.", code="no_target")
        with self._http() as http:
            r = http.call("POST", comments.comments_url(self._url("api_base_url"), target), token=token,
                          json=body, creates=True)
        urn = comments.created_urn(r, body)
        if urn is None:
            raise UncertainOutcome("LinkedIn accepted the comment but did not say its id.", code="bad_response")
        return ReplyResult(remote_id=urn, url=self._post_url(request.root_id) if request.root_id else None)

    def find_reply(self, account: ConnectedAccount, request: ReplyRequest,
                   not_before: datetime) -> ReplyResult | None:
        """The page's comment with ``request``'s text under the same comment or post, made at or
        after ``not_before``; None if every page of comments was read and it is not there."""
        token, org = _token(account), _org_urn(account)
        target, _ = comments.reply_call(request, org)
        since = not_before - CLOCK_SKEW
        with self._http() as http:
            found, complete = comments.read_comments(http, token, self._url("api_base_url"), target)
        for element in found:
            created = comments.millis(as_dict(element.get("created")).get("time"))
            urn = comments.comment_urn(element)
            if (element.get("actor") == org and comments.comment_text(element) == request.text and urn
                    and created is not None and created >= since):
                return ReplyResult(remote_id=urn, url=self._post_url(request.root_id) if request.root_id else None)
        if not complete:
            raise UncertainOutcome("Too many comments to tell whether the answer went out.", code="lookup_incomplete")
        return None

