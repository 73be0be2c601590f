"""Per-request plumbing: the database session, the runtime, the acting user."""

from __future__ import annotations

from flask import Flask, current_app, g, request
from sqlalchemy.orm import Session

from herald.auth import tokens
from herald.authz import Actor
from herald.runtime import Runtime


def runtime() -> Runtime:
    return current_app.extensions["herald"]


def db() -> Session:
    if "db" not in g:
        g.db = runtime().db.session()
    return g.db


def actor() -> Actor:
    return g.actor


def install(app: Flask) -> None:
    @app.before_request
    def _authenticate() -> None:
        g.actor = None
        g.auth_error = None
        header = request.headers.get("Authorization", "")
        if header[:7].lower() == "bearer ":
            found = tokens.authenticate(db(), header[7:].strip())
            if found is not None:
                db().commit()  # records last use
            g.actor = found
            if found is None:
                g.auth_error = "The API token is invalid, expired or revoked."

    @app.teardown_request
    def _close(exc: BaseException | None) -> None:
        session = g.pop("db", None)
        if session is not None:
            if exc is not None or session.in_transaction():
                session.rollback()
            session.close()
