"""Declaring an API endpoint once: the route, its auth, its request/response schemas — from
which both request handling and the OpenAPI document are made."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, wraps
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from marshmallow import RAISE, Schema, ValidationError

from herald.api import json_input
from herald.api.fast_dump import dumper
from herald.api.pagination import Page
from herald.errors import Unauthorized, UnsupportedMediaType, ValidationFailed

__all__ = ["ENDPOINTS", "EndpointDoc", "UnsupportedMediaType", "endpoint"]


@dataclass
class EndpointDoc:
    rule: str
    method: str
    summary: str
    tag: str
    body: type[Schema] | None
    form: type[Schema] | None
    query: type[Schema] | None
    response: type[Schema] | None
    many: bool
    status: int
    public: bool
    #: statuses of problems this endpoint gives beyond those every endpoint of its kind gives
    #: (see :func:`herald.api.openapi.problem_statuses`)
    problems: tuple[int, ...] = ()


ENDPOINTS: list[EndpointDoc] = []


def _load_body(schema: type[Schema]) -> dict[str, Any]:
    if not request.mimetype or request.mimetype != "application/json":
        raise UnsupportedMediaType("Send the request body as application/json.")
    if request.mimetype_params.get("charset", "utf-8").lower() not in ("utf-8", "utf8"):
        raise UnsupportedMediaType("Send the request body as application/json in UTF-8.")
    data = json_input.loads(request.get_data(cache=True) or b"null")
    if not isinstance(data, dict):
        raise ValidationFailed("The request body must be a JSON object.", {"_schema": ["Expected a JSON object."]})
    try:
        return _instance(schema).load(data)
    except ValidationError as exc:
        raise ValidationFailed("The request body is not valid.", exc.normalized_messages()) from exc


@cache
def _instance(schema: type[Schema]) -> Schema:
    """One instance per schema class: building one deep-copies its fields, and an instance keeps
    no state between loads (marshmallow 4 has no context), so threads share it."""
    return schema(unknown=RAISE)


def _load_multi(schema: type[Schema], values: Any, what: str) -> dict[str, Any]:
    """Query parameters or form fields: a List field takes every value given, others the last."""
    s = _instance(schema)
    data: dict[str, Any] = {}
    for key in values:
        given = values.getlist(key)
        fld = s.fields.get(key)
        data[key] = given if fld is not None and type(fld).__name__ == "List" else given[-1]
    try:
        return s.load(data)
    except ValidationError as exc:
        raise ValidationFailed(f"The {what} are not valid.", exc.normalized_messages()) from exc


def _load_query(schema: type[Schema]) -> dict[str, Any]:
    return _load_multi(schema, request.args, "query parameters")


def _load_form(schema: type[Schema]) -> dict[str, Any]:
    return _load_multi(schema, request.form, "form fields")


def endpoint(bp: Blueprint, rule: str, method: str, *, summary: str, tag: str,
             body: type[Schema] | None = None, query: type[Schema] | None = None,
             response: type[Schema] | None = None, many: bool = False, status: int = 200,
             public: bool = False, form: type[Schema] | None = None,
             form_max_bytes: Callable[[], int] | None = None,
             problems: tuple[int, ...] = ()) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn`` as ``method rule`` on ``bp``. ``fn`` gets ``body=`` / ``query=`` when
    schemas are given and returns an object (dumped with ``response``), a :class:`Page`
    (``many=True``), or None (204). With ``form``, a multipart/form-data request is accepted
    too: ``fn`` then gets ``form=`` (its non-file fields; files are in ``request.files``)
    instead of ``body=``, and ``form_max_bytes()`` replaces the instance's request size limit.
    ``problems`` names statuses the OpenAPI document could not infer (a public endpoint's 401)."""
    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        ENDPOINTS.append(EndpointDoc(bp.url_prefix.rstrip("/") + rule if bp.url_prefix else rule,
                                     method, summary, tag, body, form, query, response, many, status, public,
                                     problems))

        @wraps(fn)
        def view(**path: Any) -> Response | tuple[Response, int]:
            if not public and g.get("actor") is None:
                raise Unauthorized(g.get("auth_error") or "Send an API token: Authorization: Bearer <token>.")
            kwargs: dict[str, Any] = {}
            if form is not None and request.mimetype == "multipart/form-data":
                if form_max_bytes is not None:
                    request.max_content_length = form_max_bytes()
                kwargs["form"] = _load_form(form)
            elif body is not None:
                kwargs["body"] = _load_body(body)
            elif form is not None:
                raise UnsupportedMediaType("Send the request as multipart/form-data.")
            if query is not None:
                kwargs["query"] = _load_query(query)
            result = fn(**path, **kwargs)
            if result is None:
                return Response(status=204)
            if isinstance(result, Response):
                return result
            if isinstance(result, Page):
                assert response is not None
                payload = {"items": dumper(response, many=True)(result.items), "next_cursor": result.next_cursor}
                return jsonify(payload), status
            return (jsonify(dumper(response)(result)) if response else jsonify(result)), status

        view.__name__ = f"{fn.__name__}_{method.lower()}"
        bp.add_url_rule(rule, endpoint=fn.__name__, view_func=view, methods=[method])
        return view

    return deco
