"""One Herald instance in one process: settings, database, plugins and queue together.

The web app, the CLI, the worker and the tests each build a runtime; background jobs find the
process's runtime with :func:`current`."""

from __future__ import annotations

from dataclasses import dataclass

from herald.builtin import BUILTIN_PLUGINS
from herald.config import Settings
from herald.db import Database
from herald.plugin_host.crypto import SecretBox
from herald.plugin_host.instance import InstanceSettings
from herald.plugin_host.manager import PluginHost
from herald.queue.base import JobQueue


@dataclass
class Runtime:
    settings: Settings
    db: Database
    plugins: PluginHost
    queue: JobQueue
    box: SecretBox

    def close(self) -> None:
        stop = getattr(self.queue, "stop", None)
        if stop:
            stop()
        self.db.dispose()


_current: Runtime | None = None


def build_runtime(settings: Settings, *, queue: JobQueue | None = None, load_plugins: bool = True) -> Runtime:
    box = SecretBox(settings.encryption_keys)
    host = PluginHost(box, trace=settings.trace_hooks)
    host.instance = InstanceSettings(settings.plugin_instance_env, settings.tenant_overrides)
    if load_plugins:
        host.load(BUILTIN_PLUGINS, settings.plugin_allow_list)
        host.check_instance_settings()
    if queue is None:
        if settings.redis_url:
            from herald.queue.redis_queue import RedisQueue

            queue = RedisQueue(settings.redis_url, settings.queue_name)
        else:
            from herald.queue.embedded import EmbeddedQueue

            queue = EmbeddedQueue(settings.queue_name)
    runtime = Runtime(settings, Database(settings.database_url), host, queue, box)
    set_current(runtime)
    return runtime


def set_current(runtime: Runtime | None) -> None:
    global _current
    _current = runtime


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("no Herald runtime in this process (build_runtime was not called)")
    return _current
