"""Role grants: a grant on a unit covers its subtree, never its ancestors or siblings; custom
roles come from the fixed catalogue; nobody grants more than they hold or outside their reach;
revoking and disabling take effect on the very next request; the last tenant admin stays."""

from __future__ import annotations

import itertools
import re

import pytest

from herald.auth.tokens import actor_for_user
from herald.authz import can
from herald.ids import looks_like_id
from herald.tenancy.models import OrgUnit

# Acme (root) ─┬─ coffee ── dubai
#              └─ tea
TREE = {"coffee": None, "dubai": "coffee", "tea": None}


@pytest.fixture
def acme(seed):  # type: ignore[no-untyped-def]
    return seed.tenant("acme", TREE)


@pytest.fixture
def admin(seed, api, acme):  # type: ignore[no-untyped-def]
    _, token = seed.user(acme, "admin@acme.test", [("tenant_admin", "root")])
    return api(token)


def _unit_url(t, name: str) -> str:  # type: ignore[no-untyped-def]
    return f"tenants/{t.id}/org-units/{t.units[name].id}"


def _visible_names(client, t) -> set[str]:  # type: ignore[no-untyped-def]
    r = client.get(f"tenants/{t.id}/org-units", query_string={"include_archived": "true"})
    assert r.status_code == 200, r.get_json()
    return {u["name"] for u in r.get_json()["items"]}


def _grant(client, t, user_id: str, role: str, unit: str):  # type: ignore[no-untyped-def]
    return client.post(f"tenants/{t.id}/grants",
                       {"user_id": user_id, "role_key": role, "org_unit_id": t.units[unit].id})


# ----------------------------------------------------------------------------- inheritance
def test_a_grant_on_a_brand_reaches_its_franchise_but_not_up_or_sideways(seed, api, acme):
    _, token = seed.user(acme, "editor@acme.test", [("editor", "coffee")])
    editor = api(token)

    assert editor.get(_unit_url(acme, "coffee")).status_code == 200
    assert editor.get(_unit_url(acme, "dubai")).status_code == 200
    assert editor.get(_unit_url(acme, "root")).status_code == 404  # not up
    assert editor.get(_unit_url(acme, "tea")).status_code == 404   # not sideways
    assert _visible_names(editor, acme) == {"coffee", "dubai"}
    r = editor.get(f"tenants/{acme.id}/org-units", query_string={"under": acme.units["tea"].id})
    assert r.status_code == 404


def test_can_follows_the_subtree_of_the_grant(seed, herald_runtime, acme):
    user, _ = seed.user(acme, "editor@acme.test", [("editor", "coffee")])
    who = actor_for_user(user)
    with herald_runtime.db.transaction() as s:
        unit = {name: s.get(OrgUnit, u.id) for name, u in acme.units.items()}
        for name in ("coffee", "dubai"):
            assert can(s, who, "posts.edit", unit[name]), name
            assert can(s, who, "units.view", unit[name]), name
        for name in ("root", "tea"):
            assert not can(s, who, "posts.edit", unit[name]), name
            assert not can(s, who, "units.view", unit[name]), name
        assert not can(s, who, "posts.edit", acme.tenant)  # a tenant means its root unit
        # Only what the role carries, even inside the subtree.
        assert not can(s, who, "units.manage", unit["coffee"])
        assert not can(s, who, "posts.publish", unit["dubai"])
        with pytest.raises(ValueError):
            can(s, who, "posts.teleport", unit["coffee"])


def test_a_grant_in_one_tenant_gives_nothing_in_another(seed, api, herald_runtime, acme):
    user, token = seed.user(acme, "admin@acme.test", [("tenant_admin", "root")])
    globex = seed.tenant("globex", {"widgets": None})
    outsider = api(token)
    assert outsider.get(f"tenants/{globex.id}").status_code == 404
    assert outsider.get(_unit_url(globex, "widgets")).status_code == 404
    assert outsider.get(f"tenants/{globex.id}/org-units").status_code == 404
    with herald_runtime.db.transaction() as s:
        assert not can(s, actor_for_user(user), "units.view", s.get(OrgUnit, globex.units["widgets"].id))


def test_grant_listing_shows_only_grants_in_ones_subtrees(seed, api, acme):
    _, token = seed.user(acme, "manager@acme.test", [("manager", "coffee")])
    seed.user(acme, "admin@acme.test", [("tenant_admin", "root")])
    seed.user(acme, "tea-editor@acme.test", [("editor", "tea")])
    seed.user(acme, "dubai-editor@acme.test", [("editor", "dubai")])
    r = api(token).get(f"tenants/{acme.id}/grants")
    assert r.status_code == 200
    units = {g["org_unit_id"] for g in r.get_json()["items"]}
    assert units == {acme.units["coffee"].id, acme.units["dubai"].id}


# ----------------------------------------------------------------------------- custom roles
def test_custom_roles_are_made_from_the_catalogue_only(admin, acme):
    r = admin.post(f"tenants/{acme.id}/roles", {"key": "social_lead", "name": "Social lead",
                                                "permissions": ["posts.view", "posts.fly"]})
    assert r.status_code == 422
    assert "posts.fly" in str(r.get_json())
    r = admin.post(f"tenants/{acme.id}/roles", {"key": "editor", "name": "Mine",
                                                "permissions": ["posts.view"]})
    assert r.status_code == 409  # built-in keys are taken

    r = admin.post(f"tenants/{acme.id}/roles", {"key": "social_lead", "name": "Social lead",
                                                "permissions": ["posts.view", "posts.schedule", "units.view"]})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["builtin"] is False
    roles = {x["key"]: x for x in admin.get(f"tenants/{acme.id}/roles").get_json()["items"]}
    assert roles["social_lead"]["permissions"] == ["posts.schedule", "posts.view", "units.view"]
    assert roles["tenant_admin"]["builtin"] is True

    r = admin.patch(f"tenants/{acme.id}/roles/social_lead", {"permissions": ["units.view", "warp.drive"]})
    assert r.status_code == 422
    roles = {x["key"]: x for x in admin.get(f"tenants/{acme.id}/roles").get_json()["items"]}
    assert roles["social_lead"]["permissions"] == ["posts.schedule", "posts.view", "units.view"]


def test_a_custom_role_grant_carries_exactly_its_permissions(seed, api, admin, herald_runtime, acme):
    assert admin.post(f"tenants/{acme.id}/roles", {"key": "scheduler", "name": "Scheduler",
                                                   "permissions": ["units.view", "posts.schedule"]}).status_code == 201
    user, token = seed.user(acme, "sched@acme.test")
    assert _grant(admin, acme, user.id, "scheduler", "tea").status_code == 201
    assert _visible_names(api(token), acme) == {"tea"}
    with herald_runtime.db.transaction() as s:
        who = actor_for_user(user)
        tea, coffee = s.get(OrgUnit, acme.units["tea"].id), s.get(OrgUnit, acme.units["coffee"].id)
        assert can(s, who, "posts.schedule", tea)
        assert not can(s, who, "posts.publish", tea)
        assert not can(s, who, "posts.schedule", coffee)
    assert _grant(admin, acme, user.id, "no_such_role", "tea").status_code == 404


# ----------------------------------------------------------------------------- escalation
def test_a_manager_grants_within_their_subtree_and_their_own_powers(seed, api, acme):
    _, token = seed.user(acme, "manager@acme.test", [("manager", "coffee")])
    manager = api(token)
    newbie, newbie_token = seed.user(acme, "newbie@acme.test")

    r = _grant(manager, acme, newbie.id, "editor", "dubai")
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["user_id"] == newbie.id and r.get_json()["org_unit_id"] == acme.units["dubai"].id
    assert _visible_names(api(newbie_token), acme) == {"dubai"}
    assert _grant(manager, acme, newbie.id, "editor", "coffee").status_code == 201
    assert _grant(manager, acme, newbie.id, "editor", "coffee").status_code == 409  # already held


def test_a_manager_cannot_grant_more_than_they_hold(seed, api, admin, acme):
    _, token = seed.user(acme, "manager@acme.test", [("manager", "coffee")])
    manager = api(token)
    newbie, newbie_token = seed.user(acme, "newbie@acme.test")

    r = _grant(manager, acme, newbie.id, "tenant_admin", "coffee")
    assert r.status_code == 403, r.get_json()
    # A custom role that carries one permission the manager lacks (users.manage) is escalation too.
    assert admin.post(f"tenants/{acme.id}/roles", {"key": "hr", "name": "HR",
                                                   "permissions": ["units.view", "users.manage"]}).status_code == 201
    assert _grant(manager, acme, newbie.id, "hr", "dubai").status_code == 403
    r = admin.get(f"tenants/{acme.id}/grants", query_string={"user_id": newbie.id})
    assert r.get_json()["items"] == []
    assert api(newbie_token).get(_unit_url(acme, "coffee")).status_code == 404


def test_a_manager_cannot_grant_or_revoke_outside_their_subtree(seed, api, admin, acme):
    _, token = seed.user(acme, "manager@acme.test", [("manager", "coffee")])
    manager = api(token)
    newbie, _ = seed.user(acme, "newbie@acme.test")
    seed.user(acme, "tea-editor@acme.test", [("editor", "tea")])

    for unit in ("tea", "root"):
        r = _grant(manager, acme, newbie.id, "editor", unit)
        assert r.status_code in (403, 404), (unit, r.get_json())
    assert admin.get(f"tenants/{acme.id}/grants", query_string={"user_id": newbie.id}).get_json()["items"] == []

    all_grants = admin.get(f"tenants/{acme.id}/grants").get_json()["items"]
    tea_grant = next(g for g in all_grants if g["org_unit_id"] == acme.units["tea"].id)
    assert manager.delete(f"tenants/{acme.id}/grants/{tea_grant['id']}").status_code in (403, 404)
    assert any(g["id"] == tea_grant["id"] for g in admin.get(f"tenants/{acme.id}/grants").get_json()["items"])


def test_an_editor_cannot_grant_at_all(seed, api, acme):
    _, token = seed.user(acme, "editor@acme.test", [("editor", "coffee")])
    newbie, _ = seed.user(acme, "newbie@acme.test")
    assert _grant(api(token), acme, newbie.id, "viewer", "dubai").status_code == 403


# ----------------------------------------------------------------------------- taking access away
def test_revoking_a_grant_removes_access_on_the_next_request(seed, api, admin, acme):
    user, token = seed.user(acme, "editor@acme.test")
    editor = api(token)
    assert editor.get(_unit_url(acme, "coffee")).status_code == 404
    grant = _grant(admin, acme, user.id, "editor", "coffee").get_json()
    assert editor.get(_unit_url(acme, "dubai")).status_code == 200

    assert admin.delete(f"tenants/{acme.id}/grants/{grant['id']}").status_code == 204
    assert editor.get(_unit_url(acme, "coffee")).status_code == 404
    assert editor.get(_unit_url(acme, "dubai")).status_code == 404
    assert _visible_names(editor, acme) == set()
    assert admin.delete(f"tenants/{acme.id}/grants/{grant['id']}").status_code == 404


def test_disabling_a_user_fails_their_token_on_the_next_request(seed, api, admin, acme):
    user, token = seed.user(acme, "editor@acme.test", [("editor", "coffee")])
    editor = api(token)
    assert editor.get("me").status_code == 200

    r = admin.patch(f"tenants/{acme.id}/users/{user.id}", {"status": "disabled"})
    assert r.status_code == 200 and r.get_json()["status"] == "disabled"
    assert editor.get("me").status_code == 401
    assert editor.get(_unit_url(acme, "coffee")).status_code == 401
    # Re-enabling does not bring the old tokens back: they were revoked.
    assert admin.patch(f"tenants/{acme.id}/users/{user.id}", {"status": "active"}).status_code == 200
    assert editor.get("me").status_code == 401


def test_nobody_disables_themselves(seed, api, acme):
    user, token = seed.user(acme, "admin@acme.test", [("tenant_admin", "root")])
    me = api(token)
    assert me.patch(f"tenants/{acme.id}/users/{user.id}", {"status": "disabled"}).status_code == 409
    assert me.get("me").status_code == 200


def test_the_last_tenant_admin_cannot_revoke_their_own_admin_grant(seed, api, acme):
    user, token = seed.user(acme, "admin@acme.test", [("tenant_admin", "root")])
    admin = api(token)
    own = admin.get(f"tenants/{acme.id}/grants", query_string={"user_id": user.id}).get_json()["items"]
    assert len(own) == 1

    assert admin.delete(f"tenants/{acme.id}/grants/{own[0]['id']}").status_code == 409
    assert admin.get(_unit_url(acme, "root")).status_code == 200  # still an admin

    second, _ = seed.user(acme, "admin2@acme.test")
    assert _grant(admin, acme, second.id, "tenant_admin", "root").status_code == 201
    assert admin.delete(f"tenants/{acme.id}/grants/{own[0]['id']}").status_code == 204
    assert admin.get(_unit_url(acme, "coffee")).status_code == 404


# ----------------------------------------------------------------------------- identifiers
def test_ids_in_responses_are_opaque(seed, admin, acme):
    user, _ = seed.user(acme, "editor@acme.test")
    units = [admin.post(f"tenants/{acme.id}/org-units",
                        {"parent_id": acme.root.id, "name": f"Brand {i}"}).get_json()["id"] for i in range(5)]
    grant = _grant(admin, acme, user.id, "viewer", "coffee").get_json()["id"]
    me = admin.get("me").get_json()["id"]
    tenant = admin.get(f"tenants/{acme.id}").get_json()["id"]

    for value, prefix in [*((u, "unit") for u in units), (grant, "grt"), (me, "usr"), (tenant, "ten")]:
        assert looks_like_id(value, prefix), value
        assert re.fullmatch(r"[a-z]{2,5}_[a-z2-7]{26}", value)
    # Random, not sequential or time-ordered: consecutive ids share no long common prefix.
    randoms = [u.split("_", 1)[1] for u in units]
    assert len(set(randoms)) == len(randoms)
    for a, b in itertools.pairwise(randoms):
        assert a[:6] != b[:6], (a, b)
    assert not any(r.isdigit() for r in randoms)


def test_nobody_revokes_a_role_carrying_more_than_they_hold(seed, api, acme):
    admin_user, _ = seed.user(acme, "boss@acme.test", [("tenant_admin", "root")])
    _, mtoken = seed.user(acme, "mgr@acme.test", [("manager", "root")])
    grants = api(mtoken).get(f"tenants/{acme.id}/grants", query_string={"user_id": admin_user.id}).get_json()
    r = api(mtoken).delete(f"tenants/{acme.id}/grants/{grants['items'][0]['id']}")
    assert r.status_code == 403
    assert "tenant_admin" in r.get_json()["detail"]


def test_a_disabled_admin_does_not_count_as_another_admin(seed, api, acme):
    _, token = seed.user(acme, "one@acme.test", [("tenant_admin", "root")])
    other, _ = seed.user(acme, "two@acme.test", [("tenant_admin", "root")])
    me = api(token)
    assert me.patch(f"tenants/{acme.id}/users/{other.id}", {"status": "disabled"}).status_code == 200
    mine = me.get("me").get_json()["id"]
    grant = me.get(f"tenants/{acme.id}/grants", query_string={"user_id": mine}).get_json()["items"][0]
    r = me.delete(f"tenants/{acme.id}/grants/{grant['id']}")
    assert r.status_code == 409
    assert "last active tenant administrator" in r.get_json()["detail"]
