"""Browser sign-in: sessions (cookie + CSRF token), sign-out, "sign out everywhere", and the
TOTP second factor of the signed-in person."""

from __future__ import annotations

from typing import Any

from flask import g, request
from sqlalchemy import select

from herald import audit
from herald.api.blueprint import bp
from herald.api.context import actor, browser_session, client_address, csrf_exempt, db, runtime, set_session_cookie
from herald.api.endpoint import endpoint
from herald.api.pagination import paginate
from herald.api.schemas.common import ListQuery
from herald.api.schemas.identity import (
    EndedCount,
    InvitationAccept,
    InvitationCreate,
    InvitationOut,
    PasswordResetComplete,
    PasswordResetRequest,
    RecoveryCodes,
    SessionCreate,
    SessionIssued,
    SessionOut,
    TotpCode,
    TotpEnrolment,
)
from herald.auth import links, sessions, signin, totp
from herald.auth.models import BrowserSession
from herald.authz import require
from herald.authz.check import in_tenant
from herald.clock import utcnow
from herald.errors import Forbidden, Unauthorized
from herald.people.models import User
from herald.people.service import get_user
from herald.web.request_trust import public_base

TAG = "Sessions"


def _out(row: BrowserSession, with_csrf: bool = False) -> dict[str, Any]:
    current = browser_session()
    out = {f: getattr(row, f) for f in ("id", "user_id", "tenant_id", "via", "address", "created_at",
                                        "last_seen_at", "expires_at")}
    out["current"] = current is not None and current.id == row.id
    if with_csrf:
        out["csrf_token"] = row.csrf_token
    return out


@endpoint(bp, "/auth/sessions", "POST", summary="Sign in with email and password; sets the session cookie",
          tag=TAG, body=SessionCreate, response=SessionIssued, status=201, public=True, problems=(401, 429))
@csrf_exempt
def sign_in(body: dict[str, Any]):  # type: ignore[no-untyped-def]
    session, rt = db(), runtime()
    done = signin.password_sign_in(session, rt, body["tenant"], body["email"], body["password"],
                                   body.get("totp_code"), client_address())
    row, cookie = sessions.start(session, done.user, rt.settings, via="password", address=client_address(),
                                 user_agent=request.headers.get("User-Agent"),
                                 presented=request.cookies.get(sessions.COOKIE))
    session.commit()
    set_session_cookie(cookie)
    g.browser_session = row
    return _out(row, with_csrf=True)


@endpoint(bp, "/auth/session", "GET", summary="The current browser session and its CSRF token", tag=TAG,
          response=SessionIssued)
def current_session():  # type: ignore[no-untyped-def]
    row = browser_session()
    if row is None:
        raise Unauthorized("This call needs a browser session cookie.")
    return _out(row, with_csrf=True)


@endpoint(bp, "/auth/session", "DELETE", summary="Sign out (end the current browser session)", tag=TAG, status=204)
def sign_out():  # type: ignore[no-untyped-def]
    row = browser_session()
    if row is None:
        raise Unauthorized("This call needs a browser session cookie.")
    sessions.end(db(), row, "signed_out", actor())
    db().commit()
    set_session_cookie(None)


@endpoint(bp, "/me/sessions", "GET", summary="My live browser sessions, newest first", tag=TAG, query=ListQuery,
          response=SessionOut, many=True)
def my_sessions(query: dict[str, Any]):  # type: ignore[no-untyped-def]
    stmt = select(BrowserSession).where(BrowserSession.user_id == actor().user_id, BrowserSession.ended_at.is_(None),
                                        BrowserSession.expires_at > utcnow())
    page = paginate(db(), stmt, [BrowserSession.created_at, BrowserSession.id], query["limit"], query["cursor"],
                    descending=True)
    page.items = [_out(r) for r in page.items]
    return page


@endpoint(bp, "/me/sessions/end-all", "POST", summary="Sign out everywhere: end every session of mine",
          tag=TAG, response=EndedCount)
def end_all_sessions():  # type: ignore[no-untyped-def]
    who = actor()
    ended = sessions.end_all(db(), who.user_id, "signed_out_everywhere", who)
    audit.record(db(), who, "session.ended_everywhere", "user", who.user_id, tenant_id=who.tenant_id,
                 context={"ended": ended})
    db().commit()
    if browser_session() is not None:
        set_session_cookie(None)
    return {"ended": ended}


# ----------------------------------------------------------------------------- second factor
def _me_person() -> User:
    user = db().get(User, actor().user_id)
    if user is None or user.kind != "person":
        raise Forbidden("Only people have a second factor.")
    return user


@endpoint(bp, "/me/totp", "POST", summary="Start TOTP enrolment (secret and otpauth URI)", tag=TAG,
          response=TotpEnrolment, status=201)
def totp_enrol():  # type: ignore[no-untyped-def]
    secret, uri = totp.enrol(db(), runtime().box, actor(), _me_person())
    db().commit()
    return {"secret": secret, "otpauth_uri": uri}


@endpoint(bp, "/me/totp/confirm", "POST", summary="Confirm TOTP with a first code; returns recovery codes once",
          tag=TAG, body=TotpCode, response=RecoveryCodes, problems=(404,))
def totp_confirm(body: dict[str, Any]):  # type: ignore[no-untyped-def]
    codes = totp.confirm(db(), runtime().box, actor(), _me_person(), body["code"])
    db().commit()
    return {"recovery_codes": codes}


@endpoint(bp, "/me/totp/disable", "POST", summary="Turn TOTP off (needs a current or recovery code)", tag=TAG,
          body=TotpCode, status=204, problems=(404,))
def totp_disable(body: dict[str, Any]):  # type: ignore[no-untyped-def]
    totp.disable(db(), runtime().box, actor(), _me_person(), body["code"])
    db().commit()


# ----------------------------------------------------------------------------- emailed links
def _base_url() -> str:
    return public_base()


@endpoint(bp, "/tenants/<tenant_id>/invitations", "POST",
          summary="Invite a person: creates them (invited) and emails a single-use link", tag=TAG,
          body=InvitationCreate, response=InvitationOut, status=201)
def invite(tenant_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    made = links.issue_invitation(db(), runtime(), actor(), tenant_id, email=body["email"],
                                  display_name=body["display_name"], base_url=_base_url())
    db().commit()
    return {"id": made.link.id, "user_id": made.user.id, "expires_at": made.link.expires_at,
            "emailed": made.emailed, "url": made.url}


@endpoint(bp, "/auth/invitations/accept", "POST", summary="Accept an invitation by choosing a password",
          tag=TAG, body=InvitationAccept, status=204, public=True)
@csrf_exempt
def accept_invitation(body: dict[str, Any]):  # type: ignore[no-untyped-def]
    links.accept_invitation(db(), body["token"], body["password"])
    db().commit()


@endpoint(bp, "/auth/password-reset", "POST",
          summary="Email a password-reset link (answers 202 whether or not the address is known)", tag=TAG,
          body=PasswordResetRequest, status=202, public=True)
@csrf_exempt
def request_password_reset(body: dict[str, Any]):  # type: ignore[no-untyped-def]
    links.request_reset(db(), runtime(), body["tenant"], body["email"], _base_url())
    db().commit()
    return {"detail": "If that address belongs to someone here, a reset link is on its way."}


@endpoint(bp, "/auth/password-reset/complete", "POST", summary="Set a new password with a reset link",
          tag=TAG, body=PasswordResetComplete, status=204, public=True)
@csrf_exempt
def complete_password_reset(body: dict[str, Any]):  # type: ignore[no-untyped-def]
    links.complete_reset(db(), body["token"], body["password"])
    db().commit()


@endpoint(bp, "/tenants/<tenant_id>/users/<user_id>/sessions/end-all", "POST",
          summary="End every browser session of a user (e.g. a lost laptop) without disabling them", tag=TAG,
          response=EndedCount)
def end_user_sessions(tenant_id: str, user_id: str):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    user = get_user(session, who, tenant_id, user_id)
    require(session, who, "users.manage", in_tenant(session, who, tenant_id))
    ended = sessions.end_all(session, user.id, "ended_by_admin", who)
    session.commit()
    return {"ended": ended}
