"""``herald inbox``: poll an account now, run one inbox sweep."""

from __future__ import annotations

import json

import click

from herald.cli.main import Ctx, cli, pass_ctx


@cli.group()
def inbox() -> None:
    """The unified inbox: polling and its background pass."""


@inbox.command("poll")
@click.argument("account_id")
@click.option("--stream", type=click.Choice(["mentions", "dms"]), default=None,
              help="Only this stream (default: both).")
@pass_ctx
def inbox_poll(c: Ctx, account_id: str, stream: str | None) -> None:
    """Poll one account's mentions and direct messages now (whatever the pacing says; never two
    polls of one stream at once), store what came and print what happened, one JSON line per
    stream."""
    from herald.inbox import polling

    c.rt  # noqa: B018  (builds the runtime, so that the polls find it)
    failed = False
    for name in [stream] if stream else list(polling.STREAMS):
        outcome = polling.poll(account_id, name, force=True)
        failed |= outcome.status in ("not_found", "error")
        click.echo(json.dumps({"account_id": outcome.account_id, "stream": outcome.stream, "status": outcome.status,
                               "stored": outcome.stored, "duplicates": outcome.duplicates,
                               "next_poll_at": outcome.next_poll_at.isoformat() if outcome.next_poll_at else None,
                               "message": outcome.message}))
    if failed:
        raise SystemExit(1)


@inbox.command("sweep")
@pass_ctx
def inbox_sweep(c: Ctx) -> None:
    """One pass of the inbox's background work: queue due polls and sends, SLA clocks, snoozes.
    With the embedded queue the queued work runs before the command returns (up to a minute);
    with Redis it is left to the workers."""
    from herald.inbox.sweeper import tick

    rt = c.rt
    done = tick()
    drain = getattr(rt.queue, "drain", None)
    if drain is not None and not drain(60):
        click.echo("the embedded queue did not finish within a minute; the rest runs at the next sweep", err=True)
    click.echo(json.dumps(done))
