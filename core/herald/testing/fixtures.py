"""pytest fixtures of the Herald test kit (see herald.testing)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient

from herald.config import Settings
from herald.runtime import Runtime, build_runtime, set_current
from herald.testing.backends import Backend, prepare_embedded, prepare_services, services_problem
from herald.testing.seed import Seed

_KEY = Fernet.generate_key().decode()
#: The outbound allow-list of the test instance (see docs/operations.md, "Outbound connections").
LOOPBACK_TEST_SERVERS = "127.0.0.1,localhost,::1"


@pytest.fixture(autouse=True)
def _herald_outbound_allows_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Code running without a Herald runtime (a connector's unit tests) reads the outbound
    allow-list from the environment: let the loopback fake servers through, as an operator would."""
    monkeypatch.setenv("HERALD_OUTBOUND_ALLOW", LOOPBACK_TEST_SERVERS)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "herald_backend_name" in metafunc.fixturenames:
        metafunc.parametrize("herald_backend_name", ["embedded", "services"], scope="session")


@pytest.fixture(scope="session")
def _herald_backends(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Backend | str]:
    found: dict[str, Backend | str] = {"embedded": prepare_embedded(tmp_path_factory.mktemp("herald-embedded"))}
    problem = services_problem()
    found["services"] = problem if problem else prepare_services()
    return found


@pytest.fixture(scope="session")
def herald_backend(herald_backend_name: str, _herald_backends: dict[str, Backend | str]) -> Backend:
    """The stack this test runs on: "embedded" (SQLite + in-process queue) or "services"
    (PostgreSQL + Redis/RQ)."""
    backend = _herald_backends[herald_backend_name]
    if isinstance(backend, str):
        if os.environ.get("HERALD_TEST_REQUIRE_SERVICES") == "1":
            pytest.fail(f"PostgreSQL/Redis required but unreachable: {backend}")
        pytest.skip(f"PostgreSQL/Redis unreachable: {backend}")
    return backend


@pytest.fixture
def herald_runtime(herald_backend: Backend, tmp_path: Any) -> Iterator[Runtime]:
    database_url, redis_url, queue_name = herald_backend.fresh(tmp_path)
    settings = Settings.from_env(
        {"DATABASE_URL": database_url, "HERALD_ENCRYPTION_KEYS": _KEY, "HERALD_SECRET_KEY": "test-secret",
         "HERALD_INSTANCE_PATH": str(tmp_path / "instance"),
         # the fake networks, identity providers, SMTP and webhook servers of the tests listen on
         # loopback: let them through, and let the tests point connectors at them, as an operator would
         "HERALD_OUTBOUND_ALLOW": LOOPBACK_TEST_SERVERS, "HERALD_TENANT_OVERRIDES": "*"},
        redis_url=redis_url, queue_name=queue_name,
    )
    queue = None
    if redis_url is None:
        from herald.queue.embedded import EmbeddedQueue

        queue = EmbeddedQueue(queue_name, speedup=1000.0)
    rt = build_runtime(settings, queue=queue)
    try:
        yield rt
    finally:
        if redis_url:
            from redis import Redis
            from rq import Queue

            conn = Redis.from_url(redis_url)
            q = Queue(queue_name, connection=conn)
            q.empty()
            q.delete(delete_jobs=True)
        rt.close()
        set_current(None)


@pytest.fixture
def app(herald_runtime: Runtime) -> Flask:
    from herald.app import create_app

    return create_app(runtime=herald_runtime, test_config={"TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def seed(herald_runtime: Runtime) -> Seed:
    """Builds tenants, units and users with roles directly through the services."""
    return Seed(herald_runtime)


@pytest.fixture
def run_jobs(herald_runtime: Runtime) -> Callable[[], int]:
    """Runs queued background jobs to completion; returns how many failed for good."""

    def run() -> int:
        q = herald_runtime.queue
        drain = getattr(q, "drain", None)
        if drain is not None:
            assert drain(30), "embedded queue did not drain"
            return len(q.failed)  # type: ignore[attr-defined]
        return q.run_burst(with_scheduler=True)  # type: ignore[attr-defined, no-any-return]

    return run


@pytest.fixture
def register_plugin(herald_runtime: Runtime) -> Iterator[Callable[..., Any]]:
    """``register_plugin(module_or_object, "name")`` for the rest of the test; always undone."""
    names: list[str] = []

    def register(plugin: object, name: str, **kwargs: Any) -> Any:
        info = herald_runtime.plugins.register(plugin, name, **kwargs)
        names.append(name)
        return info

    yield register
    for name in names:
        herald_runtime.plugins.unregister(name)


@pytest.fixture
def api(client: FlaskClient) -> Callable[[str | None], Any]:
    """``api(token)`` → a JSON client sending that bearer token."""
    from herald.testing.client import ApiClient

    return lambda token=None: ApiClient(client, token)


@pytest.fixture(scope="session")
def herald_live_server() -> Iterator[Any]:
    """One loopback HTTP server for the session (see :mod:`herald.testing.live`)."""
    from herald.testing.live import LiveServer

    server = LiveServer()
    yield server
    server.stop()


@pytest.fixture
def live_herald(app: Flask, herald_live_server: Any) -> Iterator[str]:
    """This test's ``app`` served over real HTTP; the base URL (``http://127.0.0.1:<port>``)."""
    herald_live_server.app = app
    try:
        yield herald_live_server.url
    finally:
        herald_live_server.app = None
