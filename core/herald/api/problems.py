"""Errors as RFC 9457 problem documents (``application/problem+json``) — never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException

from herald.errors import HeraldError

log = logging.getLogger(__name__)
TYPE_BASE = "https://herald.dev/problems/"


def problem(status: int, title: str, detail: str, slug: str, **extra: Any) -> Response:
    body = {"type": TYPE_BASE + slug, "title": title, "status": status, "detail": detail,
            "instance": request.path, **extra}
    return Response(json.dumps(body), status=status, mimetype="application/problem+json")


def install(app: Flask) -> None:
    @app.errorhandler(HeraldError)
    def _herald(exc: HeraldError) -> Response:
        if exc.status >= 500:
            log.error("%s: %s", exc.title, exc.detail)
        resp = problem(exc.status, exc.title, exc.detail, exc.slug, **exc.extra)
        for name, value in (getattr(exc, "headers", None) or {}).items():
            resp.headers[name] = value
        return resp

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        titles = {413: "Request too large", 405: "Method not allowed", 404: "Not found",
                  415: "Unsupported media type", 400: "Bad request"}
        detail = {413: f"The request body exceeds {request.max_content_length} bytes.",
                  404: f"No resource at {request.path}."}.get(status, exc.description or "")
        resp = problem(status, titles.get(status, exc.name), detail, exc.name.lower().replace(" ", "-"))
        if status == 405 and getattr(exc, "valid_methods", None):
            resp.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
        return resp

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem(500, "Internal error", "Herald hit an unexpected error; it has been logged.",
                       "internal-error")
