"""The minimal server-rendered sign-in page ``/sign-in/<tenant slug>`` (no external assets):
local sign-in when the tenant has it, and a button per SSO provider the tenant enabled; plus the
pages emailed links lead to (accept an invitation, reset a password) and "forgot password".

Forms carry a token that must match a cookie set with the page (double submit), so another site
cannot sign a browser in to an account of its choosing (login CSRF)."""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from flask import Blueprint, Response, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.exceptions import NotFound as HttpNotFound

from herald.api.context import client_address, csrf_exempt, db, runtime, set_session_cookie
from herald.auth import links, sessions, signin
from herald.console.i18n import preview_language
from herald.errors import HeraldError
from herald.tenancy.models import Tenant
from herald.web.pages import safe_relay
from herald.web.request_trust import public_base

bp = Blueprint("sign_in", __name__, url_prefix="/sign-in")
FORM_COOKIE = "herald_form_token"
MIN_PASSWORD = 12


def _tenant(slug: str) -> Tenant:
    tenant = db().execute(select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()
    if tenant is None or tenant.status != "active":
        raise HttpNotFound()
    g.page_tenant = tenant  # its default language applies when the browser names none we speak
    return tenant


def _page(template: str, status: int = 200, **context: Any) -> Response:
    token = request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(24)
    resp = Response(render_template(template, form_token=token, **context), status=status, mimetype="text/html")
    resp.set_cookie(FORM_COOKIE, token, httponly=True, samesite="Strict", path="/sign-in/",
                    secure=runtime().settings.session_cookie_secure)
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' https:"
    resp.headers["X-Frame-Options"] = "DENY"
    return resp


def _form_ok() -> bool:
    cookie, field = request.cookies.get(FORM_COOKIE, ""), request.form.get("form_token", "")
    return bool(cookie) and hmac.compare_digest(cookie.encode(), field.encode())


def _choices(tenant: Tenant) -> tuple[bool, list[dict[str, str]]]:
    classes = runtime().plugins.for_tenant(db(), tenant.id).classes("herald_auth_providers")
    local = any(c.key == "local" for c in classes)
    providers = [{"name": c.display_name or c.key, "url": f"/auth/sso/{tenant.slug}/{c.key}/login"}
                 for c in classes if getattr(c, "redirects", False)]
    return local, providers


def _sign_in_page(tenant: Tenant, status: int = 200, **context: Any) -> Response:
    local, providers = _choices(tenant)
    return _page("sign_in.html", status, tenant=tenant, local=local, providers=providers,
                 next=context.pop("next", None) or safe_relay(request.args.get("next")), **context)


@bp.get("/<slug>")
def page(slug: str) -> Response:
    return _sign_in_page(_tenant(slug))


@bp.post("/<slug>")
@csrf_exempt
def sign_in(slug: str) -> Response:
    tenant = _tenant(slug)
    relay = safe_relay(request.form.get("next"))
    email = request.form.get("email", "")[:320]
    if not _form_ok():
        return _sign_in_page(tenant, 400, error=_("The form expired; please try again."), email=email, next=relay)
    session = db()
    try:
        done = signin.password_sign_in(session, runtime(), tenant.slug, email, request.form.get("password", "")[:200],
                                       request.form.get("totp_code", "")[:40] or None, client_address())
    except signin.SecondFactorRequired:
        return _sign_in_page(tenant, 401, error=_("Enter the code from your authenticator app."), email=email,
                             next=relay, totp=True)
    except signin.TooManyAttempts as exc:
        resp = _sign_in_page(tenant, 429, error=signin.locked_out_message(exc.retry_after), next=relay)
        resp.headers.update(exc.headers)
        return resp
    except HeraldError as exc:
        return _sign_in_page(tenant, exc.status if exc.status < 500 else 401, error=exc.detail, email=email,
                             next=relay)
    _row, cookie = sessions.start(session, done.user, runtime().settings, via="password", address=client_address(),
                                    user_agent=request.headers.get("User-Agent"),
                                    presented=request.cookies.get(sessions.COOKIE))
    session.commit()
    set_session_cookie(cookie)
    return redirect(relay or "/", code=303)


def _link_page(tenant: Tenant, heading: str, button: str, status: int = 200, **context: Any) -> Response:
    return _page("set_password.html", status, tenant=tenant, heading=heading, button=button,
                 token=request.values.get("token", "")[:200], **context)


def _set_password(slug: str, heading: str, button: str, use: Any) -> Response:
    tenant = _tenant(slug)
    if request.method == "GET":
        return _link_page(tenant, heading, button)
    if not _form_ok():
        return _link_page(tenant, heading, button, 400, error=_("The form expired; please try again."))
    password = request.form.get("password", "")
    if not MIN_PASSWORD <= len(password) <= 200:
        return _link_page(tenant, heading, button, 422, error=_("Use at least %(n)s characters.", n=MIN_PASSWORD))
    try:
        use(db(), request.form.get("token", "")[:200], password)
    except HeraldError as exc:
        return _link_page(tenant, heading, button, exc.status, error=exc.detail)
    db().commit()
    return redirect(url_for("sign_in.page", slug=tenant.slug, lang=preview_language()), code=303)


@bp.route("/<slug>/invitation", methods=["GET", "POST"])
@csrf_exempt
def invitation(slug: str) -> Response:
    return _set_password(slug, _("Accept your invitation"), _("Choose password"), links.accept_invitation)


@bp.route("/<slug>/reset", methods=["GET", "POST"])
@csrf_exempt
def reset(slug: str) -> Response:
    return _set_password(slug, _("Choose a new password"), _("Set password"), links.complete_reset)


@bp.route("/<slug>/forgot", methods=["GET", "POST"])
@csrf_exempt
def forgot(slug: str) -> Response:
    tenant = _tenant(slug)
    args = {"heading": _("Reset your password"), "button": _("Email me a link"), "ask_email": True}
    if request.method == "GET":
        return _link_page(tenant, **args)
    if not _form_ok():
        return _link_page(tenant, status=400, error=_("The form expired; please try again."), **args)
    base = public_base()
    links.request_reset(db(), runtime(), tenant.slug, request.form.get("email", "")[:320], base)
    db().commit()
    return _page("message.html", title=_("Check your email"),
                 detail=_("If that address belongs to someone here, a reset link is on its way."),
                 back=url_for("sign_in.page", slug=tenant.slug, lang=preview_language()))
