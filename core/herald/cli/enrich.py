"""``herald enrich``: score a JSON-lines file with an enricher (see :mod:`herald.enrichment.batch`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from sqlalchemy import select

from herald.cli.main import Ctx, cli, pass_ctx


@cli.command("enrich")
@click.option("--enricher", "key", required=True, help="The enricher's key, e.g. sentiment, intent, language.")
@click.option("--input", "source", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='JSON lines: {"id": …, "text": …, "lang": optional}.')
@click.option("--output", "target", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where the scored lines go (written whole at the end, or not at all).")
@click.option("--tenant", default=None, help="Use this tenant's enabled enrichers and settings (slug or id).")
@pass_ctx
def enrich(c: Ctx, key: str, source: Path, target: Path, tenant: str | None) -> None:
    """Score every line of --input with one enricher (and those it needs, such as language
    detection before sentiment) into --output, one line per input line:
    {"id", "lang", "sentiment", "score"} and, for the intent enricher, "intent" and "team"."""
    from herald.enrichment import batch
    from herald.tenancy.models import Tenant

    rt = c.rt
    if tenant is None:
        available = rt.plugins.operator_instances("herald_enrichers")
    else:
        with rt.db.transaction() as session:
            found = session.scalars(select(Tenant).where((Tenant.slug == tenant) | (Tenant.id == tenant))).first()
            if found is None:
                raise click.ClickException(f"No tenant is named {tenant!r}.")
            available = rt.plugins.for_tenant(session, found.id).instances("herald_enrichers")
    chosen = next((e for e in available if e.key == key), None)
    if chosen is None:
        keys = ", ".join(sorted(e.key for e in available)) or "none"
        raise click.ClickException(f"No enricher {key!r} is installed{' for that tenant' if tenant else ''}; "
                                   f"there are: {keys}.")
    enrichers = batch.with_needs(chosen, available)  # type: ignore[arg-type]
    try:
        report = batch.score_file(enrichers, source, target)
    except batch.BatchInputError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"scored {report.items} items with {', '.join(e.key for e in enrichers)} in {report.seconds:.2f} s "
               f"({report.per_second:,.0f} items/s) into {target}", err=True)


@cli.command("reenrich")
@click.argument("tenant")
@click.option("--from", "since", required=True, type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
              help="First day (UTC) of the period.")
@click.option("--to", "until", required=True, type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
              help="The period ends before this instant (UTC).")
@click.option("--all", "everything", is_flag=True, help="Every item, not only those annotated by an older version.")
@pass_ctx
def reenrich(c: Ctx, tenant: str, since: Any, until: Any, everything: bool) -> None:
    """Enrich a tenant's inbox items of a period again, after an enricher's model changed: by
    default only the items some enabled enricher has not annotated at its current version. The
    work is queued (workers do it); routing is not run again."""
    from datetime import UTC

    from herald.inbox.enrichment import requeue_period
    from herald.tenancy.models import Tenant

    if until <= since:
        raise click.ClickException("--to must come after --from.")
    with c.rt.db.transaction() as session:
        found = session.scalars(select(Tenant).where((Tenant.slug == tenant) | (Tenant.id == tenant))).first()
        if found is None:
            raise click.ClickException(f"No tenant is named {tenant!r}.")
        count = requeue_period(session, found.id, since.replace(tzinfo=UTC), until.replace(tzinfo=UTC),
                               stale_only=not everything)
    click.echo(f"queued {count} items of {found.slug} for enrichment")
