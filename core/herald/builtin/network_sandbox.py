"""The sandbox network: a social network living inside Herald, so that everything — connecting
an account, publishing, looking a post up, deleting it, reading metrics — works with no
internet. Its posts are rows of ``network_sandbox_posts``; its feed is a console page
(``/console/x/network_sandbox/<tenant id>/``). The demo tenant publishes here.

Customers engage with the sandbox accounts too (:mod:`~herald.builtin.network_sandbox_engagement`):
mentions, comments and direct messages the inbox reads and answers. With the tenant setting
``simulate_customers`` on, every read first lets simulated customers write
(:mod:`~herald.builtin.network_sandbox_customers`), so the inbox fills while Herald polls."""

from __future__ import annotations

import hashlib
import random
import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from herald.builtin import network_sandbox_engagement as engagement
from herald.builtin.network_sandbox_customers import DEFAULT_PER_MINUTE, simulate_customers
from herald.builtin.network_sandbox_feed import MENU_LABEL, blueprint
from herald.builtin.network_sandbox_models import SandboxAccountState, SandboxEngagement, SandboxPost
from herald.clock import utcnow
from herald.plugins import (
    AuthExpired,
    AuthRevoked,
    Capabilities,
    ConnectedAccount,
    ConsoleExtension,
    DuplicateContent,
    MentionPage,
    MenuEntry,
    NetworkConnector,
    NetworkError,
    PermanentError,
    PluginSettings,
    PublishRequest,
    PublishResult,
    RateLimited,
    RemoteProfile,
    ReplyRequest,
    ReplyResult,
    TokenSet,
    TransientError,
    UncertainOutcome,
    hookimpl,
)

HERALD_HOOK_API = "1.0"
#: off unless a tenant enables it (the demo tenant does): production tenants publish to real networks
HERALD_DEFAULT_ENABLED = False
NAME = "network_sandbox"


def _db():  # type: ignore[no-untyped-def]
    from herald.runtime import current

    return current().db


class SandboxConnector(NetworkConnector):
    key = "sandbox"
    display_name = "Sandbox"
    capabilities = Capabilities(max_text_length=500, media_kinds=("image", "video", "gif"), max_media=4,
                                supports_delete=True, supports_metrics=True, supports_lookup=True,
                                supports_first_comment=False, supports_mentions=True,
                                supports_direct_messages=True, supports_replies=True,
                                max_reply_length=engagement.MAX_REPLY_LENGTH, max_dm_length=engagement.MAX_DM_LENGTH,
                                # Instagram's 24-hour rule, so that the inbox can show it with no internet
                                dm_reply_window_s=int(engagement.DM_WINDOW.total_seconds()),
                                min_poll_interval_s=5)

    # ------------------------------------------------------------------ publishing
    def publish(self, account: ConnectedAccount, request: PublishRequest) -> PublishResult:
        latency = float(self.settings.get("latency_ms") or 0)
        if latency:
            time.sleep(latency / 1000)
        _fail_on_demand(request.text)
        with _db().transaction() as session:
            post = SandboxPost(tenant_id=self.tenant_id, account_remote_id=account.remote_id or account.id,
                               handle=account.handle, text=request.text, media_count=len(request.media),
                               language=request.language, marker=request.publication_id)
            session.add(post)
            session.flush()
            result = PublishResult(remote_id=post.id, url=self._url(post.id))
        if UNCERTAIN in request.text:
            raise UncertainOutcome("The sandbox timed out after the post was sent.")
        return result

    def find_published(self, account: ConnectedAccount, request: PublishRequest,
                       not_before: datetime) -> PublishResult | None:
        with _db().transaction() as session:
            post = session.execute(select(SandboxPost).where(
                SandboxPost.tenant_id == self.tenant_id, SandboxPost.marker == request.publication_id,
                SandboxPost.created_at >= not_before, SandboxPost.deleted_at.is_(None))
                .order_by(SandboxPost.created_at)).scalars().first()
            return PublishResult(remote_id=post.id, url=self._url(post.id)) if post else None

    def delete(self, account: ConnectedAccount, remote_id: str) -> None:
        with _db().transaction() as session:
            post = session.get(SandboxPost, remote_id)
            if post is not None and post.tenant_id == self.tenant_id and post.deleted_at is None:
                post.deleted_at = utcnow()

    def fetch_metrics(self, account: ConnectedAccount, remote_ids: list[str]) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        with _db().transaction() as session:
            for post in session.scalars(select(SandboxPost).where(SandboxPost.tenant_id == self.tenant_id,
                                                                  SandboxPost.id.in_(remote_ids))).all():
                # views grow with age so that reports have something to show
                age_h = int((utcnow() - post.created_at).total_seconds() // 3600)
                out[post.id] = {"views": post.views + 10 * age_h, "likes": post.likes}
        return out

    def _url(self, remote_id: str) -> str:
        return f"/console/x/{NAME}/{self.tenant_id}/#{remote_id}"

    # ------------------------------------------------------------------ engagement
    def fetch_mentions(self, account: ConnectedAccount, since: str | None) -> MentionPage:
        return self._read(account, since, "mentions", engagement.PUBLIC_KINDS)

    def fetch_direct_messages(self, account: ConnectedAccount, since: str | None) -> MentionPage:
        return self._read(account, since, "dms", ("dm",))

    def _read(self, account: ConnectedAccount, since: str | None, read: str, kinds: tuple[str, ...]) -> MentionPage:
        now = utcnow()
        key = engagement.account_key(account)
        with _db().transaction() as session:
            budget = engagement.count_read(session, self.tenant_id, key, read, now)
            if self.settings.get("simulate_customers"):
                state = engagement.lock_state(session, self.tenant_id, key)
                # seeded by where the account stands, so a replayed poll meets the same customers
                rng = random.Random(f"{self.tenant_id}:{key}:{state.last_seq}:{now.isoformat()}")
                simulate_customers(session, self.tenant_id, account, now, rng,
                                   per_minute=float(self.settings.get("customers_per_minute") or DEFAULT_PER_MINUTE))
            rows, cursor = engagement.read_changes(session, self.tenant_id, key, kinds, since)
            return MentionPage(items=[engagement.as_mention(r) for r in rows], cursor=cursor, budget=budget)

    def send_reply(self, account: ConnectedAccount, request: ReplyRequest) -> ReplyResult:
        _fail_on_demand(request.text)
        with _db().transaction() as session:
            result = engagement.reply_result(engagement.store_reply(session, self.tenant_id, account, request,
                                                                    utcnow()))
        if UNCERTAIN in request.text:
            raise UncertainOutcome("The sandbox timed out after the reply was sent.")
        return result

    def find_reply(self, account: ConnectedAccount, request: ReplyRequest,
                   not_before: datetime) -> ReplyResult | None:
        with _db().transaction() as session:
            return engagement.find_reply(session, self.tenant_id, account, request.reply_id, not_before)

    # ------------------------------------------------------------------ connecting
    def authorize_url(self, state: str, redirect_uri: str, code_verifier: str) -> str:
        # The sandbox approves at once: straight back to Herald with a code bound to the verifier.
        challenge = hashlib.sha256(code_verifier.encode()).hexdigest()[:32]
        sep = "&" if "?" in redirect_uri else "?"
        return f"{redirect_uri}{sep}{urlencode({'state': state, 'code': f'sbx-code-{challenge}'})}"

    def exchange_code(self, code: str, redirect_uri: str, code_verifier: str) -> TokenSet:
        challenge = hashlib.sha256(code_verifier.encode()).hexdigest()[:32]
        if code != f"sbx-code-{challenge}":
            raise AuthRevoked("invalid_grant: the code does not match the PKCE verifier", code="invalid_grant")
        return self._tokens(secrets.token_urlsafe(16))

    def refresh(self, tokens: TokenSet) -> TokenSet:
        if not tokens.refresh_token or not tokens.refresh_token.startswith("sbx-rt-"):
            raise AuthRevoked("invalid_grant: unknown refresh token", code="invalid_grant")
        return TokenSet(access_token=f"sbx-at-{secrets.token_urlsafe(16)}", refresh_token=None,
                        expires_at=utcnow() + timedelta(hours=2))

    def profile(self, tokens: TokenSet) -> RemoteProfile:
        digest = hashlib.sha256(tokens.access_token.encode()).hexdigest()[:12]
        return RemoteProfile(remote_id=f"sandbox-{digest}", handle=f"sandbox_{digest[:6]}", display_name="Sandbox")

    def _tokens(self, seed: str) -> TokenSet:
        return TokenSet(access_token=f"sbx-at-{seed}", refresh_token=f"sbx-rt-{secrets.token_urlsafe(16)}",
                        expires_at=utcnow() + timedelta(hours=2), scope="publish read")


#: text markers that make the sandbox fail the way real networks do (for demos and tests), in a
#: post or in a reply
FAILURES: dict[str, Callable[[], NetworkError]] = {
    "[sandbox:transient]": lambda: TransientError("The sandbox is briefly unavailable (503).", status=503),
    "[sandbox:rate_limit]": lambda: RateLimited("Too many posts on the sandbox; try again in a minute.",
                                                reset_at=utcnow() + timedelta(minutes=1), status=429),
    "[sandbox:permanent]": lambda: PermanentError("The sandbox refuses this post for good.", code="refused",
                                                  status=403),
    "[sandbox:duplicate]": lambda: DuplicateContent("The sandbox already has this post.", code="duplicate"),
    "[sandbox:expired]": lambda: AuthExpired("The sandbox access token expired.", status=401),
    "[sandbox:revoked]": lambda: AuthRevoked("The sandbox grant was revoked.", code="invalid_grant"),
}
#: this one creates the post (or reply), then "times out": the engine must find it, not send it again
UNCERTAIN = "[sandbox:uncertain]"


def _fail_on_demand(text: str) -> None:
    for marker, make in FAILURES.items():
        if marker in text:
            raise make()


class SandboxSettings(Schema):
    latency_ms = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000),
                                metadata={"description": "Delay every publish by this much (to feel a network)."})
    simulate_customers = fields.Boolean(load_default=False, metadata={
        "description": "Let simulated customers write to the sandbox accounts whenever Herald reads them."})
    customers_per_minute = fields.Float(load_default=DEFAULT_PER_MINUTE, validate=validate.Range(min=0, max=30),
                                        metadata={"description": "How often simulated customers write to each "
                                                                 "account, on average, per minute."})


@hookimpl(trylast=True)
def herald_network_connectors() -> list[type[NetworkConnector]]:
    return [SandboxConnector]


@hookimpl(trylast=True)
def herald_plugin_settings() -> PluginSettings:
    return PluginSettings(SandboxSettings)


@hookimpl(trylast=True)
def herald_console_extensions() -> list[ConsoleExtension]:
    return [ConsoleExtension(blueprint(), [MenuEntry(MENU_LABEL, f"{NAME}.home", "posts.view", scope="tenant")])]


def feed_link(tenant_id: str) -> dict[str, Any]:
    return {"href": f"/console/x/{NAME}/{tenant_id}/"}


__all__ = ["FAILURES", "UNCERTAIN", "SandboxAccountState", "SandboxConnector", "SandboxEngagement", "SandboxPost",
           "SandboxSettings", "feed_link", "simulate_customers"]
