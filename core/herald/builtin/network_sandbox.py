"""The sandbox network: a social network living inside Herald, so that everything — connecting
an account, publishing, looking a post up, deleting it, reading metrics — works with no
internet. Its posts are rows of ``network_sandbox_posts``; its feed is a console page
(``/console/x/network_sandbox/<tenant id>/``). The demo tenant publishes here."""

from __future__ import annotations

import hashlib
import html
import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, g
from marshmallow import Schema, fields, validate
from sqlalchemy import ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from herald.clock import utcnow
from herald.db import Base, UTCDateTime
from herald.ids import new_id
from herald.plugins import (
    AuthExpired,
    AuthRevoked,
    Capabilities,
    ConnectedAccount,
    ConsoleExtension,
    DuplicateContent,
    MenuEntry,
    NetworkConnector,
    NetworkError,
    PermanentError,
    PluginSettings,
    PublishRequest,
    PublishResult,
    RateLimited,
    RemoteProfile,
    TokenSet,
    TransientError,
    UncertainOutcome,
    hookimpl,
)

HERALD_HOOK_API = "1.0"
#: off unless a tenant enables it (the demo tenant does): production tenants publish to real networks
HERALD_DEFAULT_ENABLED = False
NAME = "network_sandbox"


class SandboxPost(Base):
    """A post on the sandbox network. ``marker`` is the publication id Herald sent, which is
    how an uncertain attempt is looked up."""

    __tablename__ = "network_sandbox_posts"
    __table_args__ = (Index("ix_network_sandbox_posts_tenant_created", "tenant_id", "created_at"),
                      Index("ix_network_sandbox_posts_marker", "tenant_id", "marker"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("sbx"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    account_remote_id: Mapped[str] = mapped_column(String(200))
    handle: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    media_count: Mapped[int] = mapped_column(Integer, default=0)
    language: Mapped[str | None] = mapped_column(String(16))
    marker: Mapped[str | None] = mapped_column(String(64))
    likes: Mapped[int] = mapped_column(Integer, default=0)
    views: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def _db():  # type: ignore[no-untyped-def]
    from herald.runtime import current

    return current().db


class SandboxConnector(NetworkConnector):
    key = "sandbox"
    display_name = "Sandbox"
    capabilities = Capabilities(max_text_length=500, media_kinds=("image", "video", "gif"), max_media=4,
                                supports_delete=True, supports_metrics=True, supports_lookup=True,
                                supports_first_comment=False)

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


#: text markers that make the sandbox fail the way real networks do (for demos and tests)
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
#: this one creates the post, then "times out": the engine must find it, not post it again
UNCERTAIN = "[sandbox:uncertain]"


def _fail_on_demand(text: str) -> None:
    for marker, make in FAILURES.items():
        if marker in text:
            raise make()


class SandboxSettings(Schema):
    latency_ms = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000),
                                metadata={"description": "Delay every publish by this much (to feel a network)."})


@hookimpl(trylast=True)
def herald_network_connectors() -> list[type[NetworkConnector]]:
    return [SandboxConnector]


@hookimpl(trylast=True)
def herald_plugin_settings() -> PluginSettings:
    return PluginSettings(SandboxSettings)


# ----------------------------------------------------------------------------- the feed page
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sandbox feed</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;color:#222}}
article{{border:1px solid #ddd;border-radius:8px;padding:.75rem 1rem;margin:.75rem 0}}
.meta{{color:#666;font-size:.85rem}} .deleted{{color:#555;text-decoration:line-through}}</style></head>
<body><h1>Sandbox feed</h1><p class="meta">{count} post(s) published by Herald on the sandbox network.</p>
{items}</body></html>"""


def _feed(tenant_id: str) -> Response:
    from herald.authz.check import can, in_tenant
    from herald.errors import HeraldError
    from herald.runtime import current

    actor = g.get("actor")
    if actor is None:
        abort(401)
    rt = current()
    with rt.db.transaction() as session:
        try:
            tenant = in_tenant(session, actor, tenant_id)
        except HeraldError:
            abort(404)
        if NAME not in rt.plugins.enabled_names(session, tenant_id) or not can(session, actor, "posts.view", tenant):
            abort(404)
        posts = session.scalars(select(SandboxPost).where(SandboxPost.tenant_id == tenant_id)
                                .order_by(SandboxPost.created_at.desc()).limit(200)).all()
        items = "\n".join(
            f'<article id="{html.escape(p.id)}" class="{"deleted" if p.deleted_at else ""}" '
            f'lang="{html.escape(p.language or "")}" dir="auto">'
            f'<div class="meta">@{html.escape(p.handle)} · {p.created_at:%Y-%m-%d %H:%M} UTC'
            f'{" · deleted" if p.deleted_at else ""}</div><p>{html.escape(p.text)}</p></article>'
            for p in posts)
    return Response(PAGE.format(count=len(posts), items=items), mimetype="text/html")


@hookimpl(trylast=True)
def herald_console_extensions() -> list[ConsoleExtension]:
    bp = Blueprint(NAME, __name__)
    bp.add_url_rule("/<tenant_id>/", "index", _feed)
    return [ConsoleExtension(bp, [MenuEntry("Sandbox feed", f"{NAME}.index", "posts.view")])]


def feed_link(tenant_id: str) -> dict[str, Any]:
    return {"href": f"/console/x/{NAME}/{tenant_id}/"}
