"""The org-unit tree: list (a subtree), create, rename, move, archive, restore."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from herald.api.blueprint import bp
from herald.api.context import actor, db
from herald.api.endpoint import endpoint
from herald.api.pagination import paginate
from herald.api.schemas.tenancy import UnitCreate, UnitListQuery, UnitMove, UnitOut, UnitUpdate
from herald.authz import visible_unit_filter
from herald.authz.check import in_tenant
from herald.tenancy import service
from herald.tenancy.models import OrgUnit

TAG = "Org units"


@endpoint(bp, "/tenants/<tenant_id>/org-units", "GET", summary="List the org units you can see",
          tag=TAG, query=UnitListQuery, response=UnitOut, many=True)
def list_units(tenant_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    in_tenant(session, who, tenant_id)
    stmt = select(OrgUnit).where(OrgUnit.tenant_id == tenant_id,
                                 visible_unit_filter(session, who, "units.view", tenant_id))
    if query["under"]:
        under = service.get_unit(session, who, tenant_id, query["under"])
        stmt = stmt.where(OrgUnit.path.startswith(under.path, autoescape=True))
    if query["parent_id"]:
        stmt = stmt.where(OrgUnit.parent_id == query["parent_id"])
    if not query["include_archived"]:
        stmt = stmt.where(OrgUnit.archived_at.is_(None))
    return paginate(session, stmt, [OrgUnit.depth, OrgUnit.created_at, OrgUnit.id],
                    query["limit"], query["cursor"])


@endpoint(bp, "/tenants/<tenant_id>/org-units", "POST", summary="Create an org unit", tag=TAG,
          body=UnitCreate, response=UnitOut, status=201)
def create_unit(tenant_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    unit = service.create_unit(db(), actor(), tenant_id, **body)
    db().commit()
    return unit


@endpoint(bp, "/tenants/<tenant_id>/org-units/<unit_id>", "GET", summary="Get an org unit",
          tag=TAG, response=UnitOut)
def get_unit(tenant_id: str, unit_id: str):  # type: ignore[no-untyped-def]
    return service.get_unit(db(), actor(), tenant_id, unit_id)


@endpoint(bp, "/tenants/<tenant_id>/org-units/<unit_id>", "PATCH", summary="Rename or change an org unit",
          tag=TAG, body=UnitUpdate, response=UnitOut)
def update_unit(tenant_id: str, unit_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    unit = service.update_unit(db(), actor(), tenant_id, unit_id, body)
    db().commit()
    return unit


@endpoint(bp, "/tenants/<tenant_id>/org-units/<unit_id>/move", "POST",
          summary="Move an org unit (and its subtree) under another parent", tag=TAG,
          body=UnitMove, response=UnitOut)
def move_unit(tenant_id: str, unit_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    unit = service.move_unit(db(), actor(), tenant_id, unit_id, body["parent_id"])
    db().commit()
    return unit


@endpoint(bp, "/tenants/<tenant_id>/org-units/<unit_id>/archive", "POST",
          summary="Archive an org unit and its subtree", tag=TAG, response=UnitOut)
def archive_unit(tenant_id: str, unit_id: str):  # type: ignore[no-untyped-def]
    unit = service.archive_unit(db(), actor(), tenant_id, unit_id, True)
    db().commit()
    return unit


@endpoint(bp, "/tenants/<tenant_id>/org-units/<unit_id>/restore", "POST",
          summary="Restore an archived org unit and its subtree", tag=TAG, response=UnitOut)
def restore_unit(tenant_id: str, unit_id: str):  # type: ignore[no-untyped-def]
    unit = service.archive_unit(db(), actor(), tenant_id, unit_id, False)
    db().commit()
    return unit
