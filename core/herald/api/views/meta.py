"""The permission catalogue and the OpenAPI document."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from herald.api.blueprint import bp
from herald.api.endpoint import endpoint
from herald.api.openapi import build_spec
from herald.api.pagination import paginate_sorted
from herald.api.schemas.common import ListQuery
from herald.api.schemas.people import PermissionOut
from herald.authz.catalogue import PERMISSIONS


@endpoint(bp, "/permissions", "GET", summary="The fixed permission catalogue", tag="Roles",
          query=ListQuery, response=PermissionOut, many=True)
def permissions(query: dict[str, Any]):  # type: ignore[no-untyped-def]
    items = sorted(({"key": k, "description": v} for k, v in PERMISSIONS.items()), key=lambda i: i["key"])
    return paginate_sorted(items, "key", query["limit"], query["cursor"])


@endpoint(bp, "/openapi.json", "GET", summary="This document", tag="Meta", public=True)
def openapi():  # type: ignore[no-untyped-def]
    return jsonify(build_spec())
