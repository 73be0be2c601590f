"""The signed-in user: profile, personal API tokens, and password sign-in that issues a token."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from herald.api.blueprint import bp
from herald.api.context import actor, client_address, csrf_exempt, db, runtime
from herald.api.endpoint import endpoint
from herald.api.pagination import paginate
from herald.api.schemas.common import ListQuery
from herald.api.schemas.identity import PasswordTokenIssued, ScopedTokenCreate, ScopedTokenIssued, ScopedTokenOut
from herald.api.schemas.people import MeOut, PasswordLogin
from herald.auth import signin, tokens
from herald.clock import utcnow
from herald.errors import Forbidden
from herald.people.models import ApiToken, User

TAG = "Me"


@endpoint(bp, "/me", "GET", summary="Who am I", tag=TAG, response=MeOut)
def me():  # type: ignore[no-untyped-def]
    return db().get(User, actor().user_id)


@endpoint(bp, "/me/tokens", "GET", summary="My API tokens, newest first", tag=TAG, query=ListQuery,
          response=ScopedTokenOut, many=True)
def my_tokens(query: dict[str, Any]):  # type: ignore[no-untyped-def]
    stmt = select(ApiToken).where(ApiToken.user_id == actor().user_id)
    return paginate(db(), stmt, [ApiToken.created_at, ApiToken.id], query["limit"], query["cursor"], descending=True)


def _issued(token: Any, secret: str) -> dict[str, Any]:
    fields = ("id", "name", "kind", "scopes", "user_id", "created_at", "expires_at", "last_used_at",
              "last_used_address", "revoked_at")
    return {**{f: getattr(token, f) for f in fields}, "token": secret}


@endpoint(bp, "/me/tokens", "POST", summary="Create an API token (shown once), optionally limited to scopes",
          tag=TAG, body=ScopedTokenCreate, response=ScopedTokenIssued, status=201)
def create_token(body: dict[str, Any]):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    user = session.get(User, who.user_id)
    if user is None or user.kind != "person":
        raise Forbidden("Service principals do not create tokens; a tenant administrator does.")
    scopes = body.get("scopes")
    if who.permission_cap is not None:
        # A scoped token cannot mint a token broader than itself.
        from herald.auth.scopes import SCOPES

        within = [s for s in SCOPES if SCOPES[s] <= who.permission_cap]
        if scopes is None or not set(scopes) <= set(within):
            raise Forbidden(f"This token may only create tokens with the scopes {', '.join(within) or 'none'}.")
    days = body.get("expires_in_days")
    token, secret = tokens.issue_token(session, who, user, body["name"],
                                       utcnow() + timedelta(days=days) if days else None, scopes=scopes)
    session.commit()
    return _issued(token, secret)


@endpoint(bp, "/me/tokens/<token_id>", "DELETE", summary="Revoke one of my API tokens", tag=TAG, status=204)
def revoke_token(token_id: str):  # type: ignore[no-untyped-def]
    tokens.revoke_token(db(), actor(), token_id)
    db().commit()


@endpoint(bp, "/auth/password", "POST", summary="Sign in with email and password; returns an API token",
          tag="Auth", body=PasswordLogin, response=PasswordTokenIssued, status=201, public=True,
          problems=(401, 429))
@csrf_exempt
def password_login(body: dict[str, Any]):  # type: ignore[no-untyped-def]
    session, rt = db(), runtime()
    done = signin.password_sign_in(session, rt, body["tenant"], body["email"], body["password"],
                                   body.get("totp_code"), client_address())
    who = tokens.actor_for_user(done.user, via="password")
    token, secret = tokens.issue_token(session, who, done.user, body["token_name"],
                                       utcnow() + timedelta(days=body["expires_in_days"]))
    session.commit()
    return {**_issued(token, secret), "tenant_id": done.user.tenant_id}
