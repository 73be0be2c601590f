"""A job for tests of the queues: it only remembers that it ran (jobs must name Herald code)."""

from __future__ import annotations

RAN: list[str] = []


def remember(value: str) -> None:
    """Note ``value`` in :data:`RAN` (the job ran in this process)."""
    RAN.append(value)
