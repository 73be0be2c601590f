"""Domain events go through a transactional outbox: a committed change never loses its event,
a rolled-back one never emits one."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from herald.events.dispatch import sweep
from herald.events.models import OutboxEvent


def _events(rt, tenant_id: str) -> list[OutboxEvent]:  # type: ignore[no-untyped-def]
    with rt.db.transaction() as s:
        return list(s.scalars(select(OutboxEvent).where(OutboxEvent.tenant_id == tenant_id)))


def test_an_event_whose_queueing_was_lost_is_dispatched_by_the_sweeper(seed, api, herald_runtime, run_jobs,
                                                                      monkeypatch):
    t = seed.tenant("acme")
    _, token = seed.user(t, "admin@acme.test", [("tenant_admin", "root")])
    real_enqueue = herald_runtime.queue.enqueue

    def redis_down(job):  # type: ignore[no-untyped-def]
        raise ConnectionError("queue unreachable")

    monkeypatch.setattr(herald_runtime.queue, "enqueue", redis_down)
    r = api(token).post(f"tenants/{t.id}/org-units", {"parent_id": t.root.id, "name": "Tea"})
    assert r.status_code == 201  # the change itself succeeded
    (pending,) = _events(herald_runtime, t.id)
    assert pending.dispatched_at is None and pending.type == "org_unit.created"

    monkeypatch.setattr(herald_runtime.queue, "enqueue", real_enqueue)
    assert sweep(older_than=timedelta(hours=1)) == 0  # too recent: may still be in flight
    assert sweep(older_than=timedelta(0)) == 1
    assert run_jobs() == 0
    (done,) = _events(herald_runtime, t.id)
    assert done.dispatched_at is not None
    assert sweep(older_than=timedelta(0)) == 0  # nothing left to re-queue


def test_a_rolled_back_change_leaves_no_event(seed, herald_runtime, run_jobs):
    from herald.events.bus import emit

    t = seed.tenant("acme")
    before = len(_events(herald_runtime, t.id))
    session = herald_runtime.db.session()
    emit(session, t.id, "org_unit.created", {"name": "never"})
    session.flush()
    session.rollback()  # the change failed midway
    session.close()
    assert run_jobs() == 0
    assert len(_events(herald_runtime, t.id)) == before
    with herald_runtime.db.transaction() as s:  # and a later commit does not resurrect it
        emit(s, t.id, "org_unit.created", {"name": "kept"})
    assert [e.data["name"] for e in _events(herald_runtime, t.id)][before:] == ["kept"]


def test_a_transaction_that_emits_many_events_costs_the_queue_one_job(seed, herald_runtime, run_jobs,
                                                                        monkeypatch):
    from herald.events.bus import emit

    t = seed.tenant("acme")
    before = len(_events(herald_runtime, t.id))
    queued = []
    real_enqueue = herald_runtime.queue.enqueue

    def counting(job):  # type: ignore[no-untyped-def]
        queued.append(job)
        return real_enqueue(job)

    monkeypatch.setattr(herald_runtime.queue, "enqueue", counting)
    with herald_runtime.db.transaction() as s:
        for n in range(3):
            emit(s, t.id, "org_unit.created", {"name": f"unit {n}"})
    assert [job.func for job in queued] == ["herald.events.dispatch.dispatch_many"]
    assert len(queued[0].args[0]) == 3
    run_jobs()
    assert all(e.dispatched_at is not None for e in _events(herald_runtime, t.id)[before:])


def test_one_event_that_cannot_be_dispatched_does_not_hold_up_the_others(seed, herald_runtime, monkeypatch):
    import pytest

    from herald.events import dispatch as dispatching
    from herald.events.bus import emit

    t = seed.tenant("acme")
    session = herald_runtime.db.session()
    ids = [emit(session, t.id, "org_unit.created", {"name": f"unit {n}"}).id for n in range(3)]
    session.info.pop("herald_pending_events", None)  # queued by hand below
    session.commit()
    session.close()
    real = dispatching.dispatch

    def flaky(event_id):  # type: ignore[no-untyped-def]
        if event_id == ids[1]:
            raise ConnectionError("the database went away")
        return real(event_id)

    monkeypatch.setattr(dispatching, "dispatch", flaky)
    with pytest.raises(RuntimeError, match="1 of 3 events"):
        dispatching.dispatch_many(ids)
    done = {e.id: e.dispatched_at for e in _events(herald_runtime, t.id)}
    assert done[ids[0]] is not None and done[ids[2]] is not None and done[ids[1]] is None
    monkeypatch.setattr(dispatching, "dispatch", real)
    dispatching.dispatch_many(ids)  # the job's retry: the dispatched ones are skipped
    assert all(e.dispatched_at is not None for e in _events(herald_runtime, t.id))
