"""Identity-provider groups (and roles) mapped to role grants on org units, per tenant and
provider. The mapping is re-applied at every sign-in through that provider: a group the person
lost at the provider takes away the grant it gave; grants given by hand are never touched."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from herald import audit
from herald.auth.models import SsoGroupMapping
from herald.auth.provider import ExternalIdentity
from herald.authz import Actor, require
from herald.authz.catalogue import BUILTIN_ROLES
from herald.authz.check import in_tenant, role_permissions
from herald.errors import ValidationFailed
from herald.people.models import Grant
from herald.tenancy.models import OrgUnit

GRANT_FIELDS = ("id", "user_id", "role_key", "org_unit_id", "source")


def source_of(provider: str) -> str:
    return f"sso:{provider}"


def list_mappings(session: Session, actor: Actor, tenant_id: str, provider: str) -> list[dict[str, str]]:
    require(session, actor, "grants.view", in_tenant(session, actor, tenant_id))
    return _mappings(session, tenant_id, provider)


def _mappings(session: Session, tenant_id: str, provider: str) -> list[dict[str, str]]:
    rows = session.execute(select(SsoGroupMapping).where(
        SsoGroupMapping.tenant_id == tenant_id, SsoGroupMapping.provider == provider,
    ).order_by(SsoGroupMapping.group_name, SsoGroupMapping.role_key, SsoGroupMapping.org_unit_id)).scalars()
    return [{"group": m.group_name, "role": m.role_key, "org_unit_id": m.org_unit_id} for m in rows]


def replace_mappings(session: Session, actor: Actor, tenant_id: str, provider: str,
                     mappings: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Replace the provider's whole mapping. Needs ``tenant.manage`` and ``grants.manage``, and
    (as for any grant) the editor must hold every permission of each mapped role on its unit."""
    tenant = in_tenant(session, actor, tenant_id)
    require(session, actor, "tenant.manage", tenant)
    require(session, actor, "grants.manage", tenant)
    errors: dict[str, list[str]] = {}
    wanted: set[tuple[str, str, str]] = set()
    for i, m in enumerate(mappings):
        unit = session.get(OrgUnit, m["org_unit_id"])
        perms = role_permissions(session, tenant_id, m["role"])
        if unit is None or unit.tenant_id != tenant_id:
            errors[f"{i}.org_unit_id"] = ["No such org unit in this tenant."]
        elif not perms and m["role"] not in BUILTIN_ROLES:
            errors[f"{i}.role"] = ["No such role in this tenant."]
        else:
            from herald.authz import can

            beyond = sorted(p for p in perms if not can(session, actor, p, unit))
            if beyond:
                errors[f"{i}.role"] = [f"It carries permissions you do not hold there: {', '.join(beyond)}."]
        wanted.add((m["group"], m["role"], m["org_unit_id"]))
    if errors:
        raise ValidationFailed("The group mappings are not valid.", errors)
    before = _mappings(session, tenant_id, provider)
    session.execute(delete(SsoGroupMapping).where(SsoGroupMapping.tenant_id == tenant_id,
                                                  SsoGroupMapping.provider == provider))
    for group, role, unit_id in sorted(wanted):
        session.add(SsoGroupMapping(tenant_id=tenant_id, provider=provider, group_name=group, role_key=role,
                                    org_unit_id=unit_id))
    session.flush()
    after = _mappings(session, tenant_id, provider)
    audit.record(session, actor, "sso_group_mappings.replaced", "sso_provider", provider, tenant_id=tenant_id,
                 before={"mappings": before}, after={"mappings": after})
    return after


def apply(session: Session, tenant_id: str, provider: str, user_id: str, identity: ExternalIdentity
          ) -> dict[str, list[dict[str, str]]]:
    """Bring the grants this provider's mapping gave ``user_id`` in line with ``identity``'s
    groups and roles; returns what was added and removed."""
    memberships = set(identity.groups) | set(identity.roles)
    wanted = {(m["role"], m["org_unit_id"]) for m in _mappings(session, tenant_id, provider)
              if m["group"] in memberships
              # a custom role deleted since the mapping was saved grants nothing
              and (m["role"] in BUILTIN_ROLES or role_permissions(session, tenant_id, m["role"]))}
    source = source_of(provider)
    held = session.execute(select(Grant).where(Grant.user_id == user_id, Grant.tenant_id == tenant_id)).scalars().all()
    mine = {(g.role_key, g.org_unit_id): g for g in held if g.source == source}
    any_source = {(g.role_key, g.org_unit_id) for g in held}
    changes: dict[str, list[dict[str, str]]] = {"added": [], "removed": []}
    context = {"via": source, "reason": "identity provider group mapping"}
    for key, grant in mine.items():
        if key not in wanted:
            before = audit.snapshot(grant, GRANT_FIELDS)
            session.delete(grant)
            session.flush()
            audit.record(session, None, "grant.deleted", "grant", before["id"], tenant_id=tenant_id,
                         before=before, context=context)
            changes["removed"].append({"role": key[0], "org_unit_id": key[1]})
    for role, unit_id in sorted(wanted - any_source):
        grant = Grant(tenant_id=tenant_id, user_id=user_id, role_key=role, org_unit_id=unit_id, source=source)
        session.add(grant)
        session.flush()
        audit.record(session, None, "grant.created", "grant", grant.id, tenant_id=tenant_id,
                     after=audit.snapshot(grant, GRANT_FIELDS), context=context)
        changes["added"].append({"role": role, "org_unit_id": unit_id})
    return changes
