"""The OpenAPI 3.1 document, generated from the same schemas the endpoints validate with."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

import herald
from herald.api.endpoint import ENDPOINTS

PROBLEM = {
    "type": "object",
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "instance": {"type": "string"},
        "errors": {"type": "object", "description": "Field path → messages (422 only)"},
    },
    "required": ["type", "title", "status", "detail"],
}


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
        for code in ("400", "401", "403", "404", "409", "422") if not ep.public else ("400", "422"):
            op["responses"][code] = {"description": "Problem", "content": {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        if not ep.public:
            op["security"] = [{"token": []}, {"session": []}]
        paths.setdefault(path, {})[ep.method.lower()] = op
    for path, ops in paths.items():
        spec.path(path=path, operations=ops)
    return spec.to_dict()
