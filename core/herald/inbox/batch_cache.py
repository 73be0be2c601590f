"""The tenant's inbox configuration, read once per batch of items.

Taking in a page of items asks the same questions for every item: the tenant's routing rules
(read and validated), SLA policies, teams and the business hours of each, the enrichers it
enabled. Inside :func:`reading_once` (ingest opens it around a batch, in one transaction that
never changes that configuration) each answer is read the first time and kept until the batch
ends; outside it every call reads afresh, so a page that saves a rule and then tries it sees the
rule it saved."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")
_KEY = "herald.inbox.batch_cache"


@contextmanager
def reading_once(session: Session) -> Iterator[None]:
    """Keep the answers of :func:`once` for the duration of the block (nested blocks share)."""
    outer = _KEY in session.info
    if not outer:
        session.info[_KEY] = {}
    try:
        yield
    finally:
        if not outer:
            session.info.pop(_KEY, None)


def once(session: Session, key: Hashable, load: Callable[[], T]) -> T:
    """``load()``, or inside :func:`reading_once` the answer it gave the first time for ``key``."""
    cache = session.info.get(_KEY)
    if cache is None:
        return load()
    if key not in cache:
        cache[key] = load()
    return cache[key]  # type: ignore[no-any-return]
