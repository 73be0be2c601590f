"""The one permission check: can this actor do this action on this unit (or object)?

A grant of a role on a unit applies to that unit and every unit below it — never above it or
beside it. Operators (instance administrators) may do everything. Disabled users, archived
tenants and other tenants' objects get nothing."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from herald.authz.actor import Actor
from herald.authz.catalogue import PERMISSIONS, builtin_permissions
from herald.authz.grant_memo import grant_rows
from herald.errors import Forbidden, NotFound
from herald.people.models import CustomRole, User
from herald.tenancy.models import OrgUnit, Tenant


class UnitScoped(Protocol):
    tenant_id: str
    org_unit_id: str


def role_permissions(session: Session, tenant_id: str, role_key: str) -> frozenset[str]:
    builtin = builtin_permissions(role_key)
    if builtin is not None:
        return builtin
    role = session.execute(
        select(CustomRole).where(CustomRole.tenant_id == tenant_id, CustomRole.key == role_key)
    ).scalar_one_or_none()
    return frozenset(role.permissions) if role else frozenset()


def _granted_units(session: Session, actor: Actor, permission: str) -> list[tuple[str, str]]:
    """(id, path) of the units on which the actor holds some role carrying ``permission``."""
    user = session.get(User, actor.user_id)
    if user is None or not user.active or user.tenant_id != actor.tenant_id:
        return []
    tenant = session.get(Tenant, actor.tenant_id)
    if tenant is None or tenant.status != "active":
        return []
    cache: dict[str, frozenset[str]] = {}
    units = []
    for role_key, unit_id, path in grant_rows(session, actor.user_id):
        if role_key not in cache:
            cache[role_key] = role_permissions(session, actor.tenant_id or "", role_key)
        if permission in cache[role_key]:
            units.append((unit_id, path))
    return units


def _operator(session: Session, actor: Actor) -> bool:
    if not actor.is_operator:
        return False
    user = session.get(User, actor.user_id)
    return bool(user and user.active and user.is_operator)


def can(session: Session, actor: Actor, permission: str, target: OrgUnit | UnitScoped | Tenant) -> bool:
    """True if ``actor`` may do ``permission`` on ``target`` (a unit, a unit-scoped object, or
    a tenant — meaning its root unit)."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")
    if actor.permission_cap is not None and permission not in actor.permission_cap:
        return False  # a scoped token never exceeds its scopes, whoever holds it
    if _operator(session, actor):
        return True
    if isinstance(target, Tenant):
        tenant_id, unit = target.id, _root_unit(session, target.id)
    elif isinstance(target, OrgUnit):
        tenant_id, unit = target.tenant_id, target
    else:
        tenant_id, unit = target.tenant_id, session.get(OrgUnit, target.org_unit_id)
    if unit is None or tenant_id != actor.tenant_id or unit.tenant_id != tenant_id:
        return False
    granted = {unit_id for unit_id, _ in _granted_units(session, actor, permission)}
    return bool(granted & set(unit.ancestor_ids))


def require(session: Session, actor: Actor, permission: str, target: OrgUnit | UnitScoped | Tenant) -> None:
    """Raise :class:`Forbidden` unless :func:`can`."""
    if not can(session, actor, permission, target):
        raise Forbidden(f"You lack the permission {permission!r} here ({PERMISSIONS[permission]}).",
                        permission=permission)


def in_tenant(session: Session, actor: Actor, tenant_id: str) -> Tenant:
    """The tenant, if the actor belongs to it (or is an operator); else NotFound, so that other
    tenants' existence is not revealed."""
    tenant = session.get(Tenant, tenant_id)
    if tenant is None or not (_operator(session, actor) or actor.tenant_id == tenant_id):
        raise NotFound(f"No tenant {tenant_id!r}.")
    return tenant


def visible_unit_filter(session: Session, actor: Actor, permission: str, tenant_id: str) -> ColumnElement[bool]:
    """A SQL condition on :class:`OrgUnit` selecting the units where ``permission`` holds:
    the subtrees under the actor's qualifying grants."""
    return path_filter(OrgUnit.path, visible_unit_paths(session, actor, permission, tenant_id))


def visible_unit_paths(session: Session, actor: Actor, permission: str, tenant_id: str) -> list[str] | None:
    """The paths of the subtrees where ``permission`` holds for ``actor`` in ``tenant_id``:
    None means everywhere (an operator), an empty list nowhere. For tables that carry a unit's
    path themselves (:func:`path_filter`)."""
    if actor.permission_cap is not None and permission not in actor.permission_cap:
        return []
    if _operator(session, actor):
        return None
    if actor.tenant_id != tenant_id:
        return []
    return [path for _, path in _granted_units(session, actor, permission)]


def path_filter(column: Any, paths: list[str] | None) -> ColumnElement[bool]:
    """``column`` (a unit path) lies in one of the subtrees ``paths`` (None: anywhere)."""
    if paths is None:
        return true()
    if not paths:
        return false()
    return or_(*(column.startswith(p, autoescape=True) for p in paths))


def _root_unit(session: Session, tenant_id: str) -> OrgUnit | None:
    return session.execute(
        select(OrgUnit).where(OrgUnit.tenant_id == tenant_id, OrgUnit.parent_id.is_(None))
    ).scalar_one_or_none()


def root_unit(session: Session, tenant_id: str) -> OrgUnit:
    unit = _root_unit(session, tenant_id)
    if unit is None:
        raise NotFound("The tenant has no root unit.")
    return unit
