"""Administration commands: plugins, tenants, users, audit."""

from __future__ import annotations

import click
from sqlalchemy import select

from herald.cli.main import Ctx, cli, pass_ctx


def _tenant(session, slug: str):  # type: ignore[no-untyped-def]
    from herald.tenancy.models import Tenant

    tenant = session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()
    if tenant is None:
        raise click.ClickException(f"no tenant {slug!r}")
    return tenant


@cli.group()
def plugins() -> None:
    """Installed plugins and their enablement per tenant."""


@plugins.command("list")
@pass_ctx
def plugins_list(c: Ctx) -> None:
    """Installed plugins: name, version, hook API, what they provide."""
    host = c.rt.plugins
    rows = [("NAME", "VERSION", "HOOK API", "KIND", "PROVIDES")]
    for name in sorted(host.infos):
        info = host.infos[name]
        rows.append((name, info.version, info.hook_api, "built-in" if info.builtin else "installed",
                     ", ".join(host.provides(name)) or "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        click.echo("  ".join(r[i].ljust(widths[i]) for i in range(4)) + "  " + r[4])


@plugins.command("enable")
@click.argument("tenant")
@click.argument("name")
@pass_ctx
def plugins_enable(c: Ctx, tenant: str, name: str) -> None:
    """Enable plugin NAME for TENANT (its slug)."""
    _set_enabled(c, tenant, name, True)


@plugins.command("disable")
@click.argument("tenant")
@click.argument("name")
@pass_ctx
def plugins_disable(c: Ctx, tenant: str, name: str) -> None:
    """Disable plugin NAME for TENANT (its slug)."""
    _set_enabled(c, tenant, name, False)


def _set_enabled(c: Ctx, slug: str, name: str, enabled: bool) -> None:
    from herald.plugin_host import service

    with c.rt.db.transaction() as session:
        t = _tenant(session, slug)
        service.configure(session, c.rt.plugins, None, t.id, name, enabled=enabled)
    click.echo(f"{name} {'enabled' if enabled else 'disabled'} for {slug}")


@cli.group()
def tenants() -> None:
    """Tenants."""


@tenants.command("list")
@pass_ctx
def tenants_list(c: Ctx) -> None:
    from herald.tenancy.models import Tenant

    with c.rt.db.transaction() as session:
        for t in session.execute(select(Tenant).order_by(Tenant.slug)).scalars():
            click.echo(f"{t.slug}\t{t.id}\t{t.status}\t{t.name}")


@tenants.command("create")
@click.argument("slug")
@click.argument("name")
@pass_ctx
def tenants_create(c: Ctx, slug: str, name: str) -> None:
    from herald.tenancy import service

    with c.rt.db.transaction() as session:
        t = service.create_tenant(session, None, slug=slug, name=name)
    click.echo(f"created tenant {slug} ({t.id})")


@cli.group()
def users() -> None:
    """Users of a tenant."""


@users.command("list")
@click.argument("tenant")
@pass_ctx
def users_list(c: Ctx, tenant: str) -> None:
    from herald.people.models import Grant, User

    with c.rt.db.transaction() as session:
        t = _tenant(session, tenant)
        for u in session.execute(select(User).where(User.tenant_id == t.id).order_by(User.email)).scalars():
            roles = session.execute(select(Grant.role_key).where(Grant.user_id == u.id)).scalars().all()
            click.echo(f"{u.email}\t{u.id}\t{u.status}\t{','.join(sorted(roles))}")


@users.command("create")
@click.argument("tenant")
@click.argument("email")
@click.option("--name", default=None)
@click.option("--role", default=None, help="Grant this role on the tenant's root unit.")
@click.option("--password", default=None)
@pass_ctx
def users_create(c: Ctx, tenant: str, email: str, name: str | None, role: str | None, password: str | None) -> None:
    from herald.builtin.local_auth import hash_password
    from herald.people import service
    from herald.tenancy.service import tenant_root

    with c.rt.db.transaction() as session:
        t = _tenant(session, tenant)
        u = service.create_user(session, None, t.id, email=email, display_name=name or email,
                                password_hash=hash_password(password) if password else None)
        if role:
            service.create_grant(session, None, t.id, user_id=u.id, role_key=role,
                                 org_unit_id=tenant_root(session, t.id).id)
    click.echo(f"created user {email} ({u.id})")


@users.command("disable")
@click.argument("tenant")
@click.argument("email")
@pass_ctx
def users_disable(c: Ctx, tenant: str, email: str) -> None:
    """Disable a user: their tokens are revoked at once."""
    from herald.people.models import User
    from herald.people.service import disable_user

    with c.rt.db.transaction() as session:
        t = _tenant(session, tenant)
        u = session.execute(
            select(User).where(User.tenant_id == t.id, User.email == email.lower())
        ).scalar_one_or_none()
        if u is None:
            raise click.ClickException(f"no user {email!r} in {tenant}")
        disable_user(session, None, u)
    click.echo(f"disabled {email}")


@cli.group()
def audit() -> None:
    """The audit log."""


@audit.command("verify")
@click.option("--tenant", default=None, help="Only this tenant's chain (slug).")
@pass_ctx
def audit_verify(c: Ctx, tenant: str | None) -> None:
    """Verify the hash chains; exits 1 if any was tampered with."""
    from herald.audit.verify import verify_all, verify_chain

    with c.rt.db.transaction() as session:
        reports = [verify_chain(session, _tenant(session, tenant).id)] if tenant else verify_all(session)
    bad = 0
    for r in reports:
        click.echo(f"{r.chain}: {r.events} events, {'OK' if r.ok else 'TAMPERED'}")
        for p in r.problems:
            click.echo(f"  - {p}")
        bad += not r.ok
    if bad:
        raise SystemExit(1)
