"""Helpers shared by the identity tests: a controllable clock and password users."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from herald.builtin.local_auth import hash_password
from herald.clock import set_clock

PASSWORD = "correct horse battery staple"
_HASH = hash_password(PASSWORD)


class Clock:
    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 26, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@contextmanager
def frozen_clock() -> Iterator[Clock]:
    clock = Clock()
    set_clock(clock)
    try:
        yield clock
    finally:
        set_clock(None)


def password_user(seed, tenant, email, grants=()):  # type: ignore[no-untyped-def]
    return seed.user(tenant, email, list(grants), password_hash=_HASH)


def sign_in(client, tenant_slug: str, email: str, password: str = PASSWORD, **extra):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/auth/sessions", json={"tenant": tenant_slug, "email": email,
                                                      "password": password, **extra})
