"""Routes of redirect identity providers (SAML, OIDC), per tenant and provider:

``/auth/sso/<tenant slug>/<provider key>/login``     start: redirect (or auto-post) to the IdP
``/auth/sso/<tenant slug>/<provider key>/callback``  GET or POST: the IdP's answer → a session
``/auth/sso/<tenant slug>/<provider key>/metadata``  what the provider publishes (SAML SP metadata)
``/auth/sso/<tenant slug>/<provider key>/logout``    end the Herald session, then the IdP's

What ``begin`` asks Herald to keep is stored server-side; the browser holds only a short-lived
signed cookie naming it, and each record works once. Every sign-in and every refusal is audited
with the precise reason; the person sees only a general message."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, current_app, g, redirect, render_template, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, select
from werkzeug.exceptions import NotFound as HttpNotFound

from herald import audit
from herald.api.context import client_address, csrf_exempt, db, runtime, set_session_cookie
from herald.auth import sessions
from herald.auth.models import SsoState
from herald.auth.provider import AuthProvider, ExternalIdentity, SsoContext, SsoRefused
from herald.auth.replay import replay_cache
from herald.auth.sso import STATE_TTL_SECONDS, SsoDeprovisioned, resolve_user
from herald.clock import utcnow
from herald.plugin_host.crypto import SecretsUnreadable
from herald.tenancy.models import Tenant
from herald.web.pages import N_, refusal, safe_relay
from herald.web.request_trust import public_base

log = logging.getLogger(__name__)
bp = Blueprint("sso", __name__, url_prefix="/auth/sso")
STATE_COOKIE = "herald_sso_state"
GENERAL = N_("Single sign-on did not succeed. Try again, or ask your administrator.")
REFUSED = N_("Sign-in refused")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="herald.sso.state")


def _provider(slug: str, key: str) -> tuple[Tenant, AuthProvider]:
    session = db()
    tenant = session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()
    if tenant is None or tenant.status != "active":
        raise HttpNotFound()
    g.page_tenant = tenant  # the language of the pages shown on the way
    provider = runtime().plugins.for_tenant(session, tenant.id).instance("herald_auth_providers", key)
    if provider is None or not getattr(provider, "redirects", False):
        raise HttpNotFound()
    # End the read transaction: the provider may use the database replay cache, which writes in
    # its own transaction (and SQLite allows one writer at a time).
    session.commit()
    return tenant, provider  # type: ignore[return-value]


def sso_context(tenant: Tenant, key: str) -> SsoContext:
    base = public_base()
    return SsoContext(tenant_id=tenant.id, tenant_slug=tenant.slug, base_url=f"{base}/auth/sso/{tenant.slug}/{key}",
                      replay=replay_cache(runtime()))


def _state_cookie_args() -> dict[str, Any]:
    secure = runtime().settings.session_cookie_secure
    # The SAML POST binding comes back as a cross-site POST, which a Lax cookie would miss;
    # browsers accept SameSite=None only on Secure cookies.
    return {"secure": secure, "httponly": True, "samesite": "None" if secure else "Lax", "path": "/auth/sso/"}


@bp.get("/<slug>/<key>/login")
def login(slug: str, key: str) -> Response:
    tenant, provider = _provider(slug, key)
    ctx = sso_context(tenant, key)
    relay = safe_relay(request.args.get("next"))
    try:
        start = provider.begin(ctx, relay)
    except SsoRefused as exc:
        return _refuse(tenant, key, exc.reason)
    session = db()
    record = SsoState(tenant_id=tenant.id, provider=key, state=dict(start.state), relay=relay,
                      expires_at=utcnow() + timedelta(seconds=STATE_TTL_SECONDS))
    session.add(record)
    session.commit()
    if start.form is not None:
        resp = Response(render_template("sso_post.html", action=start.redirect_url, fields=dict(start.form),
                                        nonce=secrets.token_urlsafe(12)), mimetype="text/html")
    else:
        resp = redirect(start.redirect_url, code=302)
    resp.set_cookie(STATE_COOKIE, _serializer().dumps(record.id), max_age=STATE_TTL_SECONDS, **_state_cookie_args())
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _take_state(tenant: Tenant, key: str) -> tuple[dict[str, str] | None, str | None]:
    """(state, relay) the cookie names, consumed; (None, None) without a cookie (IdP-initiated).
    Raises :class:`SsoRefused` for a cookie naming no usable record."""
    raw = request.cookies.get(STATE_COOKIE)
    if not raw:
        return None, None
    try:
        record_id = _serializer().loads(raw, max_age=STATE_TTL_SECONDS)
    except BadSignature as exc:
        raise SsoRefused("sign-in state cookie is forged or expired") from exc
    session = db()
    record = session.get(SsoState, record_id) if isinstance(record_id, str) else None
    if record is None:
        raise SsoRefused("sign-in state unknown or already used")
    if record.tenant_id != tenant.id or record.provider != key:
        raise SsoRefused("sign-in state belongs to another tenant or provider")
    state, relay, expires = dict(record.state), record.relay, record.expires_at
    # One use: whoever deletes the row owns it, even with two callbacks racing.
    taken = session.execute(delete(SsoState).where(SsoState.id == record.id)).rowcount
    session.commit()
    if taken != 1:
        raise SsoRefused("sign-in state already used")
    if expires <= utcnow():
        raise SsoRefused("sign-in state expired")
    return state, relay


@bp.route("/<slug>/<key>/callback", methods=["GET", "POST"])
@csrf_exempt
def callback(slug: str, key: str) -> Response:
    tenant, provider = _provider(slug, key)
    ctx = sso_context(tenant, key)
    params = {k: v for k, v in request.args.items()}
    if request.method == "POST":
        params.update({k: v for k, v in request.form.items()})
    session = db()
    identity: ExternalIdentity | None = None
    try:
        state, relay = _take_state(tenant, key)
        if state is None:  # IdP-initiated: the IdP may say where to go (on this site only)
            relay = safe_relay(params.get("RelayState"))
        session.commit()  # no open transaction while the provider uses the replay cache
        try:
            identity = provider.complete(ctx, params, state)
        except SsoRefused:
            raise
        except Exception as exc:  # a provider bug must not become a stack trace or a sign-in
            log.exception("identity provider %s failed for tenant %s", key, tenant.id)
            raise SsoRefused(f"provider error: {type(exc).__name__}") from exc
        if not isinstance(identity, ExternalIdentity):
            raise SsoRefused("provider returned no identity")
        user, outcome = resolve_user(session, tenant, key, provider.settings, identity)
    except SsoRefused as exc:
        if not isinstance(exc, SsoDeprovisioned):  # a deprovisioning decided at sign-in stands
            session.rollback()
        return _refuse(tenant, key, exc.reason, subject=identity)
    assert identity is not None
    row, cookie = sessions.start(
        session, user, runtime().settings, via=f"sso:{key}", address=client_address(),
        user_agent=request.headers.get("User-Agent"), presented=request.cookies.get(sessions.COOKIE),
        sso=sessions.SsoDetails(key, identity.subject, identity.session_index, identity.session_expires_at,
                                _sealed_attributes(provider, identity)))
    audit.record(session, sessions.actor_for(user, row), "auth.sso_signed_in", "user", user.id, tenant_id=tenant.id,
                 context={"provider": key, "subject": identity.subject, "address": client_address(),
                          "groups": list(identity.groups), "roles": list(identity.roles), **outcome})
    session.commit()
    set_session_cookie(cookie)
    resp = redirect(relay or "/", code=303)
    resp.delete_cookie(STATE_COOKIE, **_state_cookie_args())
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _sealed_attributes(provider: AuthProvider, identity: ExternalIdentity) -> str | None:
    kept = {name: value for name in getattr(provider, "session_attributes", ())
            if isinstance(value := identity.attributes.get(name), str) and value}
    return runtime().box.seal(kept) if kept else None


def _opened_attributes(row: Any) -> dict[str, object]:
    try:
        return runtime().box.open(row.sso_attributes)
    except SecretsUnreadable:  # keys rotated away: sign out without the hint rather than fail
        log.warning("the sign-out attributes of session %s cannot be decrypted", row.id)
        return {}


def _refuse(tenant: Tenant, key: str, reason: str, subject: ExternalIdentity | None = None) -> Response:
    session = db()
    context: dict[str, Any] = {"provider": key, "reason": reason, "address": client_address()}
    if subject is not None:
        context.update(subject=subject.subject, email=subject.email)
    audit.record(session, None, "auth.sso_refused", "sso_provider", key, tenant_id=tenant.id, context=context)
    session.commit()
    resp = refusal(401, REFUSED, GENERAL, "sso-refused", back=f"/sign-in/{tenant.slug}")
    resp.delete_cookie(STATE_COOKIE, **_state_cookie_args())
    return resp


@bp.get("/<slug>/<key>/metadata")
def metadata(slug: str, key: str) -> Response:
    tenant, provider = _provider(slug, key)
    found = provider.metadata(sso_context(tenant, key))
    if found is None:
        raise HttpNotFound()
    content_type, body = found
    return Response(body, mimetype=content_type)


@bp.route("/<slug>/<key>/logout", methods=["GET", "POST"])
@csrf_exempt
def logout(slug: str, key: str) -> Response:
    """End this browser's Herald session, then send it to the identity provider's logout if
    the provider has one. Exempt from CSRF: ending one's own session is harmless."""
    tenant, provider = _provider(slug, key)
    session = db()
    row = sessions.lookup(session, request.cookies.get(sessions.COOKIE))
    identity = None
    if row is not None and row.tenant_id == tenant.id:
        if row.sso_provider == key and row.sso_subject:
            identity = ExternalIdentity(subject=row.sso_subject, email="", session_index=row.sso_session_index,
                                        attributes=_opened_attributes(row))
        sessions.end(session, row, "signed_out")
        session.commit()
    set_session_cookie(None)
    base = public_base()
    return_to = f"{base}/sign-in/{tenant.slug}"
    target = provider.logout_url(sso_context(tenant, key), identity, return_to)
    return redirect(target or f"/sign-in/{tenant.slug}", code=303)
