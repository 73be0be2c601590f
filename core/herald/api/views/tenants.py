"""Tenants: operators create and list them; tenant users see their own."""

from __future__ import annotations

from typing import Any

from herald.api.blueprint import bp
from herald.api.context import actor, db
from herald.api.endpoint import endpoint
from herald.api.pagination import paginate
from herald.api.schemas.common import ListQuery
from herald.api.schemas.tenancy import TenantCreate, TenantOut, TenantUpdate
from herald.authz.check import in_tenant
from herald.tenancy import service
from herald.tenancy.models import Tenant

TAG = "Tenants"


@endpoint(bp, "/tenants", "GET", summary="List tenants you can see", tag=TAG,
          query=ListQuery, response=TenantOut, many=True)
def list_tenants(query: dict[str, Any]):  # type: ignore[no-untyped-def]
    stmt = service.visible_tenants_query(actor())
    return paginate(db(), stmt, [Tenant.created_at, Tenant.id], query["limit"], query["cursor"])


@endpoint(bp, "/tenants", "POST", summary="Create a tenant (platform operators)", tag=TAG,
          body=TenantCreate, response=TenantOut, status=201)
def create_tenant(body: dict[str, Any]):  # type: ignore[no-untyped-def]
    tenant = service.create_tenant(db(), actor(), **body)
    db().commit()
    return tenant


@endpoint(bp, "/tenants/<tenant_id>", "GET", summary="Get a tenant", tag=TAG, response=TenantOut)
def get_tenant(tenant_id: str):  # type: ignore[no-untyped-def]
    return in_tenant(db(), actor(), tenant_id)


@endpoint(bp, "/tenants/<tenant_id>", "PATCH", summary="Change a tenant", tag=TAG,
          body=TenantUpdate, response=TenantOut)
def update_tenant(tenant_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    tenant = service.update_tenant(db(), actor(), tenant_id, body)
    db().commit()
    return tenant
