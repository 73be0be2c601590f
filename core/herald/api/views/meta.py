"""The permission catalogue and the OpenAPI document."""

from __future__ import annotations

from flask import jsonify

from herald.api.blueprint import bp
from herald.api.endpoint import endpoint
from herald.api.openapi import build_spec
from herald.api.schemas.people import PermissionOut
from herald.authz.catalogue import PERMISSIONS


@endpoint(bp, "/permissions", "GET", summary="The fixed permission catalogue", tag="Roles",
          response=PermissionOut)
def permissions():  # type: ignore[no-untyped-def]
    return jsonify({"items": [{"key": k, "description": v} for k, v in PERMISSIONS.items()], "next_cursor": None})


@endpoint(bp, "/openapi.json", "GET", summary="This document", tag="Meta", public=True)
def openapi():  # type: ignore[no-untyped-def]
    return jsonify(build_spec())
