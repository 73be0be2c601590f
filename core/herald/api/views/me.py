"""The signed-in user: profile, personal API tokens, and password sign-in that issues a token."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import request
from sqlalchemy import select

from herald import audit
from herald.api.blueprint import bp
from herald.api.context import actor, db, runtime
from herald.api.endpoint import endpoint
from herald.api.pagination import paginate
from herald.api.schemas.common import ListQuery
from herald.api.schemas.people import MeOut, PasswordLogin, TokenCreate, TokenIssued, TokenOut
from herald.auth import tokens
from herald.auth.directory import TenantDirectory
from herald.clock import utcnow
from herald.errors import Unauthorized
from herald.people.models import ApiToken, User
from herald.tenancy.models import Tenant

TAG = "Me"


@endpoint(bp, "/me", "GET", summary="Who am I", tag=TAG, response=MeOut)
def me():  # type: ignore[no-untyped-def]
    return db().get(User, actor().user_id)


@endpoint(bp, "/me/tokens", "GET", summary="My API tokens, newest first", tag=TAG, query=ListQuery,
          response=TokenOut, many=True)
def my_tokens(query: dict[str, Any]):  # type: ignore[no-untyped-def]
    stmt = select(ApiToken).where(ApiToken.user_id == actor().user_id)
    return paginate(db(), stmt, [ApiToken.created_at, ApiToken.id], query["limit"], query["cursor"], descending=True)


def _issued(token: Any, secret: str) -> dict[str, Any]:
    fields = ("id", "name", "created_at", "expires_at", "last_used_at", "revoked_at")
    return {**{f: getattr(token, f) for f in fields}, "token": secret}


@endpoint(bp, "/me/tokens", "POST", summary="Create an API token (shown once)", tag=TAG,
          body=TokenCreate, response=TokenIssued, status=201)
def create_token(body: dict[str, Any]):  # type: ignore[no-untyped-def]
    session = db()
    user = session.get(User, actor().user_id)
    days = body.get("expires_in_days")
    token, secret = tokens.issue_token(session, actor(), user, body["name"],
                                       utcnow() + timedelta(days=days) if days else None)
    session.commit()
    return _issued(token, secret)


@endpoint(bp, "/me/tokens/<token_id>", "DELETE", summary="Revoke one of my API tokens", tag=TAG, status=204)
def revoke_token(token_id: str):  # type: ignore[no-untyped-def]
    tokens.revoke_token(db(), actor(), token_id)
    db().commit()


@endpoint(bp, "/auth/password", "POST", summary="Sign in with email and password; returns an API token",
          tag="Auth", body=PasswordLogin, response=TokenIssued, status=201, public=True)
def password_login(body: dict[str, Any]):  # type: ignore[no-untyped-def]
    session, rt = db(), runtime()
    refused = Unauthorized("Those credentials are not valid for this tenant.")
    tenant = session.execute(select(Tenant).where(Tenant.slug == body["tenant"])).scalar_one_or_none()
    if tenant is None or tenant.status != "active":
        raise refused
    provider = rt.plugins.for_tenant(session, tenant.id).instance("herald_auth_providers", "local")
    if provider is None:
        raise refused
    directory = TenantDirectory(session, tenant.id)
    identity = provider.authenticate({"email": body["email"], "password": body["password"]}, directory)  # type: ignore[attr-defined]
    if identity is None:
        audit.record(session, None, "auth.password_failed", "user", None, tenant_id=tenant.id,
                     context={"email": body["email"], "address": request.remote_addr})
        session.commit()
        raise refused
    user = session.get(User, identity.user_id)
    who = tokens.actor_for_user(user, via="password")
    token, secret = tokens.issue_token(session, who, user, body["token_name"],
                                       utcnow() + timedelta(days=body["expires_in_days"]))
    session.commit()
    return _issued(token, secret)
