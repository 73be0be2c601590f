"""A request reads the person's grants once, however many permission checks it makes, and a
change to grants, roles or units made inside the same transaction counts at once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, event

from herald.auth.tokens import actor_for_user
from herald.authz import can
from herald.authz.check import visible_unit_paths
from herald.people.models import Grant, User
from herald.tenancy.models import OrgUnit
from herald.tenancy.service import move_unit

TREE = {"coffee": None, "dubai": "coffee", "tea": None}


def _grant_reads(rt: Any, call: Any) -> int:
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(rt.db.engine, "before_cursor_execute", count)
    try:
        call()
    finally:
        event.remove(rt.db.engine, "before_cursor_execute", count)
    return sum(1 for s in seen if "FROM grants" in s)


def test_a_calendar_request_naming_a_unit_reads_the_grants_once(seed, api, herald_runtime):
    acme = seed.tenant("acme", TREE)
    _, token = seed.user(acme, "planner@acme.test", [("editor", "coffee")])
    client = api(token)
    url = f"tenants/{acme.id}/calendar?org_unit_id={acme.units['coffee'].id}"
    assert client.get(url).status_code == 200

    def ask() -> None:
        assert client.get(url).status_code == 200  # the units in scope, then the unit it names

    assert _grant_reads(herald_runtime, ask) == 1


def test_a_grant_given_or_taken_inside_the_transaction_counts_at_once(seed, herald_runtime):
    acme = seed.tenant("acme", TREE)
    user, _ = seed.user(acme, "new@acme.test", [("viewer", "tea")])
    with herald_runtime.db.transaction() as s:
        person = s.get(User, user.id)
        actor = actor_for_user(person)
        coffee, tea = s.get(OrgUnit, acme.units["coffee"].id), s.get(OrgUnit, acme.units["tea"].id)
        assert can(s, actor, "posts.view", tea) and not can(s, actor, "posts.view", coffee)
        s.add(Grant(tenant_id=acme.id, user_id=user.id, role_key="viewer", org_unit_id=coffee.id))
        assert can(s, actor, "posts.view", coffee)  # the new grant is flushed and read again
        s.execute(delete(Grant).where(Grant.user_id == user.id))
        assert not can(s, actor, "posts.view", coffee) and not can(s, actor, "posts.view", tea)


def test_a_unit_moved_inside_the_transaction_moves_the_paths_in_scope(seed, herald_runtime):
    acme = seed.tenant("acme", TREE)
    admin, _ = seed.user(acme, "admin@acme.test", [("tenant_admin", "root")])
    user, _ = seed.user(acme, "dubai@acme.test", [("viewer", "dubai")])
    with herald_runtime.db.transaction() as s:
        dubai = acme.units["dubai"].id
        actor = actor_for_user(s.get(User, user.id))
        before = visible_unit_paths(s, actor, "posts.view", acme.id)
        assert before == [s.get(OrgUnit, dubai).path] and acme.units["coffee"].id in before[0]
        move_unit(s, actor_for_user(s.get(User, admin.id)), acme.id, dubai, acme.units["tea"].id)
        after = visible_unit_paths(s, actor, "posts.view", acme.id)
        assert after == [s.get(OrgUnit, dubai).path] and acme.units["tea"].id in after[0]
