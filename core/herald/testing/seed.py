"""Building test data through the real services (so audit events and rules apply)."""

from __future__ import annotations

from dataclasses import dataclass, field

from herald.auth.tokens import issue_token
from herald.people import service as people
from herald.people.models import User
from herald.runtime import Runtime
from herald.tenancy import service as tenancy
from herald.tenancy.models import OrgUnit, Tenant


@dataclass
class SeededTenant:
    tenant: Tenant
    root: OrgUnit
    units: dict[str, OrgUnit] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.tenant.id


class Seed:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def tenant(self, slug: str, tree: dict[str, str | None] | None = None) -> SeededTenant:
        """A tenant and a tree given as {unit name: parent name (None: under the root)}."""
        with self.rt.db.transaction() as s:
            t = tenancy.create_tenant(s, None, slug=slug, name=slug.title())
            root = tenancy.tenant_root(s, t.id)
            seeded = SeededTenant(t, root, {"root": root})
            for name, parent in (tree or {}).items():
                p = seeded.units[parent] if parent else root
                u = OrgUnit(tenant_id=t.id, parent_id=p.id, name=name, kind="brand", depth=p.depth + 1, path="")
                s.add(u)
                s.flush()
                u.path = f"{p.path}{u.id}/"
                s.flush()
                seeded.units[name] = u
            return seeded

    def user(self, tenant: SeededTenant, email: str, grants: list[tuple[str, str]] = (),  # type: ignore[assignment]
             password_hash: str | None = None) -> tuple[User, str]:
        """A user with ``grants`` [(role, unit name)] and an API token for them."""
        with self.rt.db.transaction() as s:
            u = people.create_user(s, None, tenant.id, email=email, display_name=email.split("@")[0],
                                   password_hash=password_hash)
            for role, unit_name in grants:
                people.create_grant(s, None, tenant.id, user_id=u.id, role_key=role,
                                    org_unit_id=tenant.units[unit_name].id)
            _, token = issue_token(s, None, u, "test")
            return u, token

    def operator(self, email: str = "op@herald.test") -> tuple[User, str]:
        with self.rt.db.transaction() as s:
            u = User(tenant_id=None, email=email, display_name="Operator", is_operator=True)
            s.add(u)
            s.flush()
            _, token = issue_token(s, None, u, "test")
            return u, token
