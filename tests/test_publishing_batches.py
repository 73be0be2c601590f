"""Batches in the publishing engine: a job prepares all its publications in one transaction
(every attempt committed before any network call), calls the networks concurrently and records
every outcome in one transaction; one publication that cannot be prepared or recorded does not
hold back the rest; and in a worker, batches run in lanes beside the job loop."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from publishing_support import CaptureQueue, world_fixture  # noqa: F401  (the world fixture)
from sqlalchemy import func, select

from herald.publishing import executor
from herald.publishing.config import EngineConfig, set_engine_config
from herald.publishing.models import PublicationAttempt

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _scheduled(w, *accounts, at=AT):  # type: ignore[no-untyped-def]
    return w.scheduled(*accounts, at=at)


def _open_attempts(w) -> int:  # type: ignore[no-untyped-def]
    with w.rt.db.transaction() as s:
        return s.execute(select(func.count()).select_from(PublicationAttempt)
                         .where(PublicationAttempt.outcome == "open")).scalar_one()


def test_a_batch_commits_every_attempt_before_its_first_network_call(world):
    w = world
    posts = [_scheduled(w, "fake_coffee", "fake_dubai") for _ in range(3)]
    w.clock.set(AT + timedelta(seconds=1))
    seen: list[int] = []

    def counting(net, account, request):  # type: ignore[no-untyped-def]
        seen.append(_open_attempts(w))  # read from another connection: only committed rows count
        return net.create(account, request)

    w.net.publish.append(counting)
    q = CaptureQueue()
    assert w.tick(queue=q) == 6
    assert len(q.jobs) == 1
    q.run_all()
    assert seen == [6]
    assert all(w.status(p) == "published" for p in posts)
    assert _open_attempts(w) == 0 and len(w.net.posts) == 6


def test_one_publication_that_cannot_be_prepared_does_not_hold_back_its_batch(world, monkeypatch):
    w = world
    good = _scheduled(w, "fake_coffee")
    bad = _scheduled(w, "fake_dubai")
    bad_pub = w.pub(bad).id
    real = executor._request

    def request(session, pub, *args, **kwargs):  # type: ignore[no-untyped-def]
        if pub.id == bad_pub:
            raise RuntimeError("a row nobody expected")
        return real(session, pub, *args, **kwargs)

    monkeypatch.setattr(executor, "_request", request)
    w.clock.set(AT + timedelta(seconds=1))
    q = CaptureQueue()
    assert w.tick(queue=q) == 2 and len(q.jobs) == 1
    q.run_all()
    assert w.status(good) == "published"
    # the other one stays leased to its dispatch: when the lease runs out it is tried again
    held = w.pub(bad)
    assert held.state == "publishing" and held.lease_token and w.net.posts_for(bad_pub) == []
    monkeypatch.setattr(executor, "_request", real)
    w.clock.set(held.lease_expires_at + timedelta(seconds=1))
    assert w.drive() == 1
    assert w.status(bad) == "published" and len(w.net.posts_for(bad_pub)) == 1


def test_one_outcome_that_cannot_be_recorded_does_not_lose_the_others(world, monkeypatch):
    w = world
    good = _scheduled(w, "fake_coffee")
    bad = _scheduled(w, "fake_dubai")
    bad_pub = w.pub(bad).id
    real = executor._settled_event

    def settled(session, pub_id, *args, **kwargs):  # type: ignore[no-untyped-def]
        if pub_id == bad_pub:
            raise RuntimeError("a failure while recording")
        return real(session, pub_id, *args, **kwargs)

    monkeypatch.setattr(executor, "_settled_event", settled)
    w.clock.set(AT + timedelta(seconds=1))
    q = CaptureQueue()
    assert w.tick(queue=q) == 2
    q.run_all()
    assert w.status(good) == "published"
    held = w.pub(bad)
    assert held.state == "publishing" and len(w.net.posts_for(bad_pub)) == 1  # it went out; unrecorded
    monkeypatch.setattr(executor, "_settled_event", real)
    w.clock.set(held.lease_expires_at + timedelta(seconds=1))
    assert w.drive() == 1
    # the open attempt is reconciled by lookup: found, never posted twice
    assert w.status(bad) == "published" and len(w.net.posts_for(bad_pub)) == 1
    assert w.net.count("lookup") == 1


def test_lanes_run_batches_beside_the_job_loop_and_each_publication_goes_out_once(world):
    w = world
    set_engine_config(EngineConfig(threads=8, batch_size=2))
    posts = [_scheduled(w, "fake_coffee", "fake_dubai") for _ in range(4)]
    w.clock.set(AT + timedelta(seconds=1))
    release = threading.Event()
    blocked = threading.Event()

    def slow(net, account, request):  # type: ignore[no-untyped-def]
        blocked.set()
        assert release.wait(20), "never released"
        return net.create(account, request)

    w.net.publish.append(slow)
    q = CaptureQueue()
    assert w.tick(queue=q) == 8 and len(q.jobs) == 4
    executor.open_lanes(3)
    try:
        q.run_all()  # hands the four batches to the lanes and returns while one waits on the network
        assert blocked.wait(10)
        jobs_done_while_blocked = not release.is_set()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(w.net.posts) < 7:
            time.sleep(0.05)
        assert len(w.net.posts) == 7  # every other batch went out meanwhile
        release.set()
    finally:
        release.set()
        executor.close_lanes()  # waits for the batches in flight
    assert jobs_done_while_blocked
    assert all(w.status(p) == "published" for p in posts)
    assert len(w.net.posts) == 8 and len({p.publication_id for p in w.net.posts.values()}) == 8


def test_without_lanes_a_job_runs_its_batch_to_the_end(world):
    w = world
    post = _scheduled(w, "fake_coffee")
    w.clock.set(AT + timedelta(seconds=1))
    q = CaptureQueue()
    assert w.tick(queue=q) == 1
    assert executor._lanes is None
    q.run_all()
    assert w.status(post) == "published"


def _record_of(w, post_id: str) -> dict:  # type: ignore[no-untyped-def]
    """What the engine wrote about a post's one publication, without its ids and instants."""
    from herald.audit.models import AuditEvent
    from herald.publishing.models import Publication

    pub, status = w.pub(post_id), w.status(post_id)
    with w.rt.db.transaction() as s:
        attempts = s.scalars(select(PublicationAttempt).where(PublicationAttempt.publication_id == pub.id)).all()
        events = s.scalars(select(AuditEvent).where(AuditEvent.object_id == pub.id)
                           .order_by(AuditEvent.chain_seq)).all()
        row = s.get(Publication, pub.id)
        columns = {c: getattr(row, c) for c in ("state", "attempt_count", "transient_failures", "uncertain_since",
                                                 "lookup_hints", "last_error", "last_error_code", "due_at",
                                                 "lease_token", "lease_owner", "lease_expires_at", "extra_ids")}
        return {
            "publication": columns,
            "remote": (row.remote_id is not None, row.remote_url == f"https://fake.example/p/{row.remote_id}"),
            "published_at_set": row.published_at is not None,
            "attempts": [(a.number, a.kind, a.outcome, a.finished_at is not None, a.remote_id == row.remote_id,
                          a.error, a.error_code, a.worker is not None) for a in attempts],
            "events": [(e.action, e.actor_label, e.before, sorted(e.after), e.after["state"], e.after["error"],
                        e.after["remote_id"] == row.remote_id, e.after["remote_url"] == row.remote_url,
                        e.context == {"post_id": post_id, "account_id": row.account_id}) for e in events],
            "post_status": status,
        }


def test_the_set_based_path_writes_exactly_what_the_row_by_row_path_writes(world, monkeypatch):
    w = world
    plain = _scheduled(w, "fake_coffee")
    row_by_row = _scheduled(w, "fake_dubai")
    rowwise_pub = w.pub(row_by_row).id
    real_call, real_success = executor._plain_call, executor._plain_success
    real_record = executor.batch_sql.record_published
    recorded_set_based: list[str] = []

    def record_published(session, done, now):  # type: ignore[no-untyped-def]
        recorded_set_based.extend(pub_id for pub_id, _, _ in done)
        return real_record(session, done, now)

    # one publication goes through every stage row by row, the other set-based
    monkeypatch.setattr(executor, "_plain_call",
                        lambda session, f, now: None if f.id == rowwise_pub else real_call(session, f, now))
    monkeypatch.setattr(executor, "_plain_success",
                        lambda held, *a: held.id != rowwise_pub and real_success(held, *a))
    monkeypatch.setattr(executor.batch_sql, "record_published", record_published)
    w.clock.set(AT + timedelta(seconds=1))
    q = CaptureQueue()
    assert w.tick(queue=q) == 2 and len(q.jobs) == 1
    q.run_all()
    assert recorded_set_based == [w.pub(plain).id]
    made = _record_of(w, plain)
    assert made == _record_of(w, row_by_row)
    assert made["publication"]["state"] == "published" and made["post_status"] == "published"
    assert [e[0] for e in made["events"]] == ["publication.published"]


def test_a_worker_process_keeps_at_most_db_stages_batches_in_a_database_stage(world, monkeypatch):
    w = world
    set_engine_config(EngineConfig(threads=8, batch_size=1, db_stages=1))
    posts = [_scheduled(w, "fake_coffee") for _ in range(4)]
    inside, most = [0], [0]
    lock = threading.Lock()
    real_take = executor.batch_sql.take

    def take(*args, **kwargs):  # type: ignore[no-untyped-def]
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        try:
            time.sleep(0.05)  # long enough for the other lanes to arrive meanwhile
            return real_take(*args, **kwargs)
        finally:
            with lock:
                inside[0] -= 1

    monkeypatch.setattr(executor.batch_sql, "take", take)
    w.clock.set(AT + timedelta(seconds=1))
    q = CaptureQueue()
    assert w.tick(queue=q) == 4 and len(q.jobs) == 4
    executor.open_lanes(4)
    try:
        q.run_all()
    finally:
        executor.close_lanes()
    assert most[0] == 1
    assert all(w.status(p) == "published" for p in posts) and len(w.net.posts) == 4
