"""Tenants, org units and social accounts: the domain rules, with permission checks and audit.

Every function takes a session and an actor, checks permission through herald.authz, writes
an audit event in the same transaction, and never commits (the caller does)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, String, func, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from herald import audit
from herald.authz import Actor, can, require, visible_unit_filter
from herald.authz.check import in_tenant, root_unit
from herald.clock import utcnow
from herald.errors import Conflict, Forbidden, NotFound, ValidationFailed
from herald.events.bus import emit
from herald.tenancy.models import OrgUnit, SocialAccount, Tenant

TENANT_FIELDS = ("id", "slug", "name", "status", "default_locale", "default_time_zone")
UNIT_FIELDS = ("id", "name", "kind", "parent_id", "path", "time_zone", "archived_at")
ACCOUNT_FIELDS = ("id", "org_unit_id", "network", "handle", "display_name", "external_id",
                  "time_zone", "labels", "audience_languages", "archived_at")


# ----------------------------------------------------------------------------- tenants
def create_tenant(session: Session, actor: Actor | None, *, slug: str, name: str,
                  root_unit_name: str | None = None, **extra: Any) -> Tenant:
    """Platform operators only. Creates the tenant and its root (company) unit."""
    if actor is not None and not actor.is_operator:
        raise Forbidden("Only platform operators create tenants.")
    if session.execute(select(Tenant.id).where(Tenant.slug == slug)).first():
        raise Conflict(f"A tenant with slug {slug!r} already exists.")
    tenant = Tenant(slug=slug, name=name, **extra)
    session.add(tenant)
    session.flush()
    root = OrgUnit(tenant_id=tenant.id, name=root_unit_name or name, kind="company", depth=0, path="")
    session.add(root)
    session.flush()
    root.path = f"/{root.id}/"
    session.flush()
    audit.record(session, actor, "tenant.created", "tenant", tenant.id, tenant_id=None,
                 after=audit.snapshot(tenant, TENANT_FIELDS))
    audit.record(session, actor, "org_unit.created", "org_unit", root.id, tenant_id=tenant.id,
                 after=audit.snapshot(root, UNIT_FIELDS))
    return tenant


def update_tenant(session: Session, actor: Actor, tenant_id: str, changes: dict[str, Any]) -> Tenant:
    tenant = in_tenant(session, actor, tenant_id)
    if "status" in changes and not actor.is_operator:
        raise Forbidden("Only platform operators suspend or reactivate tenants.")
    require(session, actor, "tenant.manage", tenant)
    if "slug" in changes and changes["slug"] != tenant.slug and session.execute(
        select(Tenant.id).where(Tenant.slug == changes["slug"])
    ).first():
        raise Conflict(f"A tenant with slug {changes['slug']!r} already exists.")
    before = audit.snapshot(tenant, TENANT_FIELDS)
    for key, value in changes.items():
        setattr(tenant, key, value)
    session.flush()
    audit.record(session, actor, "tenant.updated", "tenant", tenant.id, tenant_id=tenant.id,
                 before=before, after=audit.snapshot(tenant, TENANT_FIELDS))
    return tenant


def visible_tenants_query(actor: Actor):  # type: ignore[no-untyped-def]
    q = select(Tenant)
    return q if actor.is_operator else q.where(Tenant.id == actor.tenant_id)


# ----------------------------------------------------------------------------- org units
def get_unit(session: Session, actor: Actor, tenant_id: str, unit_id: str, permission: str = "units.view") -> OrgUnit:
    in_tenant(session, actor, tenant_id)
    unit = session.get(OrgUnit, unit_id)
    if unit is None or unit.tenant_id != tenant_id:
        raise NotFound(f"No org unit {unit_id!r} in this tenant.")
    if not can(session, actor, "units.view", unit):  # invisible units do not exist for this actor
        raise NotFound(f"No org unit {unit_id!r} in this tenant.")
    if permission != "units.view":
        require(session, actor, permission, unit)
    return unit


def create_unit(session: Session, actor: Actor, tenant_id: str, *, parent_id: str, name: str,
                kind: str = "other", time_zone: str | None = None) -> OrgUnit:
    parent = get_unit(session, actor, tenant_id, parent_id, "units.manage")
    if parent.archived_at is not None:
        raise Conflict("The parent unit is archived; restore it first.")
    unit = OrgUnit(tenant_id=tenant_id, parent_id=parent.id, name=name, kind=kind,
                   time_zone=time_zone, depth=parent.depth + 1, path="")
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path}{unit.id}/"
    session.flush()
    audit.record(session, actor, "org_unit.created", "org_unit", unit.id, tenant_id=tenant_id,
                 after=audit.snapshot(unit, UNIT_FIELDS))
    emit(session, tenant_id, "org_unit.created", {"id": unit.id, "name": unit.name, "parent_id": parent.id})
    return unit


def update_unit(session: Session, actor: Actor, tenant_id: str, unit_id: str, changes: dict[str, Any]) -> OrgUnit:
    unit = get_unit(session, actor, tenant_id, unit_id, "units.manage")
    before = audit.snapshot(unit, UNIT_FIELDS)
    for key, value in changes.items():
        setattr(unit, key, value)
    session.flush()
    audit.record(session, actor, "org_unit.updated", "org_unit", unit.id, tenant_id=tenant_id,
                 before=before, after=audit.snapshot(unit, UNIT_FIELDS))
    return unit


def move_unit(session: Session, actor: Actor, tenant_id: str, unit_id: str, new_parent_id: str) -> OrgUnit:
    """Move a subtree under another unit. Needs ``units.manage`` on the unit, its old parent's
    side (the unit itself) and the new parent; refuses cycles and moving the root."""
    unit = get_unit(session, actor, tenant_id, unit_id, "units.manage")
    new_parent = get_unit(session, actor, tenant_id, new_parent_id, "units.manage")
    if unit.parent_id is None:
        raise Conflict("The root unit cannot be moved.")
    if new_parent.path.startswith(unit.path):
        raise Conflict("A unit cannot be moved under itself or one of its descendants (that would make a cycle).")
    if new_parent.archived_at is not None:
        raise Conflict("The new parent is archived.")
    if unit.parent_id == new_parent.id:
        return unit
    before = audit.snapshot(unit, UNIT_FIELDS)
    old_path, new_path = unit.path, f"{new_parent.path}{unit.id}/"
    depth_shift = new_parent.depth + 1 - unit.depth
    session.execute(
        update(OrgUnit)
        .where(OrgUnit.tenant_id == tenant_id, OrgUnit.path.startswith(old_path, autoescape=True))
        .values(path=literal(new_path, String) + func.substr(OrgUnit.path, len(old_path) + 1),
                depth=OrgUnit.depth + depth_shift)
        .execution_options(synchronize_session=False)
    )
    unit.parent_id = new_parent.id
    session.flush()
    session.expire_all()
    unit = session.get(OrgUnit, unit_id)  # type: ignore[assignment]
    audit.record(session, actor, "org_unit.moved", "org_unit", unit.id, tenant_id=tenant_id,
                 before=before, after=audit.snapshot(unit, UNIT_FIELDS))
    return unit


def archive_unit(session: Session, actor: Actor, tenant_id: str, unit_id: str, archived: bool = True) -> OrgUnit:
    """Archive (or restore) a unit and its whole subtree. The root cannot be archived."""
    unit = get_unit(session, actor, tenant_id, unit_id, "units.manage")
    if unit.parent_id is None:
        raise Conflict("The root unit cannot be archived.")
    if not archived and unit.parent_id:
        parent = session.get(OrgUnit, unit.parent_id)
        if parent and parent.archived_at is not None:
            raise Conflict("Its parent is archived; restore the parent first.")
    before = audit.snapshot(unit, UNIT_FIELDS)
    stamp = utcnow() if archived else None
    subtree = session.execute(
        select(OrgUnit).where(OrgUnit.tenant_id == tenant_id, OrgUnit.path.startswith(unit.path, autoescape=True))
    ).scalars().all()
    for u in subtree:
        if (archived and u.archived_at is None) or not archived:
            u.archived_at = stamp
    session.flush()
    audit.record(session, actor, "org_unit.archived" if archived else "org_unit.restored", "org_unit",
                 unit.id, tenant_id=tenant_id, before=before, after=audit.snapshot(unit, UNIT_FIELDS),
                 context={"subtree_units": len(subtree)})
    return unit


# ----------------------------------------------------------------------------- social accounts
def get_account(session: Session, actor: Actor, tenant_id: str, account_id: str,
                permission: str = "accounts.view") -> SocialAccount:
    in_tenant(session, actor, tenant_id)
    acct = session.get(SocialAccount, account_id)
    if acct is None or acct.tenant_id != tenant_id:
        raise NotFound(f"No social account {account_id!r} in this tenant.")
    if not can(session, actor, "accounts.view", acct):
        raise NotFound(f"No social account {account_id!r} in this tenant.")
    if permission != "accounts.view":
        require(session, actor, permission, acct)
    return acct


def available_networks(session: Session, tenant_id: str) -> dict[str, Any]:
    from herald.runtime import current

    hooks = current().plugins.for_tenant(session, tenant_id)
    return {cls.key: cls for cls in hooks.classes("herald_network_connectors")}


def create_account(session: Session, actor: Actor, tenant_id: str, *, org_unit_id: str,
                   network: str, handle: str, **fields: Any) -> SocialAccount:
    unit = get_unit(session, actor, tenant_id, org_unit_id, "accounts.manage")
    if unit.archived_at is not None:
        raise Conflict("The unit is archived.")
    networks = available_networks(session, tenant_id)
    if network not in networks:
        raise ValidationFailed(
            f"Network {network!r} is not available to this tenant.",
            {"network": [f"Enable a connector plugin for it first. "
                         f"Available: {', '.join(sorted(networks)) or 'none'}."]},
        )
    acct = SocialAccount(tenant_id=tenant_id, org_unit_id=unit.id, network=network, handle=handle, **fields)
    session.add(acct)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict(f"This tenant already has the {network} account {handle!r}.") from exc
    audit.record(session, actor, "social_account.created", "social_account", acct.id,
                 tenant_id=tenant_id, after=audit.snapshot(acct, ACCOUNT_FIELDS))
    return acct


def update_account(session: Session, actor: Actor, tenant_id: str, account_id: str,
                   changes: dict[str, Any]) -> SocialAccount:
    acct = get_account(session, actor, tenant_id, account_id, "accounts.manage")
    before = audit.snapshot(acct, ACCOUNT_FIELDS)
    if "org_unit_id" in changes and changes["org_unit_id"] != acct.org_unit_id:
        target = get_unit(session, actor, tenant_id, changes["org_unit_id"], "accounts.manage")
        if target.archived_at is not None:
            raise Conflict("The target unit is archived.")
    if changes.get("archived") is not None:
        acct.archived_at = utcnow() if changes.pop("archived") else None
    for key, value in changes.items():
        setattr(acct, key, value)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict("Another account of this network already has that handle.") from exc
    audit.record(session, actor, "social_account.updated", "social_account", acct.id,
                 tenant_id=tenant_id, before=before, after=audit.snapshot(acct, ACCOUNT_FIELDS))
    return acct


def tenant_root(session: Session, tenant_id: str) -> OrgUnit:
    return root_unit(session, tenant_id)


def unit_ids_in_scope(session: Session, actor: Actor, tenant_id: str, permission: str,
                      under_id: str | None = None, descendants: bool = True) -> Select[tuple[str]]:
    """A subquery of the unit ids where ``permission`` holds for ``actor``, optionally narrowed
    to one unit (with or without its descendants) — what every "list X on units" filter needs."""
    in_tenant(session, actor, tenant_id)
    units = select(OrgUnit.id).where(OrgUnit.tenant_id == tenant_id,
                                     visible_unit_filter(session, actor, permission, tenant_id))
    if under_id:
        unit = get_unit(session, actor, tenant_id, under_id)
        units = units.where(OrgUnit.path.startswith(unit.path, autoescape=True) if descendants
                            else OrgUnit.id == unit.id)
    return units
