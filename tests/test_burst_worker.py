"""`herald worker --burst` and the tests' job runs: an RQ worker that runs what is queued and
stops, without listening on RQ's command channel (whose listening thread, stopped before its
subscription was confirmed, held the worker's exit for up to a minute)."""

from __future__ import annotations

import threading

import pytest
from redis.client import PubSubWorkerThread

from herald.queue.base import Job
from herald.queue.redis_queue import BurstWorker, RedisQueue
from herald.testing.jobs import RAN


def _listening_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if isinstance(t, PubSubWorkerThread)]


def test_a_burst_runs_every_queued_job_then_stops_without_a_command_listener(herald_runtime):
    queue = herald_runtime.queue
    if not isinstance(queue, RedisQueue):
        pytest.skip("RQ workers run on the services stack (the embedded queue runs jobs in process)")
    RAN.clear()
    for value in ("one", "two", "three"):
        queue.enqueue(Job("herald.testing.jobs.remember", (value,)))
    started: list[threading.Thread] = []
    original = threading.Thread.start

    def spy(self: threading.Thread) -> None:
        started.append(self)
        original(self)

    threading.Thread.start = spy  # type: ignore[method-assign]
    try:
        failed = queue.run_burst()
    finally:
        threading.Thread.start = original  # type: ignore[method-assign]
    assert failed == 0
    assert RAN == ["one", "two", "three"]
    assert queue.queue.count == 0
    assert not [t for t in started if isinstance(t, PubSubWorkerThread)], "a command listener was started"
    assert not _listening_threads()


def test_the_burst_worker_is_an_rq_worker_that_does_not_subscribe(herald_runtime):
    queue = herald_runtime.queue
    if not isinstance(queue, RedisQueue):
        pytest.skip("RQ workers run on the services stack")
    worker = BurstWorker([queue.queue], connection=queue.connection)
    worker.subscribe()
    assert worker.pubsub is None and worker.pubsub_thread is None
    worker.unsubscribe()  # nothing to stop
