"""Writes that must happen once however often, and however concurrently, they are attempted.

``INSERT … ON CONFLICT DO NOTHING RETURNING id`` on PostgreSQL and SQLite alike: a second copy of
an item (a replayed webhook, a poll overlapping a webhook, two workers polling one account) is
refused by the unique constraint inside the statement itself — no exception, no savepoint, no
race between "look" and "insert". On PostgreSQL a concurrent insert of the same key waits for
the first transaction and then does nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def _insert(session: Session) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def insert_once(session: Session, table: Table, values: dict[str, Any], keys: list[str],
                returning: str = "id") -> Any:
    """Insert ``values`` unless a row with the same ``keys`` (a unique constraint) exists;
    returns the new row's ``returning`` column (its id), or None when it already existed."""
    stmt = _insert(session)(table).values(**values).on_conflict_do_nothing(index_elements=keys)
    return session.execute(stmt.returning(table.c[returning])).scalar()


def insert_many_once(session: Session, table: Table, rows: list[dict[str, Any]], keys: list[str],
                     *returning: str) -> list[Any]:
    """:func:`insert_once` for many rows: those whose ``keys`` exist are skipped. Returns the
    ``returning`` columns of the rows inserted (a value each for one column, tuples for several;
    nothing asked, nothing returned).

    The rows go as one executemany of a single compiled statement, which SQLAlchemy sends as
    multi-row ``INSERT … VALUES`` pages ("insertmanyvalues", RETURNING included), so the statement
    is compiled once per shape and reused from the cache, whatever the number of rows. All rows
    must have the same keys."""
    if not rows:
        return []
    stmt = _insert(session)(table).on_conflict_do_nothing(index_elements=keys)
    if not returning:
        session.execute(stmt, rows)
        return []
    result = session.execute(stmt.returning(*(table.c[name] for name in returning)), rows)
    return list(result.scalars()) if len(returning) == 1 else [tuple(row) for row in result]
