"""The two stacks every test runs on, prepared once per session and reset per test."""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from herald.db.migrate import upgrade

DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/herald_test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"


def _pg_url(raw: str) -> str:
    """The driver URL of the test database; under pytest-xdist each worker gets its own
    database (``herald_test_gw0``…), since every test truncates the tables it ran on."""
    url = raw.replace("postgresql://", "postgresql+psycopg://", 1) if raw.startswith("postgresql://") else raw
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        u = make_url(url)
        url = u.set(database=f"{u.database}_{worker}").render_as_string(hide_password=False)
    return url


@dataclass
class Backend:
    name: str
    database_url_template: str
    redis_url: str | None

    def fresh(self, tmp: Path) -> tuple[str, str | None, str]:
        """A clean database for one test: (database URL, Redis URL, queue name)."""
        if self.name == "embedded":
            target = tmp / "herald.db"
            shutil.copyfile(self.database_url_template.removeprefix("sqlite:///"), target)
            return f"sqlite:///{target}", None, "herald"
        engine = create_engine(self.database_url_template)
        with engine.begin() as conn:
            tables = [r[0] for r in conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'"))]
            if tables:
                conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        engine.dispose()
        return self.database_url_template, self.redis_url, f"herald-test-{uuid.uuid4().hex[:8]}"


def services_problem() -> str | None:
    """Why the services stack cannot run, or None."""
    db = _pg_url(os.environ.get("HERALD_TEST_DATABASE_URL", DEFAULT_DB))
    try:
        _ensure_database(db)
        import redis

        redis.Redis.from_url(os.environ.get("HERALD_TEST_REDIS_URL", DEFAULT_REDIS), socket_connect_timeout=2).ping()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _ensure_database(url: str) -> None:
    u = make_url(url)
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname=:n"), {"n": u.database}).first():
            conn.execute(text(f'CREATE DATABASE "{u.database}"'))
    admin.dispose()


def prepare_embedded(tmp: Path) -> Backend:
    template = tmp / "template.db"
    upgrade(f"sqlite:///{template}")
    return Backend("embedded", f"sqlite:///{template}", None)


def prepare_services() -> Backend:
    db = _pg_url(os.environ.get("HERALD_TEST_DATABASE_URL", DEFAULT_DB))
    _ensure_database(db)
    engine = create_engine(db)
    with engine.begin() as conn:  # start from an empty schema: migrations are under test too
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(db)
    return Backend("services", db, os.environ.get("HERALD_TEST_REDIS_URL", DEFAULT_REDIS))
