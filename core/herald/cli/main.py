"""``herald``: init, serve, worker, scheduler, status, db, plugins, tenants, users, audit, keys."""

from __future__ import annotations

import contextlib
import secrets
import sys
from typing import Any

import click
from sqlalchemy import select

from herald.config import Settings
from herald.errors import HeraldError
from herald.runtime import Runtime, build_runtime


class Ctx:
    _rt: Runtime | None = None

    @property
    def rt(self) -> Runtime:
        if self._rt is None:
            self._rt = build_runtime(Settings.from_env())
        return self._rt


pass_ctx = click.make_pass_decorator(Ctx, ensure=True)


class HeraldGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except HeraldError as exc:
            raise click.ClickException(exc.detail) from exc


@click.group(cls=HeraldGroup)
def cli() -> None:
    """Herald: governed social publishing for many brands, networks, languages and time zones."""


def main() -> None:
    cli(obj=Ctx())


@cli.command()
@click.option("--demo", is_flag=True, help="Also create the demo tenant.")
@click.option("--admin-email", default="admin@herald.local", show_default=True)
@click.option("--admin-password", default=None, help="Default: a random one, printed once.")
@pass_ctx
def init(c: Ctx, demo: bool, admin_email: str, admin_password: str | None) -> None:
    """Create or upgrade the database, the bootstrap operator, and optionally the demo tenant.
    Safe to run again: it creates only what is missing."""
    from herald.auth.tokens import actor_for_user, issue_token
    from herald.builtin.local_auth import hash_password
    from herald.db.roles import migrate
    from herald.demo import DEMO_PASSWORD, DEMO_SLUG, create_demo
    from herald.people.models import User

    rt = c.rt
    for line in _migrate(rt.settings, migrate):
        click.echo(line, err=line.startswith("warning"))
    click.echo(f"database ready ({rt.db.dialect})")
    with rt.db.transaction() as session:
        operator = session.execute(select(User).where(User.is_operator.is_(True))).scalars().first()
        if operator is None:
            password = admin_password or secrets.token_urlsafe(12)
            operator = User(tenant_id=None, email=admin_email.lower(), display_name="Platform operator",
                            is_operator=True, password_hash=hash_password(password))
            session.add(operator)
            session.flush()
            from herald import audit

            audit.record(session, None, "user.created", "user", operator.id, tenant_id=None,
                         after={"email": operator.email, "is_operator": True})
            _, token = issue_token(session, actor_for_user(operator), operator, "bootstrap")
            click.echo(f"bootstrap operator: {operator.email}  password: {password}")
            click.echo(f"bootstrap API token (shown once): {token}")
        if demo:
            tenant = create_demo(session, rt)
            if tenant:
                click.echo(f"demo tenant {DEMO_SLUG!r} created; users *@demo.example, password {DEMO_PASSWORD!r}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256), help="Threads per process.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes; more than one serves with gunicorn and needs REDIS_URL (production).")
@pass_ctx
def serve(c: Ctx, host: str, port: int, threads: int, workers: int) -> None:
    """Serve the API and console: one process with waitress, or --workers processes with gunicorn."""
    if workers > 1:  # the master builds no runtime: each worker process builds its own
        if not Settings.from_env().redis_url:
            raise click.ClickException(
                "More than one worker process needs REDIS_URL (and PostgreSQL): the embedded stack runs its "
                "jobs and scheduler inside its one process. Run `herald worker` beside the web processes.")
        from herald.cli.production_server import run

        click.echo(f"Herald on http://{host}:{port}  ({workers} processes × {threads} threads, gunicorn)")
        run(host, port, workers, threads)
        return
    from waitress import serve as waitress_serve

    from herald.app import create_app

    app = create_app(runtime=c.rt)
    if c.rt.settings.redis_url is None:  # embedded: this process also runs the jobs and the scheduler
        from herald.approvals.deadlines import start_deadline_sweeper
        from herald.audit.checkpoint_export import start_checkpoint_exporter
        from herald.crm.sweeper import start_crm_sweeper
        from herald.events.sweeper import start_sweeper
        from herald.inbox.sweeper import start_inbox_sweeper
        from herald.listening.sweeper import start_listening_sweeper
        from herald.publishing.liveness import start_worker_heartbeat
        from herald.publishing.scheduler import start_scheduler

        start_sweeper()
        start_deadline_sweeper()
        start_inbox_sweeper()
        start_crm_sweeper()
        start_listening_sweeper()
        start_scheduler(c.rt)
        start_worker_heartbeat(c.rt)
        start_checkpoint_exporter(c.rt)
    click.echo(f"Herald on http://{host}:{port}  (API: /api/v1, health: /health)")
    from herald.web.request_trust import LOOPBACK_HOSTS, trusted_hosts

    if trusted_hosts(c.rt.settings) == list(LOOPBACK_HOSTS) and host not in ("127.0.0.1", "localhost", "::1"):
        click.echo("Note: without HERALD_PUBLIC_URL or HERALD_ALLOWED_HOSTS Herald answers only to loopback "
                   "host names (localhost, 127.0.0.1, [::1]); other Host headers get 400.", err=True)
    waitress_serve(app, host=host, port=port, threads=threads, ident="Herald")


@cli.command()
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--no-scheduler", is_flag=True, help="Do not run the publishing scheduler in this worker.")
@pass_ctx
def worker(c: Ctx, burst: bool, no_scheduler: bool) -> None:
    """Run a background worker (RQ on REDIS_URL), with a publishing scheduler and the outbox sweeper."""
    rt = c.rt
    if not rt.settings.redis_url:
        raise click.ClickException("Embedded mode runs jobs inside `herald serve`; set REDIS_URL to run workers.")
    from rq import SimpleWorker

    from herald.approvals.deadlines import start_deadline_sweeper
    from herald.audit.checkpoint_export import start_checkpoint_exporter
    from herald.crm.sweeper import start_crm_sweeper
    from herald.events.sweeper import start_sweeper
    from herald.inbox.sweeper import start_inbox_sweeper
    from herald.listening.sweeper import start_listening_sweeper
    from herald.publishing.liveness import start_worker_heartbeat
    from herald.publishing.scheduler import start_scheduler
    from herald.queue.redis_queue import BurstWorker, RedisQueue

    assert isinstance(rt.queue, RedisQueue)
    if not burst:
        start_sweeper()
        start_deadline_sweeper()
        start_inbox_sweeper()
        start_crm_sweeper()
        start_listening_sweeper()
        start_worker_heartbeat(rt)
        start_checkpoint_exporter(rt)
        if not no_scheduler:
            start_scheduler(rt)
    from herald.publishing.executor import close_lanes, open_lanes

    # Jobs run in this process (no fork per job): the scheduler and heartbeat threads share
    # its database pool, which a forked child must not touch. Publishing batches run in lanes
    # beside the job loop, so one batch waiting on a network does not hold up the next.
    open_lanes()
    try:
        worker = BurstWorker if burst else SimpleWorker
        worker([rt.queue.queue], connection=rt.queue.connection).work(burst=burst)
    finally:
        close_lanes()


@cli.command()
@pass_ctx
def scheduler(c: Ctx) -> None:
    """Run only the publishing scheduler (several may run at once; none dispatches twice)."""
    import threading

    from herald.publishing.scheduler import Scheduler

    sched = Scheduler(c.rt)
    click.echo(f"scheduler {sched.name} running")
    with contextlib.suppress(KeyboardInterrupt):
        sched.run(threading.Event())


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def status(c: Ctx, as_json: bool) -> None:
    """Schedulers, workers and the oldest overdue publication; exits 1 if the scheduler stalled."""
    import json

    from herald.publishing.liveness import publishing_health

    with c.rt.db.transaction() as session:
        report = publishing_health(session)
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        click.echo(f"publishing: {'OK' if report['ok'] else 'STALLED'}")
        for kind in ("schedulers", "workers"):
            alive = [b for b in report[kind] if b["alive"]]
            click.echo(f"{kind}: {len(alive)} alive")
            for b in report[kind]:
                click.echo(f"  {b['id']}  last beat {b['age_s']} s ago{'' if b['alive'] else '  (silent)'}")
        click.echo(f"due now: {report['due_now']}  expired leases: {report['leases_expired']}")
        oldest = report["oldest_overdue"]
        click.echo(f"oldest overdue: {oldest['due_at']} ({oldest['overdue_s']} s)" if oldest
                   else "oldest overdue: none")
    if not report["ok"]:
        raise SystemExit(1)


@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@pass_ctx
def db_upgrade(c: Ctx) -> None:
    """Apply pending migrations (as HERALD_MIGRATION_DATABASE_URL's owner role when set, then
    granting DATABASE_URL's role its rights)."""
    from herald.db.roles import migrate

    for line in _migrate(c.rt.settings, migrate):
        click.echo(line, err=line.startswith("warning"))
    click.echo("database upgraded")


@db.command("grant-app-role")
@click.argument("role")
@pass_ctx
def db_grant_app_role(c: Ctx, role: str) -> None:
    """Grant ROLE what Herald needs on PostgreSQL: INSERT and SELECT only on audit_events.
    Run as the schema owner (HERALD_MIGRATION_DATABASE_URL, else DATABASE_URL)."""
    from sqlalchemy import create_engine

    from herald.db.roles import RoleError, grant_app_role

    url = c.rt.settings.migration_database_url or c.rt.settings.database_url
    if not url.startswith("postgresql"):
        raise click.ClickException("database roles apply to PostgreSQL only")
    engine = create_engine(url)
    try:
        for statement in grant_app_role(engine, role):
            click.echo(statement + ";")
    except RoleError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        engine.dispose()


def _migrate(settings: Settings, migrate: Any) -> list[str]:
    from herald.db.roles import RoleError

    try:
        return list(migrate(settings))
    except RoleError as exc:
        raise click.ClickException(str(exc)) from exc


@cli.group()
def keys() -> None:
    """Encryption keys."""


@keys.command("generate")
def keys_generate() -> None:
    """Print a new key for HERALD_ENCRYPTION_KEYS."""
    from cryptography.fernet import Fernet

    click.echo(Fernet.generate_key().decode())


@keys.command("generate-audit")
@click.option("--id", "key_id", required=True, help="The new key's id, e.g. a2 (unique among the audit keys).")
def keys_generate_audit(key_id: str) -> None:
    """Print a new ID:SECRET entry for HERALD_AUDIT_KEYS (put it first to sign with it)."""
    from herald.audit.keys import new_key

    click.echo(new_key(key_id))


from herald.cli import admin, enrich, inbox  # noqa: E402,F401  (registers the admin, enrich and inbox commands)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
