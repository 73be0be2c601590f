"""List endpoints issue a fixed number of SQL statements whatever the page size: a page of one
post and a page of many cost the same statements (nothing is read again per row)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from approvals_world import build_world
from console_world import console_world_fixture, sign_in  # noqa: F401  (the world fixture)
from sqlalchemy import event

from herald.clock import set_clock, utcnow


@pytest.fixture(autouse=True)
def still_clock() -> Iterator[None]:
    """Time stands still for the whole test: a session's last-seen or a token's last-used time is
    written at most every few seconds, and a slow run would otherwise count that write in one
    request and not in the other."""
    instant = utcnow()
    set_clock(lambda: instant)
    try:
        yield
    finally:
        set_clock(None)


@contextmanager
def counted(rt: Any) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(rt.db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(rt.db.engine, "before_cursor_execute", count)


def test_a_page_of_posts_costs_the_same_statements_for_one_post_and_for_thirty(seed, api, register_plugin,
                                                                                 herald_runtime, run_jobs):
    world = build_world(seed, api, register_plugin)
    for i in range(30):
        world.create(text=f"Post number {i}")
    client = world.clients["manager"]
    url = f"tenants/{world.tid}/posts"
    client.get(url + "?limit=1")  # warm: the first request reads what later ones find cached
    assert run_jobs() == 0  # background jobs (event dispatch) finished: only the requests are counted
    with counted(herald_runtime) as one:
        first = client.get(url + "?limit=1")
    with counted(herald_runtime) as thirty:
        many = client.get(url + "?limit=30")
    assert first.status_code == many.status_code == 200
    assert len(first.get_json()["items"]) == 1 and len(many.get_json()["items"]) == 30
    assert {p["content"]["variants"][0]["text"] for p in many.get_json()["items"]} == {
        f"Post number {i}" for i in range(30)}
    assert len(thirty) == len(one), "\n".join(thirty)


def test_the_console_posts_page_costs_the_same_statements_for_one_post_and_for_thirty(app, world, herald_runtime,
                                                                                        run_jobs):
    body = {"org_unit_id": world.unit("coffee"),
            "content": {"title": "First", "targets": [world.accounts["longnet"]], "variants": [{"text": "Hello"}]}}
    assert world.admin.post(f"tenants/{world.tid}/posts", body).status_code == 201
    manager, _ = sign_in(app, world, "manager")
    manager.get("/console/posts")  # warm
    assert run_jobs() == 0
    with counted(herald_runtime) as one:
        assert manager.get("/console/posts").status_code == 200
    for i in range(29):
        body["content"]["title"] = f"Post {i}"
        assert world.admin.post(f"tenants/{world.tid}/posts", body).status_code == 201
    assert run_jobs() == 0
    with counted(herald_runtime) as thirty:
        page = manager.get("/console/posts").get_data(as_text=True)
    assert "Post 28" in page and "First" in page
    assert len(thirty) == len(one), "\n".join(thirty)


def _reads_of(statements: list[str], table: str) -> int:
    """Statements reading ``table`` (from it, or joining it)."""
    return sum(1 for s in statements if s.lstrip().startswith("SELECT")
               and (f"\nFROM {table} " in s + " " or f"JOIN {table} " in s))


def test_a_request_reads_the_signed_in_persons_user_and_tenant_once(app, world, herald_runtime, run_jobs):
    """By token and by browser session: the user and tenant rows that authentication read are
    what the tenant check and the grants use, not read again."""
    body = {"org_unit_id": world.unit("coffee"),
            "content": {"title": "First", "targets": [world.accounts["longnet"]], "variants": [{"text": "Hello"}]}}
    assert world.admin.post(f"tenants/{world.tid}/posts", body).status_code == 201
    world.admin.get(f"tenants/{world.tid}/posts")
    manager, _ = sign_in(app, world, "manager")
    manager.get("/console/posts")
    assert run_jobs() == 0
    with counted(herald_runtime) as by_token:
        assert world.admin.get(f"tenants/{world.tid}/posts").status_code == 200
    with counted(herald_runtime) as by_cookie:
        assert manager.get("/console/posts").status_code == 200
    for statements in (by_token, by_cookie):
        assert _reads_of(statements, "users") == 1, "\n".join(statements)
        assert _reads_of(statements, "tenants") == 1, "\n".join(statements)
    # by token: the token, its user and their tenant are one statement
    token_reads = [s for s in by_token if "FROM api_tokens " in s]
    assert len(token_reads) == 1 and "JOIN users " in token_reads[0] and "JOIN tenants " in token_reads[0], \
        "\n".join(by_token)
