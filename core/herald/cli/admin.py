"""Administration commands: plugins, tenants, users, audit."""

from __future__ import annotations

from pathlib import Path

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
@click.option("--checkpoints", "checkpoint_files", multiple=True, type=click.Path(path_type=Path),
              help="Also check against checkpoints exported by `herald audit checkpoint` (repeatable).")
@pass_ctx
def audit_verify(c: Ctx, tenant: str | None, checkpoint_files: tuple[Path, ...]) -> None:
    """Verify the hash chains with the instance audit keys, and against exported checkpoints;
    exits 1 if anything was tampered with."""
    from herald.audit import checkpoints
    from herald.audit.keys import DERIVED_KEY_ID, verifying_keys
    from herald.audit.verify import verify_all, verify_chain
    from herald.tenancy.models import Tenant

    keys = verifying_keys(c.rt.settings.audit_keys)
    problems: list[str] = []
    with c.rt.db.transaction() as session:
        only = _tenant(session, tenant).id if tenant else None
        reports = {r.chain: r for r in ([verify_chain(session, only, keys=keys)] if only
                                        else verify_all(session, keys=keys))}
        for path in checkpoint_files:
            lines = [(n, cp) for n, cp in checkpoints.read(path) if only is None or (cp or {}).get("chain") == only]
            problems += checkpoints.check(session, reports, lines, keys, str(path))
        slugs = {row.id: row.slug for row in session.execute(select(Tenant.id, Tenant.slug))}
    bad = 0
    for chain in sorted(reports):
        r = reports[chain]
        who = "platform" if r.tenant_id is None else f"tenant {slugs.get(r.tenant_id, '(deleted)')} ({r.tenant_id})"
        legacy = f", {r.legacy_events} legacy (unkeyed SHA-256)" if r.legacy_events else ""
        click.echo(f"{r.chain}: {r.events} events{legacy}, {'OK' if r.ok else 'TAMPERED'} ({who})")
        for f in r.findings:
            click.echo(f"  - {f.kind}: {f.detail}")
        bad += not r.ok
    for p in problems:
        click.echo(f"checkpoint problem: {p}")
    if c.rt.settings.audit_keys[0][0] == DERIVED_KEY_ID:
        click.echo("note: HERALD_AUDIT_KEYS is not set; events are keyed with a key derived from "
                   "HERALD_SECRET_KEY", err=True)
    if bad or problems:
        raise SystemExit(1)


@audit.command("checkpoint")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Append the checkpoints to this file (JSON lines); '-' prints them.")
@click.option("--syslog", "to_syslog", is_flag=True,
              help="Also send them to syslog (facility auth): HERALD_AUDIT_CHECKPOINT_SYSLOG, else /dev/log.")
@pass_ctx
def audit_checkpoint(c: Ctx, out: Path | None, to_syslog: bool) -> None:
    """Sign the head of every chain with the newest audit key and export it, out of the
    database's reach; `herald audit verify --checkpoints FILE` checks against it."""
    from herald.audit import checkpoints

    if out is None and not to_syslog:
        raise click.ClickException("say where to export the checkpoints: --out FILE, --out - or --syslog")
    key_id, secret = c.rt.settings.audit_keys[0]
    with c.rt.db.transaction() as session:
        taken = checkpoints.take(session, key_id, secret.encode("utf-8"))
    if out is not None and str(out) == "-":
        for cp in taken:
            click.echo(checkpoints.to_line(cp))
    elif out is not None:
        checkpoints.append_to_file(out, taken)
        click.echo(f"{len(taken)} checkpoints appended to {out}", err=True)
    if to_syslog:
        checkpoints.send_to_syslog(taken, c.rt.settings.audit_checkpoint_syslog or "/dev/log")
