"""RQ on Redis: jobs survive restarts and run on any number of ``herald worker`` processes."""

from __future__ import annotations

from typing import Any

from redis import Redis
from rq import Queue, Retry, SimpleWorker

from herald.queue.base import RETRY_INTERVALS, Job

RUNNER = "herald.queue.redis_queue.run_job"


def run_job(func: str, args: list[Any], kwargs: dict[str, Any]) -> None:
    """What RQ actually runs: resolves the dotted path inside the worker's Herald runtime."""
    from herald.queue.base import resolve

    resolve(func)(*args, **kwargs)


class BurstWorker(SimpleWorker):
    """An RQ worker that runs what is queued and stops (``herald worker --burst``, the tests).

    It does not listen on RQ's command channel: a worker that stops by itself needs no "stop"
    command, and the listening thread, stopped before it confirmed its subscription, would hold
    the worker's exit for up to a minute (it waits that long for the confirmation)."""

    def subscribe(self) -> None:
        self.pubsub = None
        self.pubsub_thread = None

    def unsubscribe(self) -> None:
        return None


class RedisQueue:
    def __init__(self, url: str, name: str = "herald") -> None:
        self.name = name
        self.connection = Redis.from_url(url)
        self.queue = Queue(name, connection=self.connection)

    def enqueue(self, job: Job) -> str:
        retries = min(job.retries, len(RETRY_INTERVALS))
        rq_job = self.queue.enqueue(
            RUNNER, job.func, list(job.args), dict(job.kwargs),
            job_id=job.job_id,
            retry=Retry(max=retries, interval=list(RETRY_INTERVALS[:retries])) if retries else None,
            failure_ttl=30 * 86400,
        )
        return rq_job.id

    def run_burst(self, *, with_scheduler: bool = False) -> int:
        """Run every job queued (and, ``with_scheduler``, every scheduled one now due) in this
        process, then return how many jobs have failed for good."""
        BurstWorker([self.queue], connection=self.connection).work(burst=True, with_scheduler=with_scheduler)
        return int(self.queue.failed_job_registry.count)

    def health(self) -> dict[str, Any]:
        try:
            self.connection.ping()
        except Exception as exc:
            return {"kind": "redis", "ok": False, "error": str(exc)}
        return {"kind": "redis", "ok": True, "queued": self.queue.count,
                "failed": self.queue.failed_job_registry.count}
