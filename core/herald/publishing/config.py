"""Tunables of the publishing engine, from the environment (``HERALD_PUBLISH_*``)."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class EngineConfig:
    #: publications claimed per scheduler pass, and per queued job
    claim_limit: int = 500
    batch_size: int = 100
    #: concurrent network calls per process (all its batches together)
    threads: int = 64
    #: batches in flight at once in one ``herald worker`` process (see ``executor.Lanes``)
    lanes: int = 8
    #: of those, how many may be in a database stage (taking and preparing, or recording) at
    #: once: the others wait on the network or for their turn, so that under load the first
    #: batches finish first instead of every batch sharing the processor and finishing late
    db_stages: int = 2
    #: a worker's hold on a publication it is executing (renewed while it runs); a worker that
    #: dies is noticed once this runs out
    lease_s: float = 30.0
    #: how long a dispatched job may wait in the queue before the scheduler dispatches again
    dispatch_lease_s: float = 30.0
    #: back-pressure: publications dispatched but not yet taken by a worker, at most (beyond
    #: this, due work waits in the database, not in the queue, so nothing goes stale there)
    max_queued: int = 1000
    #: the scheduler's longest sleep between passes
    poll_s: float = 0.2
    #: the scheduler's shortest sleep between passes while work keeps coming due: what comes due
    #: meanwhile is dispatched together (this bounds the lateness it adds)
    gather_s: float = 0.05
    heartbeat_s: float = 2.0
    #: /health turns red when publications are due and no scheduler beat for this long
    stall_s: float = 30.0
    max_transient_failures: int = 5
    backoff_base_s: float = 30.0
    backoff_cap_s: float = 3600.0
    #: a rate limit without a reset time waits this long
    default_rate_limit_wait_s: float = 60.0

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> EngineConfig:
        env = dict(os.environ if env is None else env)
        cfg = cls()
        changes: dict[str, object] = {}
        for name, fld in cls.__dataclass_fields__.items():
            raw = env.get(f"HERALD_PUBLISH_{name.upper()}")
            if raw:
                changes[name] = int(raw) if fld.type in ("int", int) else float(raw)
        return replace(cfg, **changes)  # type: ignore[arg-type]


_config: EngineConfig | None = None


def engine_config() -> EngineConfig:
    global _config
    if _config is None:
        _config = EngineConfig.from_env()
    return _config


def set_engine_config(cfg: EngineConfig | None) -> None:
    """Replace the configuration (tests; None: read the environment again)."""
    global _config
    _config = cfg
