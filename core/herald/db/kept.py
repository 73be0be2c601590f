"""Rows a request reads once and asks for again: kept in the session's identity map.

SQLAlchemy's identity map holds its objects weakly: a row loaded in one function and not
referenced afterwards is gone by the time another function asks ``session.get`` for it, and is
read again. The signed-in person's user and tenant rows are asked for several times in every
request (authentication, the tenant check, the grants), so authentication keeps them for the
life of the session (one request): each later ``session.get`` is then answered from memory."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

_KEY = "herald.kept_rows"


def keep(session: Session, *rows: object) -> None:
    """Hold strong references to ``rows`` (loaded ORM objects; None is skipped) until the session closes."""
    kept: list[object] = session.info.setdefault(_KEY, [])
    kept.extend(row for row in rows if row is not None)


@contextmanager
def not_expiring(session: Session) -> Iterator[None]:
    """Commits inside the block leave the loaded rows as they are instead of expiring them: for
    a commit of what was just read and written, whose rows are therefore current."""
    before = session.expire_on_commit
    session.expire_on_commit = False
    try:
        yield
    finally:
        session.expire_on_commit = before
