"""API token scopes, service tokens and deprovisioning: a token never exceeds its scopes nor
its user's grants; every use is attributable; disabling a user ends access on the next request."""

from __future__ import annotations

import pytest
from identity_helpers import password_user, sign_in

from herald.auth.scopes import SCOPES
from herald.authz.catalogue import PERMISSIONS


@pytest.fixture
def acme(seed):
    return seed.tenant("acme", {"coffee": None})


@pytest.fixture
def admin_pair(seed, acme):
    return password_user(seed, acme, "admin@acme.test", [("tenant_admin", "root")])


@pytest.fixture
def admin(admin_pair, api):
    return api(admin_pair[1])


def _token(client_api, *scopes, name="scoped"):
    r = client_api.post("me/tokens", {"name": name, "scopes": list(scopes)})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _new_unit(client_api, acme, name="Tea"):
    return client_api.post(f"tenants/{acme.id}/org-units", {"parent_id": acme.root.id, "name": name})


def test_every_scope_names_only_catalogue_permissions_and_admin_covers_them_all():
    for perms in SCOPES.values():
        assert perms <= set(PERMISSIONS)
    assert SCOPES["admin"] == set(PERMISSIONS)


def test_the_scope_catalogue_is_published(admin):
    items = {s["key"]: s for s in admin.get("token-scopes").get_json()["items"]}
    assert set(items) == set(SCOPES) and "posts.publish" in items["publish"]["permissions"]


def test_a_read_token_of_an_admin_can_read_but_not_change_anything(admin, api, acme):
    read = api(_token(admin, "read")["token"])
    assert read.get(f"tenants/{acme.id}/org-units").status_code == 200
    r = _new_unit(read, acme)
    assert r.status_code == 403 and r.get_json()["permission"] == "units.manage"
    assert _new_unit(api(_token(admin, "admin")["token"]), acme).status_code == 201


def test_a_token_never_exceeds_its_users_grants_whatever_its_scopes(seed, acme, api):
    _viewer, token = seed.user(acme, "viewer@acme.test", [("viewer", "root")])
    scoped = _token(api(token), "admin")
    assert _new_unit(api(scoped["token"]), acme).status_code == 403


def test_unknown_scopes_are_refused(admin):
    r = admin.post("me/tokens", {"name": "x", "scopes": ["everything"]})
    assert r.status_code == 422 and "scopes" in r.get_json()["errors"]


def test_a_scoped_token_cannot_mint_a_broader_token(admin, api):
    read = api(_token(admin, "read")["token"])
    assert read.post("me/tokens", {"name": "wider", "scopes": ["admin"]}).status_code == 403
    assert read.post("me/tokens", {"name": "unscoped"}).status_code == 403
    assert read.post("me/tokens", {"name": "same", "scopes": ["read"]}).status_code == 201


def test_token_use_records_the_time_and_address_and_the_audit_names_the_token(admin, api, acme):
    issued = _token(admin, "admin", name="deploy-bot")
    api(issued["token"]).client.post(f"/api/v1/tenants/{acme.id}/org-units",
                                     json={"parent_id": acme.root.id, "name": "Tea"},
                                     headers={"Authorization": f"Bearer {issued['token']}"},
                                     environ_base={"REMOTE_ADDR": "192.0.2.7"})
    listed = {t["id"]: t for t in admin.get("me/tokens").get_json()["items"]}[issued["id"]]
    assert listed["last_used_address"] == "192.0.2.7" and listed["last_used_at"] and listed["scopes"] == ["admin"]
    events = admin.get(f"tenants/{acme.id}/audit-events?limit=50").get_json()["items"]
    created = next(e for e in events if e["action"] == "org_unit.created")
    assert created["actor_label"] == f"admin@acme.test [token deploy-bot {issued['id']}]"
    assert created["context"]["token_id"] == issued["id"]


def test_a_revoked_token_stops_at_once(admin, api):
    issued = _token(admin, "read")
    assert admin.delete(f"me/tokens/{issued['id']}").status_code == 204
    assert api(issued["token"]).get("me").status_code == 401


# ----------------------------------------------------------------------------- service tokens
def test_a_service_token_acts_as_its_own_principal_with_its_own_grants(admin, api, acme):
    r = admin.post(f"tenants/{acme.id}/service-tokens", {"name": "scheduler", "scopes": ["admin"]})
    assert r.status_code == 201, r.get_json()
    issued = r.get_json()
    assert issued["kind"] == "service" and issued["token"].startswith("hrd.")
    svc = api(issued["token"])
    assert svc.get("me").get_json()["kind"] == "service"
    coffee = acme.units["coffee"].id
    under_coffee = {"parent_id": coffee, "name": "Espresso"}
    assert svc.post(f"tenants/{acme.id}/org-units", under_coffee).status_code in (403, 404)  # no grants yet
    grant = admin.post(f"tenants/{acme.id}/grants", {"user_id": issued["user_id"], "role_key": "tenant_admin",
                                                     "org_unit_id": coffee})
    assert grant.status_code == 201
    created = svc.post(f"tenants/{acme.id}/org-units", under_coffee)
    assert created.status_code == 201
    assert _new_unit(svc, acme).status_code in (403, 404)  # its grant covers coffee, not the root
    listed = admin.get(f"tenants/{acme.id}/service-tokens").get_json()["items"]
    assert [t["id"] for t in listed] == [issued["id"]] and "token" not in listed[0]
    events = admin.get(f"tenants/{acme.id}/audit-events?limit=20").get_json()["items"]
    event = next(e for e in events if e["action"] == "org_unit.created")
    assert event["actor_id"] == issued["user_id"]
    assert event["actor_label"] == f"service:scheduler [token scheduler {issued['id']}]"


def test_service_tokens_are_stored_hashed_and_shown_once(admin, acme, herald_runtime):
    from herald.people.models import ApiToken

    issued = admin.post(f"tenants/{acme.id}/service-tokens", {"name": "ci", "scopes": ["read"]}).get_json()
    with herald_runtime.db.transaction() as s:
        row = s.get(ApiToken, issued["id"])
        assert issued["token"].split(".")[2] not in row.secret_hash


def test_only_admins_create_service_tokens(seed, acme, api):
    _, token = seed.user(acme, "ed@acme.test", [("manager", "root")])
    assert api(token).post(f"tenants/{acme.id}/service-tokens", {"name": "x", "scopes": ["read"]}).status_code == 403


def test_a_revoked_service_token_stops_at_once(admin, api, acme):
    issued = admin.post(f"tenants/{acme.id}/service-tokens", {"name": "ci", "scopes": ["read"]}).get_json()
    assert admin.delete(f"tenants/{acme.id}/service-tokens/{issued['id']}").status_code == 204
    assert api(issued["token"]).get("me").status_code == 401


def test_a_service_principal_cannot_sign_in_or_be_named_break_glass(client, admin, acme):
    issued = admin.post(f"tenants/{acme.id}/service-tokens", {"name": "ci", "scopes": ["read"]}).get_json()
    r = admin.request("PUT", f"tenants/{acme.id}/identity-policy",
                      json={"sso_enforced": False, "break_glass_user_ids": [issued["user_id"]]})
    assert r.status_code == 422


# ----------------------------------------------------------------------------- deprovisioning
def test_disabling_a_user_ends_their_sessions_and_tokens_on_the_very_next_request(app, seed, acme, admin, api):
    bob, token = password_user(seed, acme, "bob@acme.test", [("editor", "root")])
    browser = app.test_client()
    sign_in(browser, "acme", "bob@acme.test")
    scoped = _token(api(token), "read")["token"]
    assert browser.get("/api/v1/me").status_code == 200 and api(scoped).get("me").status_code == 200
    assert admin.patch(f"tenants/{acme.id}/users/{bob.id}", {"status": "disabled"}).status_code == 200
    assert browser.get("/api/v1/me").status_code == 401
    assert api(token).get("me").status_code == 401 and api(scoped).get("me").status_code == 401
    # Re-enabling does not bring the old credentials back.
    admin.patch(f"tenants/{acme.id}/users/{bob.id}", {"status": "active"})
    assert browser.get("/api/v1/me").status_code == 401 and api(scoped).get("me").status_code == 401


def test_a_disabled_users_work_and_history_stay(seed, acme, admin, api):
    bob, token = seed.user(acme, "bob@acme.test", [("tenant_admin", "root")])
    unit = _new_unit(api(token), acme, "Bobs unit").get_json()
    admin.patch(f"tenants/{acme.id}/users/{bob.id}", {"status": "disabled"})
    assert admin.get(f"tenants/{acme.id}/org-units/{unit['id']}").status_code == 200
    events = admin.get(f"tenants/{acme.id}/audit-events?limit=100").get_json()["items"]
    assert any(e["actor_id"] == bob.id and e["action"] == "org_unit.created" for e in events)


def test_disabling_a_user_from_the_cli_ends_their_browser_sessions_too(app, seed, acme, herald_runtime):
    from click.testing import CliRunner

    from herald.cli.main import Ctx, cli

    password_user(seed, acme, "dana@acme.test", [("viewer", "root")])
    browser = app.test_client()
    sign_in(browser, "acme", "dana@acme.test")
    assert browser.get("/api/v1/me").status_code == 200
    ctx = Ctx()
    ctx._rt = herald_runtime
    result = CliRunner().invoke(cli, ["users", "disable", "acme", "dana@acme.test"], obj=ctx, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert browser.get("/api/v1/me").status_code == 401
