"""Several schedulers at once never dispatch a publication twice; heartbeats and the oldest
overdue publication are reported, and /health turns red when the scheduler stalls."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner
from publishing_support import CaptureQueue, world_fixture  # noqa: F401  (the world fixture)
from sqlalchemy import insert

from herald.content.models import Post
from herald.publishing.config import EngineConfig
from herald.publishing.models import Publication
from herald.publishing.scheduler import Scheduler

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _many_due(w, n):  # type: ignore[no-untyped-def]
    post_id = w.post("fake_coffee")
    with w.rt.db.transaction() as s:
        s.get(Post, post_id).status = "scheduled"
        s.execute(insert(Publication), [
            {"id": f"pub_{i:026d}"[:31], "tenant_id": w.tenant.id, "post_id": post_id,
             "account_id": w.accounts["fake_coffee"], "network": "fake", "variant_key": f"v{i}", "state": "scheduled",
             "scheduled_at": AT, "local_time": "2026-03-02T09:00", "time_zone": "UTC", "due_at": AT,
             "attempt_count": 0, "transient_failures": 0, "extra_ids": [], "created_at": AT, "updated_at": AT}
            for i in range(n)])
    return post_id


def test_two_schedulers_at_once_never_dispatch_a_publication_twice(world):
    w = world
    _many_due(w, 400)
    w.clock.set(AT)
    queues = [CaptureQueue(), CaptureQueue()]
    cfg = EngineConfig(claim_limit=7, batch_size=3)
    schedulers = [Scheduler(w.rt, name=f"s{i}", queue=q, config=cfg) for i, q in enumerate(queues)]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(s: Scheduler) -> None:
        try:
            start.wait()
            for _ in range(200):
                if s.tick() == 0 and s.next_due() is None:
                    return
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in schedulers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    dispatched = [pid for q in queues for job in q.jobs for pid in job.args[0]]
    assert len(dispatched) == 400 and len(set(dispatched)) == 400
    if w.rt.db.dialect == "postgresql":
        assert all(len(q.jobs) > 0 for q in queues)  # both took part (SKIP LOCKED, not one big lock)


def test_the_scheduler_keeps_due_work_in_the_database_when_the_queue_is_full(world):
    w = world
    post_id = _many_due(w, 12)
    w.clock.set(AT)
    q = CaptureQueue()
    s = Scheduler(w.rt, queue=q, config=EngineConfig(max_queued=5, batch_size=2))
    assert s.tick() == 5 and s.tick() == 0  # nobody took the first five yet
    q.run_all()  # workers take them (and publish)
    assert s.tick() == 5
    q.run_all()
    assert s.tick() == 2
    q.run_all()
    # every one was taken by a worker exactly once (these rows name no variant of the post, so
    # the worker sets them aside without calling the network)
    assert [p.state for p in w.pubs(post_id)] == ["needs_attention"] * 12 and w.net.calls == []


def test_a_stalled_scheduler_turns_health_red_and_status_reports_it(world, client):
    w = world
    _many_due(w, 1)
    w.clock.set(AT + timedelta(minutes=5))
    body = client.get("/health")
    assert body.status_code == 503
    pub = body.get_json()["checks"]["publishing"]
    assert pub["stalled"] is True and pub["due_now"] == 1 and pub["oldest_overdue"]["overdue_s"] == 300.0
    from herald.cli.main import Ctx, cli

    ctx = Ctx()
    ctx._rt = w.rt
    result = CliRunner().invoke(cli, ["status"], obj=ctx)
    assert result.exit_code == 1 and "STALLED" in result.output and "oldest overdue" in result.output
    s = Scheduler(w.rt, queue=CaptureQueue())
    s.heartbeat(force=True)
    healthy = client.get("/health")
    assert healthy.status_code == 200
    assert healthy.get_json()["checks"]["publishing"]["schedulers"][0]["id"] == s.name
    w.clock.advance(seconds=31)  # no beat for longer than stall_s while something is due
    assert client.get("/health").status_code == 503


def test_health_is_green_when_nothing_waited_even_without_a_scheduler(world, client):
    w = world
    _many_due(w, 1)
    w.clock.set(AT + timedelta(seconds=20))  # due, but for less than stall_s (start-up)
    assert client.get("/health").status_code == 200


def test_a_publication_whose_worker_died_is_reported_then_recovered(world, client):
    w = world
    post_id = w.post("fake_coffee")
    w.users["publisher"].post(w.url(f"posts/{post_id}/schedule"), {"at": AT.isoformat()})
    w.clock.set(AT)
    q = CaptureQueue()
    w.tick(queue=q)  # dispatched, but the job is lost (never run)
    w.clock.advance(seconds=31)  # the dispatch lease (30 s) ran out
    report = client.get("/health").get_json()["checks"]["publishing"]
    assert report["leases_expired"] == 1 and report["stalled"] is False  # not yet waited stall_s
    w.clock.advance(seconds=30)
    report = client.get("/health").get_json()["checks"]["publishing"]
    assert report["leases_expired"] == 1 and report["stalled"] is True
    w.drive()
    assert w.pub(post_id).state == "published"
