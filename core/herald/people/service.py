"""Users, role grants and custom roles: domain rules with permission checks and audit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from herald import audit
from herald.authz import Actor, can, require
from herald.authz.catalogue import BUILTIN_ROLES, PERMISSIONS
from herald.authz.check import in_tenant, role_permissions, root_unit
from herald.clock import utcnow
from herald.errors import Conflict, Forbidden, NotFound, ValidationFailed
from herald.people.models import CustomRole, Grant, User
from herald.tenancy.models import OrgUnit

USER_FIELDS = ("id", "email", "display_name", "status", "locale", "time_zone", "is_operator")
GRANT_FIELDS = ("id", "user_id", "role_key", "org_unit_id")
ROLE_FIELDS = ("id", "key", "name", "description", "permissions")


# ----------------------------------------------------------------------------- users
def get_user(session: Session, actor: Actor, tenant_id: str, user_id: str) -> User:
    tenant = in_tenant(session, actor, tenant_id)
    user = session.get(User, user_id)
    if user is None or user.tenant_id != tenant_id:
        raise NotFound(f"No user {user_id!r} in this tenant.")
    if user.id != actor.user_id:
        require(session, actor, "users.view", tenant)
    return user


def create_user(session: Session, actor: Actor | None, tenant_id: str, *, email: str, display_name: str,
                password_hash: str | None = None, **fields: Any) -> User:
    if actor is not None:
        require(session, actor, "users.manage", in_tenant(session, actor, tenant_id))
    email = email.strip().lower()
    if session.execute(select(User.id).where(User.tenant_id == tenant_id, User.email == email)).first():
        raise Conflict(f"A user with email {email!r} already exists in this tenant.")
    user = User(tenant_id=tenant_id, email=email, display_name=display_name,
                password_hash=password_hash, **fields)
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.created", "user", user.id, tenant_id=tenant_id,
                 after=audit.snapshot(user, USER_FIELDS))
    return user


def update_user(session: Session, actor: Actor, tenant_id: str, user_id: str, changes: dict[str, Any]) -> User:
    user = get_user(session, actor, tenant_id, user_id)
    self_service = {"display_name", "locale", "time_zone"}
    if user.id != actor.user_id or not set(changes) <= self_service:
        require(session, actor, "users.manage", in_tenant(session, actor, tenant_id))
    if changes.get("status") == "disabled" and user.id == actor.user_id:
        raise Conflict("You cannot disable yourself.")
    before = audit.snapshot(user, USER_FIELDS)
    if "email" in changes:
        changes["email"] = changes["email"].strip().lower()
        clash = session.execute(select(User.id).where(
            User.tenant_id == tenant_id, User.email == changes["email"], User.id != user.id)).first()
        if clash:
            raise Conflict(f"A user with email {changes['email']!r} already exists in this tenant.")
    for key, value in changes.items():
        setattr(user, key, value)
    if changes.get("status") == "disabled":
        _deprovision(session, user)
    elif changes.get("status") == "active":
        user.disabled_at = None
    session.flush()
    audit.record(session, actor, "user.updated", "user", user.id, tenant_id=tenant_id,
                 before=before, after=audit.snapshot(user, USER_FIELDS))
    return user


def disable_user(session: Session, actor: Actor | None, user: User) -> User:
    """Disable ``user`` (``actor`` None: the system, e.g. the CLI): access ends at once; their
    content, approvals and audit history stay attributed to them."""
    if user.status == "disabled":
        return user
    before = audit.snapshot(user, USER_FIELDS)
    user.status = "disabled"
    _deprovision(session, user)
    session.flush()
    audit.record(session, actor, "user.updated", "user", user.id, tenant_id=user.tenant_id,
                 before=before, after=audit.snapshot(user, USER_FIELDS))
    return user


def _deprovision(session: Session, user: User) -> None:
    """A disabled user loses access on the very next request: every browser session ends and
    every token is revoked now."""
    from herald.auth import sessions, tokens  # auth builds on people; imported late to stay acyclic

    user.disabled_at = utcnow()
    sessions.end_all(session, user.id, "user_disabled")
    tokens.revoke_all(session, user.id)


# ----------------------------------------------------------------------------- roles
def all_roles(session: Session, tenant_id: str) -> list[dict[str, Any]]:
    roles = [{"key": k, "name": v["name"], "description": "", "permissions": sorted(v["permissions"]),
              "builtin": True, "id": None} for k, v in BUILTIN_ROLES.items()]
    for r in session.execute(select(CustomRole).where(CustomRole.tenant_id == tenant_id)
                             .order_by(CustomRole.key)).scalars():
        roles.append({"key": r.key, "name": r.name, "description": r.description,
                      "permissions": sorted(r.permissions), "builtin": False, "id": r.id})
    return roles


def _check_permissions(perms: list[str]) -> list[str]:
    unknown = sorted(set(perms) - set(PERMISSIONS))
    if unknown:
        raise ValidationFailed("Unknown permissions.",
                               {"permissions": [f"Not in the catalogue: {', '.join(unknown)}."]})
    return sorted(set(perms))


def get_custom_role(session: Session, tenant_id: str, key: str) -> CustomRole:
    role = session.execute(
        select(CustomRole).where(CustomRole.tenant_id == tenant_id, CustomRole.key == key)
    ).scalar_one_or_none()
    if role is None:
        raise NotFound(f"No custom role {key!r} in this tenant.")
    return role


def create_role(session: Session, actor: Actor, tenant_id: str, *, key: str, name: str,
                permissions: list[str], description: str = "") -> CustomRole:
    require(session, actor, "roles.manage", in_tenant(session, actor, tenant_id))
    if key in BUILTIN_ROLES:
        raise Conflict(f"{key!r} is a built-in role.")
    if session.execute(select(CustomRole.id).where(CustomRole.tenant_id == tenant_id, CustomRole.key == key)).first():
        raise Conflict(f"A role {key!r} already exists.")
    role = CustomRole(tenant_id=tenant_id, key=key, name=name, description=description,
                      permissions=_check_permissions(permissions))
    session.add(role)
    session.flush()
    audit.record(session, actor, "role.created", "role", role.id, tenant_id=tenant_id,
                 after=audit.snapshot(role, ROLE_FIELDS))
    return role


def update_role(session: Session, actor: Actor, tenant_id: str, key: str, changes: dict[str, Any]) -> CustomRole:
    require(session, actor, "roles.manage", in_tenant(session, actor, tenant_id))
    if key in BUILTIN_ROLES:
        raise Conflict(f"{key!r} is a built-in role and cannot be changed.")
    role = get_custom_role(session, tenant_id, key)
    before = audit.snapshot(role, ROLE_FIELDS)
    if "permissions" in changes:
        changes["permissions"] = _check_permissions(changes["permissions"])
    for k, v in changes.items():
        setattr(role, k, v)
    session.flush()
    audit.record(session, actor, "role.updated", "role", role.id, tenant_id=tenant_id,
                 before=before, after=audit.snapshot(role, ROLE_FIELDS))
    return role


def delete_role(session: Session, actor: Actor, tenant_id: str, key: str) -> None:
    require(session, actor, "roles.manage", in_tenant(session, actor, tenant_id))
    if key in BUILTIN_ROLES:
        raise Conflict(f"{key!r} is a built-in role and cannot be deleted.")
    role = get_custom_role(session, tenant_id, key)
    in_use = session.execute(select(Grant.id).where(Grant.tenant_id == tenant_id, Grant.role_key == key)).first()
    if in_use:
        raise Conflict(f"Role {key!r} is still granted; revoke its grants first.")
    before = audit.snapshot(role, ROLE_FIELDS)
    session.delete(role)
    session.flush()
    audit.record(session, actor, "role.deleted", "role", before["id"], tenant_id=tenant_id, before=before)


# ----------------------------------------------------------------------------- grants
def create_grant(session: Session, actor: Actor | None, tenant_id: str, *, user_id: str,
                 role_key: str, org_unit_id: str) -> Grant:
    """Grant ``role_key`` on a unit. The granter needs ``grants.manage`` there and must hold
    every permission of the role there too: nobody hands out more than they have."""
    unit = session.get(OrgUnit, org_unit_id)
    if unit is None or unit.tenant_id != tenant_id:
        raise NotFound(f"No org unit {org_unit_id!r} in this tenant.")
    user = session.get(User, user_id)
    if user is None or user.tenant_id != tenant_id:
        raise NotFound(f"No user {user_id!r} in this tenant.")
    perms = role_permissions(session, tenant_id, role_key)
    if not perms and role_key not in BUILTIN_ROLES:
        raise NotFound(f"No role {role_key!r} in this tenant.")
    if actor is not None:
        in_tenant(session, actor, tenant_id)
        require(session, actor, "grants.manage", unit)
        _require_holds_role(session, actor, tenant_id, role_key, unit, "grant")
    if session.execute(select(Grant.id).where(Grant.user_id == user_id, Grant.role_key == role_key,
                                              Grant.org_unit_id == org_unit_id)).first():
        raise Conflict("This user already holds this role on this unit.")
    grant = Grant(tenant_id=tenant_id, user_id=user_id, role_key=role_key, org_unit_id=org_unit_id,
                  granted_by=actor.user_id if actor else None)
    session.add(grant)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict("This user already holds this role on this unit.") from exc
    audit.record(session, actor, "grant.created", "grant", grant.id, tenant_id=tenant_id,
                 after=audit.snapshot(grant, GRANT_FIELDS))
    return grant


def _require_holds_role(session: Session, actor: Actor, tenant_id: str, role_key: str, unit: OrgUnit,
                        verb: str) -> None:
    """Nobody grants or revokes a role carrying permissions they do not hold on that unit."""
    perms = role_permissions(session, tenant_id, role_key)
    beyond = sorted(p for p in perms if not can(session, actor, p, unit))
    if beyond:
        raise Forbidden(f"You cannot {verb} {role_key!r} here: it carries permissions you do not hold here "
                        f"({', '.join(beyond)}).")


def delete_grant(session: Session, actor: Actor, tenant_id: str, grant_id: str) -> None:
    in_tenant(session, actor, tenant_id)
    grant = session.get(Grant, grant_id)
    if grant is None or grant.tenant_id != tenant_id:
        raise NotFound(f"No grant {grant_id!r} in this tenant.")
    unit = session.get(OrgUnit, grant.org_unit_id)
    assert unit is not None
    require(session, actor, "grants.manage", unit)
    _require_holds_role(session, actor, tenant_id, grant.role_key, unit, "revoke")
    if grant.role_key == "tenant_admin" and grant.org_unit_id == root_unit(session, tenant_id).id:
        others = session.execute(
            select(Grant.id).join(User, User.id == Grant.user_id).where(
                Grant.tenant_id == tenant_id, Grant.role_key == "tenant_admin",
                Grant.org_unit_id == grant.org_unit_id, Grant.id != grant.id, User.status == "active")
        ).first()
        if not others:
            raise Conflict("This is the tenant's last active tenant administrator; grant another admin first.")
    before = audit.snapshot(grant, GRANT_FIELDS)
    session.delete(grant)
    session.flush()
    audit.record(session, actor, "grant.deleted", "grant", grant_id, tenant_id=tenant_id, before=before)
