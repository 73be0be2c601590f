"""A small redirect identity provider for the SSO route tests: ``begin`` sends the browser to
``https://idp.test/authorize`` with a nonce kept by Herald; ``complete`` accepts an answer
carrying that nonce and a fresh assertion id (checked against Herald's replay cache)."""

from __future__ import annotations

import secrets
import types
from collections.abc import Mapping
from datetime import timedelta

from marshmallow import Schema, fields

from herald.clock import utcnow
from herald.plugins import (
    AuthProvider,
    ExternalIdentity,
    PluginSettings,
    SsoContext,
    SsoRefused,
    SsoStart,
    hookimpl,
)

CALLS: list[str] = []


class FakeIdpSettings(Schema):
    jit_provisioning = fields.Boolean(load_default=False)
    require_mapped_group = fields.Boolean(load_default=False)
    post_binding = fields.Boolean(load_default=False)
    allow_idp_initiated = fields.Boolean(load_default=False)


class FakeIdp(AuthProvider):
    key = "fakeidp"
    display_name = "Fake IdP"
    redirects = True
    session_attributes = ("logout_hint",)

    def begin(self, ctx: SsoContext, relay: str | None) -> SsoStart:
        nonce = secrets.token_urlsafe(8)
        url = f"https://idp.test/authorize?nonce={nonce}&acs={ctx.callback_url}"
        if self.settings.get("post_binding"):
            return SsoStart(redirect_url="https://idp.test/post", state={"nonce": nonce},
                            form={"SAMLRequest": nonce, "RelayState": relay or ""})
        return SsoStart(redirect_url=url, state={"nonce": nonce})

    def complete(self, ctx: SsoContext, params: Mapping[str, str], state: Mapping[str, str] | None
                 ) -> ExternalIdentity:
        if state is None and not self.settings.get("allow_idp_initiated"):
            raise SsoRefused("unsolicited response: no sign-in was started")
        if state is not None and params.get("nonce") != state.get("nonce"):
            raise SsoRefused("nonce does not match the sign-in request")
        if params.get("error"):
            raise SsoRefused(f"idp error: {params['error']}")
        if not ctx.replay.first_use(f"fakeidp:{params['assertion_id']}", utcnow() + timedelta(minutes=5)):
            raise SsoRefused(f"assertion {params['assertion_id']} replayed")
        groups = tuple(g for g in params.get("groups", "").split(",") if g)
        ends = utcnow() + timedelta(minutes=int(params["session_minutes"])) if params.get("session_minutes") else None
        return ExternalIdentity(subject=params["sub"], email=params["email"], display_name=params.get("name", ""),
                                groups=groups, session_index=params.get("sid"), session_expires_at=ends,
                                attributes={k: params[k] for k in ("logout_hint", "access_token") if k in params})

    def metadata(self, ctx: SsoContext) -> tuple[str, bytes] | None:
        return "application/samlmetadata+xml", f"<EntityDescriptor entityID='{ctx.metadata_url}'/>".encode()

    def logout_url(self, ctx: SsoContext, identity: ExternalIdentity | None, return_to: str) -> str | None:
        sid = identity.session_index if identity else ""
        hint = identity.attributes.get("logout_hint", "") if identity else ""
        return f"https://idp.test/logout?sid={sid}&return={return_to}&hint={hint}"


def plugin() -> object:
    @hookimpl
    def herald_auth_providers():  # type: ignore[no-untyped-def]
        return [FakeIdp]

    @hookimpl
    def herald_plugin_settings():  # type: ignore[no-untyped-def]
        return PluginSettings(FakeIdpSettings)

    module = types.ModuleType("fakeidp_plugin", "A fake redirect identity provider.")
    module.HERALD_HOOK_API = "1.0"  # type: ignore[attr-defined]
    module.HERALD_DEFAULT_ENABLED = True  # type: ignore[attr-defined]
    module.herald_auth_providers = herald_auth_providers  # type: ignore[attr-defined]
    module.herald_plugin_settings = herald_plugin_settings  # type: ignore[attr-defined]
    return module
