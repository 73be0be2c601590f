"""A tenant's identity settings: sign-in policy (SSO enforcement, break-glass admins), service
tokens, SSO group mappings, and the token scope catalogue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import jsonify, request
from marshmallow import ValidationError
from sqlalchemy import select

from herald.api import json_input
from herald.api.blueprint import bp
from herald.api.context import actor, db
from herald.api.endpoint import endpoint
from herald.api.pagination import paginate, paginate_sorted
from herald.api.schemas.common import ListQuery
from herald.api.schemas.identity import (
    GroupMapping,
    IdentityPolicyIn,
    IdentityPolicyOut,
    ScopedTokenIssued,
    ScopedTokenOut,
    ScopeOut,
    ServiceTokenCreate,
)
from herald.auth import group_mappings, policy, service_tokens
from herald.auth.scopes import SCOPE_DESCRIPTIONS, SCOPES
from herald.authz import require
from herald.authz.check import in_tenant
from herald.clock import utcnow
from herald.errors import NotFound, ValidationFailed
from herald.people.models import ApiToken

TAG = "Identity"
PROVIDER_KEY_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_-")


@endpoint(bp, "/token-scopes", "GET", summary="API token scopes and the permissions each allows", tag=TAG,
          query=ListQuery, response=ScopeOut, many=True)
def token_scopes(query: dict[str, Any]):  # type: ignore[no-untyped-def]
    items = [{"key": k, "description": SCOPE_DESCRIPTIONS[k], "permissions": sorted(v)} for k, v in SCOPES.items()]
    return paginate_sorted(sorted(items, key=lambda i: i["key"]), "key", query["limit"], query["cursor"])


@endpoint(bp, "/tenants/<tenant_id>/identity-policy", "GET", summary="The tenant's sign-in policy", tag=TAG,
          response=IdentityPolicyOut)
def get_identity_policy(tenant_id: str):  # type: ignore[no-untyped-def]
    require(db(), actor(), "tenant.view", in_tenant(db(), actor(), tenant_id))
    return policy.get_policy(db(), tenant_id)


@endpoint(bp, "/tenants/<tenant_id>/identity-policy", "PUT",
          summary="Set SSO enforcement and the break-glass administrators", tag=TAG, body=IdentityPolicyIn,
          response=IdentityPolicyOut)
def put_identity_policy(tenant_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    found = policy.update_policy(db(), actor(), tenant_id, **body)
    db().commit()
    return found


# ----------------------------------------------------------------------------- service tokens
@endpoint(bp, "/tenants/<tenant_id>/service-tokens", "GET", summary="The tenant's service tokens", tag=TAG,
          query=ListQuery, response=ScopedTokenOut, many=True)
def list_service_tokens(tenant_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    require(db(), actor(), "tenant.manage", in_tenant(db(), actor(), tenant_id))
    stmt = select(ApiToken).where(ApiToken.tenant_id == tenant_id, ApiToken.kind == "service")
    return paginate(db(), stmt, [ApiToken.created_at, ApiToken.id], query["limit"], query["cursor"], descending=True)


@endpoint(bp, "/tenants/<tenant_id>/service-tokens", "POST",
          summary="Create a service token and its service principal (token shown once)", tag=TAG,
          body=ServiceTokenCreate, response=ScopedTokenIssued, status=201)
def create_service_token(tenant_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    days = body.get("expires_in_days")
    token, secret = service_tokens.create(db(), actor(), tenant_id, name=body["name"], scopes=body["scopes"],
                                          expires_at=utcnow() + timedelta(days=days) if days else None)
    db().commit()
    out = {f: getattr(token, f) for f in ScopedTokenOut().fields}
    return {**out, "token": secret}


@endpoint(bp, "/tenants/<tenant_id>/service-tokens/<token_id>", "DELETE", summary="Revoke a service token",
          tag=TAG, status=204)
def revoke_service_token(tenant_id: str, token_id: str):  # type: ignore[no-untyped-def]
    service_tokens.revoke(db(), actor(), tenant_id, token_id)
    db().commit()


# ----------------------------------------------------------------------------- group mappings
def _provider_key(provider: str) -> str:
    if not provider or len(provider) > 64 or not set(provider) <= PROVIDER_KEY_CHARS:
        raise NotFound(f"No provider {provider!r}.")
    return provider


@endpoint(bp, "/tenants/<tenant_id>/sso/<name>/group-mappings", "GET",
          summary="Identity-provider groups mapped to role grants: [{group, role, org_unit_id}]", tag=TAG)
def get_group_mappings(tenant_id: str, name: str):  # type: ignore[no-untyped-def]
    return jsonify(group_mappings.list_mappings(db(), actor(), tenant_id, _provider_key(name)))


@endpoint(bp, "/tenants/<tenant_id>/sso/<name>/group-mappings", "PUT",
          summary="Replace the group mappings with a JSON array of {group, role, org_unit_id}", tag=TAG,
          problems=(413, 415))
def put_group_mappings(tenant_id: str, name: str):  # type: ignore[no-untyped-def]
    key = _provider_key(name)
    # Another tenant's mappings are not found before anything about the body is said.
    require(db(), actor(), "tenant.manage", in_tenant(db(), actor(), tenant_id))
    if request.mimetype != "application/json":
        from herald.api.endpoint import UnsupportedMediaType

        raise UnsupportedMediaType("Send the request body as application/json.")
    data = json_input.loads(request.get_data(cache=True) or b"null")
    if isinstance(data, dict) and set(data) == {"mappings"}:
        data = data["mappings"]
    if not isinstance(data, list) or len(data) > 500:
        raise ValidationFailed("Send a JSON array of at most 500 {group, role, org_unit_id} objects.",
                               {"_schema": ["Expected a JSON array."]})
    try:
        mappings = GroupMapping(many=True).load(data)
    except ValidationError as exc:
        raise ValidationFailed("The group mappings are not valid.", exc.normalized_messages()) from exc
    result = group_mappings.replace_mappings(db(), actor(), tenant_id, key, mappings)
    db().commit()
    return jsonify(result)
