"""Users, roles and role grants of a tenant."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from herald.api.blueprint import bp
from herald.api.context import actor, db
from herald.api.endpoint import endpoint
from herald.api.pagination import paginate, paginate_sorted
from herald.api.schemas.common import ListQuery
from herald.api.schemas.people import (
    GrantCreate,
    GrantListQuery,
    GrantOut,
    RoleCreate,
    RoleOut,
    RoleUpdate,
    UserCreate,
    UserListQuery,
    UserOut,
    UserUpdate,
)
from herald.authz import require, visible_unit_filter
from herald.authz.check import in_tenant
from herald.builtin.local_auth import hash_password
from herald.people import service
from herald.people.models import Grant, User
from herald.tenancy.models import OrgUnit

TAG_USERS, TAG_ROLES, TAG_GRANTS = "Users", "Roles", "Grants"


@endpoint(bp, "/tenants/<tenant_id>/users", "GET", summary="List users", tag=TAG_USERS,
          query=UserListQuery, response=UserOut, many=True)
def list_users(tenant_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    require(session, who, "users.view", in_tenant(session, who, tenant_id))
    stmt = select(User).where(User.tenant_id == tenant_id)
    if query["status"]:
        stmt = stmt.where(User.status == query["status"])
    if query["email"]:
        stmt = stmt.where(User.email == query["email"].strip().lower())
    return paginate(session, stmt, [User.created_at, User.id], query["limit"], query["cursor"])


@endpoint(bp, "/tenants/<tenant_id>/users", "POST", summary="Create a user", tag=TAG_USERS,
          body=UserCreate, response=UserOut, status=201)
def create_user(tenant_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    password = body.pop("password", None)
    user = service.create_user(db(), actor(), tenant_id,
                               password_hash=hash_password(password) if password else None, **body)
    db().commit()
    return user


@endpoint(bp, "/tenants/<tenant_id>/users/<user_id>", "GET", summary="Get a user", tag=TAG_USERS, response=UserOut)
def get_user(tenant_id: str, user_id: str):  # type: ignore[no-untyped-def]
    return service.get_user(db(), actor(), tenant_id, user_id)


@endpoint(bp, "/tenants/<tenant_id>/users/<user_id>", "PATCH",
          summary="Change a user; status=disabled revokes all their access at once", tag=TAG_USERS,
          body=UserUpdate, response=UserOut)
def update_user(tenant_id: str, user_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    user = service.update_user(db(), actor(), tenant_id, user_id, body)
    db().commit()
    return user


@endpoint(bp, "/tenants/<tenant_id>/roles", "GET", summary="List built-in and custom roles", tag=TAG_ROLES,
          query=ListQuery, response=RoleOut, many=True)
def list_roles(tenant_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    session = db()
    in_tenant(session, actor(), tenant_id)
    roles = sorted(service.all_roles(session, tenant_id), key=lambda r: r["key"])
    return paginate_sorted(roles, "key", query["limit"], query["cursor"])


def _custom(role: Any) -> dict[str, Any]:
    return {"key": role.key, "name": role.name, "description": role.description,
            "permissions": role.permissions, "builtin": False}


@endpoint(bp, "/tenants/<tenant_id>/roles", "POST", summary="Define a custom role", tag=TAG_ROLES,
          body=RoleCreate, response=RoleOut, status=201)
def create_role(tenant_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    role = service.create_role(db(), actor(), tenant_id, **body)
    db().commit()
    return _custom(role)


@endpoint(bp, "/tenants/<tenant_id>/roles/<role_key>", "PATCH", summary="Change a custom role", tag=TAG_ROLES,
          body=RoleUpdate, response=RoleOut)
def update_role(tenant_id: str, role_key: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    role = service.update_role(db(), actor(), tenant_id, role_key, body)
    db().commit()
    return _custom(role)


@endpoint(bp, "/tenants/<tenant_id>/roles/<role_key>", "DELETE", summary="Delete an unused custom role",
          tag=TAG_ROLES, status=204)
def delete_role(tenant_id: str, role_key: str):  # type: ignore[no-untyped-def]
    service.delete_role(db(), actor(), tenant_id, role_key)
    db().commit()


@endpoint(bp, "/tenants/<tenant_id>/grants", "GET", summary="List role grants on units you can see",
          tag=TAG_GRANTS, query=GrantListQuery, response=GrantOut, many=True)
def list_grants(tenant_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    in_tenant(session, who, tenant_id)
    visible = select(OrgUnit.id).where(OrgUnit.tenant_id == tenant_id,
                                       visible_unit_filter(session, who, "grants.view", tenant_id))
    stmt = select(Grant).where(Grant.tenant_id == tenant_id, Grant.org_unit_id.in_(visible))
    if query["user_id"]:
        stmt = stmt.where(Grant.user_id == query["user_id"])
    if query["org_unit_id"]:
        stmt = stmt.where(Grant.org_unit_id == query["org_unit_id"])
    return paginate(session, stmt, [Grant.created_at, Grant.id], query["limit"], query["cursor"])


@endpoint(bp, "/tenants/<tenant_id>/grants", "POST",
          summary="Grant a role on a unit (inherited by its subtree)", tag=TAG_GRANTS,
          body=GrantCreate, response=GrantOut, status=201)
def create_grant(tenant_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    grant = service.create_grant(db(), actor(), tenant_id, **body)
    db().commit()
    return grant


@endpoint(bp, "/tenants/<tenant_id>/grants/<grant_id>", "DELETE", summary="Revoke a grant", tag=TAG_GRANTS,
          status=204)
def delete_grant(tenant_id: str, grant_id: str):  # type: ignore[no-untyped-def]
    service.delete_grant(db(), actor(), tenant_id, grant_id)
    db().commit()
