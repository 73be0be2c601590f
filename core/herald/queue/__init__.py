"""Background jobs: RQ on Redis in production, an in-process queue in embedded mode.

Jobs are named by dotted path (``"herald.events.dispatch.deliver"``) and take JSON-able
arguments, so both queues run exactly the same code."""

from herald.queue.base import Job, JobQueue, resolve

__all__ = ["Job", "JobQueue", "resolve"]
