"""The two stacks every test runs on, prepared once per session and reset per test."""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError

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
        _empty_tables(self.database_url_template)
        return self.database_url_template, self.redis_url, f"herald-test-{uuid.uuid4().hex[:8]}"


_engines: dict[str, Engine] = {}


def _empty_tables(url: str) -> None:
    """Empty every table the last test wrote to. One statement finds them (a test touches a few
    of the schema's tables); they are emptied with ``DELETE`` while the session skips triggers
    and foreign-key checks (``session_replication_role = replica``, so the audit log's
    append-only triggers and the order of deletes do not matter), which is much cheaper than
    truncating the whole schema before every test. A role that may not skip triggers truncates
    the written tables instead."""
    engine = _engines.get(url) or _engines.setdefault(url, create_engine(url, pool_size=1, max_overflow=0))
    with engine.begin() as conn:
        tables = [r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'"))]
        probe = " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")" for t in tables)
        written = [r[0] for r in conn.execute(text(probe))] if tables else []
        if not written:
            return
        try:
            with conn.begin_nested():
                conn.execute(text("SET LOCAL session_replication_role = replica"))
        except DBAPIError:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in written) + " CASCADE"))
            return
        for table in written:
            conn.execute(text(f'DELETE FROM "{table}"'))


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
