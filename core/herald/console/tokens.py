"""API tokens: everyone's own (``/console/tokens``) and the tenant's service tokens
(``/console/admin/tokens``, for holders of ``tenant.manage`` as in the API). A new token's secret
is on the answer to the form that created it, once: it is never stored in clear, and the page is
not cached."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Response, request
from flask_babel import gettext as _
from sqlalchemy import select

from herald.api.context import db
from herald.api.schemas.identity import ScopedTokenCreate, ServiceTokenCreate
from herald.auth import service_tokens, tokens
from herald.authz import can, require
from herald.authz.check import in_tenant
from herald.clock import utcnow
from herald.console.blueprint import back, bp, page, tenant, user, who
from herald.console.form_input import problems, run, validated
from herald.console.permission_labels import scopes
from herald.errors import Forbidden, HeraldError
from herald.people.models import ApiToken


def _form(default_scopes: list[str] | None) -> dict[str, Any]:
    form = request.form
    days = form.get("expires_in_days", "").strip()
    values: dict[str, Any] = {"name": form.get("name", "").strip(), "expires_in_days": days or None}
    chosen = form.getlist("scopes")
    values["scopes"] = chosen or default_scopes
    return values


def _expiry(days: int | None) -> Any:
    return utcnow() + timedelta(days=days) if days else None


def _list_page(admin: bool, values: dict[str, Any] | None = None, errors: dict[str, list[str]] | None = None,
               message: str | None = None, issued: tuple[ApiToken, str] | None = None, status: int = 200) -> Response:
    if admin:
        stmt = select(ApiToken).where(ApiToken.tenant_id == tenant().id, ApiToken.kind == "service")
    else:
        stmt = select(ApiToken).where(ApiToken.user_id == user().id)
    rows = db().scalars(stmt.order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all()
    return page("console/tokens.html", status, admin=admin, tokens=rows, scopes=scopes(),
                values=values or {"name": "", "expires_in_days": "", "scopes": []}, errors=errors or {},
                message=message, issued=issued, now=utcnow())


# ----------------------------------------------------------------------------- personal tokens
@bp.get("/tokens")
def my_tokens() -> Response:
    return _list_page(False)


@bp.post("/tokens")
def create_my_token() -> Response:
    values = _form(None)
    try:
        if user().kind != "person":
            raise Forbidden(_("Service principals do not create tokens; a tenant administrator does."))
        body = validated(ScopedTokenCreate, values)
        token, secret = tokens.issue_token(db(), who(), user(), body["name"], _expiry(body.get("expires_in_days")),
                                           scopes=body.get("scopes"))
        db().commit()
    except HeraldError as exc:
        db().rollback()
        return _list_page(False, values, problems(exc), exc.detail, status=exc.status)
    return _list_page(False, issued=(token, secret), status=201)


@bp.post("/tokens/<token_id>/revoke")
def revoke_my_token(token_id: str) -> Response:
    run(lambda: tokens.revoke_token(db(), who(), token_id[:40]), _("The token was revoked."))
    return back("console.my_tokens")


# ----------------------------------------------------------------------------- service tokens
def _require_tenant_manage() -> None:
    require(db(), who(), "tenant.manage", in_tenant(db(), who(), tenant().id))


def may_manage_service_tokens() -> bool:
    return can(db(), who(), "tenant.manage", tenant())


@bp.get("/admin/tokens")
def tenant_tokens() -> Response:
    _require_tenant_manage()
    return _list_page(True)


@bp.post("/admin/tokens")
def create_service_token() -> Response:
    _require_tenant_manage()
    values = _form(["read"])
    try:
        body = validated(ServiceTokenCreate, values)
        token, secret = service_tokens.create(db(), who(), tenant().id, name=body["name"], scopes=body["scopes"],
                                              expires_at=_expiry(body.get("expires_in_days")))
        db().commit()
    except HeraldError as exc:
        db().rollback()
        return _list_page(True, values, problems(exc), exc.detail, status=exc.status)
    return _list_page(True, issued=(token, secret), status=201)


@bp.post("/admin/tokens/<token_id>/revoke")
def revoke_service_token(token_id: str) -> Response:
    _require_tenant_manage()
    run(lambda: service_tokens.revoke(db(), who(), tenant().id, token_id[:40]), _("The token was revoked."))
    return back("console.tenant_tokens")
