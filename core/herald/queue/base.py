"""The queue interface both implementations honour."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

#: seconds to wait before each retry of a failed job
RETRY_INTERVALS: tuple[int, ...] = (10, 60, 300, 1800, 7200)


@dataclass
class Job:
    func: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    job_id: str | None = None
    retries: int = len(RETRY_INTERVALS)


class JobQueue(Protocol):
    name: str

    def enqueue(self, job: Job) -> str:
        """Queue ``job``; returns its id. A job that raises is retried after each of
        ``RETRY_INTERVALS`` (at most ``job.retries`` times), then kept as failed."""
        ...

    def health(self) -> dict[str, Any]:
        """What the queue knows of itself, for /health."""
        ...


def resolve(path: str) -> Callable[..., Any]:
    """The function a job names. Only Herald's and its plugins' (``herald…`` packages) run."""
    module, _, name = path.rpartition(".")
    if not module.split(".")[0].startswith("herald"):
        raise ValueError(f"refusing to run job {path!r}: not a Herald or Herald plugin function")
    return getattr(importlib.import_module(module), name)
