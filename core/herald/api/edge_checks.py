"""Checks every request passes before authentication or any view runs: the input the edge can
see must be text Herald can store, the same way on PostgreSQL and SQLite.

- The URL path, query string, form fields (URL-encoded and multipart) and header values must be valid UTF-8 (headers:
  Latin-1, as HTTP has them) without NUL; a refused query or form value answers 422 naming the
  parameter, anything else 400.
- JSON bodies are read by :mod:`herald.api.json_input` — the application's JSON provider too,
  so ``request.get_json()`` is as strict as the API's own schemas.
- Sizes: Flask's ``MAX_CONTENT_LENGTH`` (413), and the endpoint's own media type check (415).

API clients get ``application/problem+json``; people get a page (``web.pages.refusal``). The
hook runs first among the request hooks, so a refusal never reaches a database query.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, Request, Response, request
from flask.json.provider import DefaultJSONProvider

from herald.api import json_input
from herald.api.json_input import EdgeRefusal, ForbiddenText, InvalidEncoding, text_problem
from herald.api.multipart_text import CheckedFormDataParser
from herald.errors import BadRequest

FORM = "application/x-www-form-urlencoded"
MACHINE_PREFIXES = ("/api/", "/scim/")


class ForbiddenCharacter(EdgeRefusal, BadRequest):
    title = "Forbidden character"
    slug = "forbidden-character"


def check_pairs(raw: bytes, where: str) -> None:
    """``raw`` as a query string or form body: every name and value decodes as UTF-8 text
    without NUL. Decoded here because werkzeug keeps undecodable bytes percent-encoded."""
    errors: dict[str, list[str]] = {}
    for pair in raw.split(b"&"):
        if not pair:
            continue
        name_raw, _, value_raw = pair.partition(b"=")
        name = json_input.decode_utf8(unquote_to_bytes(name_raw.replace(b"+", b" ")), f"A {where} name")
        value = json_input.decode_utf8(unquote_to_bytes(value_raw.replace(b"+", b" ")),
                                       f"The {where} value of {_shown(name)}")
        why = text_problem(name) or text_problem(value)
        if why:
            errors[_shown(name)] = [why]
    if errors:
        raise ForbiddenText(f"A {where} holds text Herald cannot store.", errors)


def _shown(name: str) -> str:
    return name.encode("unicode_escape").decode("ascii")


def _check_path(environ: dict[str, Any]) -> None:
    # PATH_INFO is already percent-decoded; WSGI hands its bytes over as Latin-1.
    raw = environ.get("PATH_INFO", "").encode("latin-1", "replace")
    path = json_input.decode_utf8(raw, "The URL path")
    if text_problem(path):
        raise ForbiddenCharacter("The URL path holds a NUL character.")


def _check_headers(environ: dict[str, Any]) -> None:
    for key, value in environ.items():
        if key.startswith("HTTP_") and isinstance(value, str) and "\x00" in value:
            raise ForbiddenCharacter(f"The {key[5:].replace('_', '-').title()} header holds a NUL character.")


def _check_cookies() -> None:
    # The Cookie header may quote a NUL as an octal escape, which only parsing reveals.
    for name, value in request.cookies.items(multi=True):
        if text_problem(name) or text_problem(value):
            raise ForbiddenCharacter(f"The cookie {_shown(name)} holds a NUL character or an unpaired surrogate.")


def check_request() -> None:
    _check_path(request.environ)
    _check_headers(request.environ)
    _check_cookies()
    check_pairs(request.query_string, "query parameter")


class HeraldRequest(Request):
    """Form fields are checked where werkzeug parses them, so a form is refused whichever code
    reads it first (the CSRF check, a view, an identity provider's callback). Multipart fields
    are decoded strictly (:mod:`herald.api.multipart_text`)."""

    form_data_parser_class = CheckedFormDataParser

    def _load_form_data(self) -> None:
        if "form" in self.__dict__:
            return
        if self.want_form_data_parsed and self.mimetype == FORM:
            check_pairs(self.get_data(cache=True), "form field")
        super()._load_form_data()
        if self.mimetype != FORM:
            errors: dict[str, list[str]] = {}
            for name, value in self.form.items(multi=True):
                why = text_problem(name) or text_problem(value)
                if why:
                    errors[_shown(name)] = [why]
            for name, upload in self.files.items(multi=True):
                why = text_problem(name) or text_problem(upload.filename or "")
                if why:
                    errors[_shown(name)] = [why]
            if errors:
                raise ForbiddenText("A form field holds text Herald cannot store.", errors)


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading with :func:`herald.api.json_input.loads`."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return json_input.loads(s)


def _refused(exc: EdgeRefusal) -> Response:
    from herald.api.problems import problem
    from herald.web.pages import refusal, wants_json

    if request.path.startswith(MACHINE_PREFIXES) or wants_json():
        return problem(exc.status, exc.title, exc.detail, exc.slug, **exc.extra)
    return refusal(exc.status, exc.title, exc.detail, exc.slug)


def install(app: Flask) -> None:
    app.request_class = HeraldRequest
    provider = StrictJSONProvider(app)
    provider.sort_keys = app.json.sort_keys  # type: ignore[attr-defined]
    app.json = provider
    # First of all request hooks: before the session or token is looked up in the database.
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)
    app.register_error_handler(EdgeRefusal, _refused)


__all__ = ["EdgeRefusal", "ForbiddenCharacter", "HeraldRequest", "InvalidEncoding", "StrictJSONProvider",
           "check_request", "install"]
