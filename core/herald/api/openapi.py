"""The OpenAPI 3.1 document, generated from the same schemas the endpoints validate with."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

import herald
from herald.api.endpoint import ENDPOINTS, EndpointDoc

PROBLEM = {
    "type": "object",
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "instance": {"type": "string"},
        "errors": {"type": "object", "description": "Field path → messages (422 only)"},
    },
    "required": ["type", "title", "status", "detail"],
}


#: What each problem status means across the API (the edge checks are in herald.api.edge_checks).
PROBLEMS = {
    400: "Malformed input: not UTF-8, a NUL character in the path or a header, JSON that does not parse "
         "or nests deeper than 64 levels, or a list cursor this API did not issue",
    401: "No valid API token or browser session (or wrong credentials when signing in)",
    403: "Not permitted, a CSRF token missing, or a link token forged or malformed",
    404: "No such resource, or one the caller cannot see",
    409: "The request conflicts with the resource's current state",
    410: "The link or resource is gone (expired)",
    413: "The request body exceeds the size limit",
    415: "The request body is not of an accepted media type",
    422: "Validation failed: a field, a query parameter, or text holding NUL or an unpaired surrogate; "
         "``errors`` names each",
    429: "Too many attempts; retry after the Retry-After header's seconds",
}


def problem_statuses(ep: EndpointDoc) -> list[int]:
    """The problem statuses an endpoint gives: every endpoint refuses malformed input (400) and
    bad text in a query parameter (422); a body brings 413 and 415; a protected endpoint 401
    and 403; a path parameter 404; a protected write 409. ``ep.problems`` adds the rest."""
    codes = {400, 422, *ep.problems}
    if ep.body is not None or ep.form is not None:
        codes |= {413, 415}
    if not ep.public:
        codes |= {401, 403}
        if ep.method != "GET":
            codes.add(409)
    if "<" in ep.rule:
        codes.add(404)
    if ep.public and "<token>" in ep.rule:
        codes.add(403)  # the link token in the path is the credential
        if ep.method != "GET":
            codes.add(409)
    return sorted(codes)


def _name(schema: type | object) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    return cls.__name__


@cache
def build_spec() -> dict[str, Any]:
    spec = APISpec(title="Herald API", version=herald.__version__, openapi_version="3.1.0",
                   plugins=[MarshmallowPlugin(schema_name_resolver=_name)],
                   info={"description": "Herald's REST API. Errors are application/problem+json (RFC 9457)."})
    spec.components.schema("Problem", PROBLEM)
    spec.components.security_scheme("token", {"type": "http", "scheme": "bearer"})
    # A browser session cookie also authenticates; state-changing calls then need X-CSRF-Token.
    spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": "herald_session"})
    paths: dict[str, dict[str, Any]] = {}
    for ep in ENDPOINTS:
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", ep.rule)
        op: dict[str, Any] = {"summary": ep.summary, "tags": [ep.tag], "responses": {}}
        params = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
                  for n in re.findall(r"{([a-z_]+)}", path)]
        if ep.query is not None:
            params.append({"in": "query", "schema": ep.query})
        if params:
            op["parameters"] = params
        content: dict[str, Any] = {}
        if ep.body is not None:
            content["application/json"] = {"schema": ep.body}
        if ep.form is not None:
            content["multipart/form-data"] = {"schema": ep.form}
        if content:
            op["requestBody"] = {"required": True, "content": content}
        if ep.status == 204:
            op["responses"]["204"] = {"description": "Done"}
        elif ep.response is not None:
            if ep.many:
                schema: Any = {"type": "object", "properties": {
                    "items": {"type": "array", "items": ep.response},
                    "next_cursor": {"type": ["string", "null"]}}}
            else:
                schema = ep.response
            op["responses"][str(ep.status)] = {"description": "OK", "content": {"application/json": {"schema": schema}}}
        else:
            op["responses"][str(ep.status)] = {"description": "OK"}
        for code in problem_statuses(ep):
            op["responses"][str(code)] = {"description": PROBLEMS[code], "content": {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        if not ep.public:
            op["security"] = [{"token": []}, {"session": []}]
        paths.setdefault(path, {})[ep.method.lower()] = op
    for path, ops in paths.items():
        spec.path(path=path, operations=ops)
    return spec.to_dict()
