"""Helpers for browser-facing responses: HTML or problem+json, chosen by what the client accepts."""

from __future__ import annotations

from flask import Response, render_template, request
from flask_babel import gettext

from herald.api.problems import problem


def N_(message: str) -> str:  # the name message extractors look for
    """Mark ``message`` for the catalogues; it is translated where a page shows it (API
    clients get it as it is)."""
    return message


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json", "application/problem+json"])
    return best in ("application/json", "application/problem+json")


def refusal(status: int, title: str, detail: str, slug: str, back: str | None = None) -> Response:
    """A general refusal: problem+json for API clients, a small HTML page for people."""
    if wants_json():
        return problem(status, title, detail, slug)
    html = render_template("message.html", title=gettext(title), detail=gettext(detail), back=back)
    return Response(html, status=status, mimetype="text/html")


def safe_relay(relay: str | None) -> str | None:
    """``relay`` if it is a path on this site, else None (no open redirects)."""
    if not relay or len(relay) > 2000 or not relay.startswith("/") or relay.startswith(("//", "/\\")):
        return None
    if any(c in relay for c in "\r\n\t\\"):
        return None
    return relay
