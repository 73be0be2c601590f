"""The in-process queue of embedded mode: a daemon thread runs jobs in order, retrying failed
ones after the same intervals RQ would. Nothing survives a restart — which is why production
uses Redis."""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from typing import Any

from herald.ids import new_id
from herald.queue.base import RETRY_INTERVALS, Job, resolve

log = logging.getLogger(__name__)


class EmbeddedQueue:
    def __init__(self, name: str = "herald", *, start: bool = True, speedup: float = 1.0) -> None:
        self.name = name
        self.speedup = speedup  # tests shrink retry waits
        self._heap: list[tuple[float, int, Job, int]] = []
        self._seq = itertools.count()
        self._cv = threading.Condition()
        self._busy = 0
        self.failed: list[tuple[Job, str]] = []
        self.done = 0
        self._stop = False
        self._thread: threading.Thread | None = None
        if start:
            self.start()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"herald-queue-{self.name}", daemon=True)
            self._thread.start()

    def enqueue(self, job: Job) -> str:
        job.job_id = job.job_id or new_id("job")
        self._push(job, 0, 0.0)
        return job.job_id

    def _push(self, job: Job, attempt: int, delay: float) -> None:
        with self._cv:
            heapq.heappush(self._heap, (time.monotonic() + delay, next(self._seq), job, attempt))
            self._cv.notify_all()

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._stop and (not self._heap or self._heap[0][0] > time.monotonic()):
                    timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cv.wait(timeout)
                if self._stop:
                    return
                _, _, job, attempt = heapq.heappop(self._heap)
                self._busy += 1
            try:
                resolve(job.func)(*job.args, **job.kwargs)
                self.done += 1
            except Exception as exc:
                if attempt < min(job.retries, len(RETRY_INTERVALS)):
                    log.warning("job %s (%s) failed, retrying: %s", job.job_id, job.func, exc)
                    self._push(job, attempt + 1, RETRY_INTERVALS[attempt] / self.speedup)
                else:
                    log.error("job %s (%s) failed for good: %s", job.job_id, job.func, exc)
                    self.failed.append((job, repr(exc)))
            finally:
                with self._cv:
                    self._busy -= 1
                    self._cv.notify_all()

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is queued or running (tests, shutdown). True if drained."""
        end = time.monotonic() + timeout
        with self._cv:
            while self._heap or self._busy:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._cv.wait(min(left, 0.05))
        return True

    def stop(self) -> None:
        with self._cv:
            self._stop = True
            self._cv.notify_all()

    def health(self) -> dict[str, Any]:
        with self._cv:
            return {"kind": "embedded", "queued": len(self._heap), "running": self._busy,
                    "failed": len(self.failed)}
