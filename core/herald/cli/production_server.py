"""``herald serve --workers N``: Herald behind gunicorn, N worker processes of ``--threads``
threads each (gunicorn's ``gthread`` workers), for production on PostgreSQL and Redis.

Each worker process builds its own runtime after the fork (database engines and Redis clients
are never shared across processes); the master only supervises them and restarts one that
dies. The embedded stack (SQLite, in-process queue) stays one simple process with waitress:
its jobs and scheduler run inside that process, so more processes would run them twice.

Sizing: one worker per CPU core and 4–8 threads each is a good start (a request spends most of
its time waiting for PostgreSQL); see docs/operations.md."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class HeraldServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from herald.app import create_app
        from herald.config import Settings
        from herald.runtime import build_runtime

        return create_app(runtime=build_runtime(Settings.from_env()))


def run(host: str, port: int, workers: int, threads: int) -> None:
    """Serve until stopped (SIGTERM/SIGINT: gunicorn lets running requests finish)."""
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    HeraldServer({"bind": bind, "workers": workers, "threads": threads, "worker_class": "gthread",
                  "proc_name": "herald", "accesslog": None, "graceful_timeout": 30, "timeout": 60}).run()
