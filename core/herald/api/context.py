"""Per-request plumbing: the database session, the runtime, the acting user.

A request is authenticated by a bearer API token or by a browser session cookie. A request the
cookie authenticates must carry the session's CSRF token (``X-CSRF-Token`` header or a
``csrf_token`` form field) unless it is safe (GET, HEAD, OPTIONS) or its view is marked
:func:`csrf_exempt`; bearer-token calls need none (browsers never attach them on their own)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, request
from sqlalchemy.orm import Session

from herald.auth import sessions, tokens
from herald.auth.models import BrowserSession
from herald.authz import Actor
from herald.db.kept import not_expiring
from herald.errors import Forbidden
from herald.runtime import Runtime

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
F = TypeVar("F", bound=Callable[..., Any])


class CsrfRefused(Forbidden):
    title = "CSRF token missing or wrong"
    slug = "csrf-refused"


def runtime() -> Runtime:
    return current_app.extensions["herald"]


def db() -> Session:
    if "db" not in g:
        g.db = runtime().db.session()
    return g.db


def actor() -> Actor:
    return g.actor


def browser_session() -> BrowserSession | None:
    return g.get("browser_session")


def client_address() -> str | None:
    return request.remote_addr


def csrf_exempt(fn: F) -> F:
    """Mark a view that a cookie-authenticated browser may call without the CSRF token (sign-in
    forms and identity-provider callbacks, which are protected by their own state)."""
    fn._herald_csrf_exempt = True  # type: ignore[attr-defined]
    return fn


def set_session_cookie(value: str | None) -> None:
    """Send the session cookie with this response (None: clear it)."""
    g.session_cookie = value if value is not None else ""


def _view_exempt() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "_herald_csrf_exempt", False))


def install(app: Flask) -> None:
    @app.before_request
    def _authenticate() -> None:
        g.actor = None
        g.auth_error = None
        g.browser_session = None
        header = request.headers.get("Authorization", "")
        if header[:7].lower() == "bearer ":
            found = tokens.authenticate(db(), header[7:].strip(), client_address())
            if found is not None and db().dirty:  # last use is recorded at most once a minute
                with not_expiring(db()):  # the rows just read stay current for the request
                    db().commit()
            g.actor = found
            if found is None:
                g.auth_error = "The API token is invalid, expired or revoked."
            return
        cookie = request.cookies.get(sessions.COOKIE)
        if not cookie:
            return
        resolved = sessions.resolve(db(), cookie, runtime().settings)
        with not_expiring(db()):  # the rows just read stay current for the request
            db().commit()  # records activity, or the end of a timed-out session
        if resolved is None:
            g.auth_error = "Your session has ended; sign in again."
            return
        row, user = resolved
        g.browser_session = row
        g.actor = sessions.actor_for(user, row)
        if request.method not in SAFE_METHODS and not _view_exempt():
            presented = request.headers.get(sessions.CSRF_HEADER)
            if presented is None and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                presented = request.form.get(sessions.CSRF_FORM_FIELD)
            if not sessions.check_csrf(row, presented):
                raise CsrfRefused(f"A request signed in by a session cookie must send the session's CSRF token "
                                  f"in the {sessions.CSRF_HEADER} header.")

    @app.after_request
    def _cookie(response: Response) -> Response:
        value = g.get("session_cookie")
        if value is None:
            return response
        settings = runtime().settings
        if value:
            response.set_cookie(sessions.COOKIE, value, max_age=settings.session_absolute_hours * 3600,
                                secure=settings.session_cookie_secure, httponly=True, samesite="Lax", path="/")
        else:
            response.delete_cookie(sessions.COOKIE, secure=settings.session_cookie_secure, httponly=True,
                                   samesite="Lax", path="/")
        return response

    @app.teardown_request
    def _close(exc: BaseException | None) -> None:
        session = g.pop("db", None)
        if session is not None:
            if exc is not None or session.in_transaction():
                session.rollback()
            session.close()
