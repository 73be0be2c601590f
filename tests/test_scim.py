"""SCIM 2.0 /scim/v2/Users: provisioning and deprovisioning by a tenant service token with the
scim scope, acting with its service principal's grants."""

from __future__ import annotations

import pytest
from identity_helpers import password_user, sign_in

SCIM = "/scim/v2/Users"
MEDIA = "application/scim+json"


@pytest.fixture
def acme(seed):
    return seed.tenant("acme")


@pytest.fixture
def admin(seed, acme, api):
    return api(password_user(seed, acme, "admin@acme.test", [("tenant_admin", "root")])[1])


def _service_token(admin, acme, scopes=("scim",), grant=True):
    issued = admin.post(f"tenants/{acme.id}/service-tokens", {"name": "okta", "scopes": list(scopes)}).get_json()
    if grant:
        admin.post(f"tenants/{acme.id}/roles", {"key": "provisioner", "name": "Provisioner",
                                                "permissions": ["users.view", "users.manage"]})
        r = admin.post(f"tenants/{acme.id}/grants", {"user_id": issued["user_id"], "role_key": "provisioner",
                                                     "org_unit_id": acme.root.id})
        assert r.status_code == 201, r.get_json()
    return issued["token"]


class Scim:
    def __init__(self, client, token):  # type: ignore[no-untyped-def]
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    def __call__(self, method, path="", body=None, **kw):  # type: ignore[no-untyped-def]
        return self.client.open(SCIM + path, method=method, json=body, headers=self.headers, **kw)


@pytest.fixture
def scim(client, admin, acme):
    return Scim(client, _service_token(admin, acme))


def _new(scim, email="jo@acme.test", **extra):  # type: ignore[no-untyped-def]
    r = scim("POST", body={"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": email,
                           "name": {"givenName": "Jo", "familyName": "Doe"}, "active": True, **extra})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_a_user_is_created_read_and_found_by_username(scim):
    created = _new(scim)
    assert created["userName"] == "jo@acme.test" and created["displayName"] == "Jo Doe" and created["active"]
    assert created["meta"]["location"].endswith(f"/scim/v2/Users/{created['id']}")
    got = scim("GET", f"/{created['id']}")
    assert got.status_code == 200 and got.mimetype == MEDIA and got.get_json()["id"] == created["id"]
    found = scim("GET", query_string={"filter": 'userName eq "JO@acme.test"'}).get_json()
    assert found["totalResults"] == 1 and found["Resources"][0]["id"] == created["id"]
    assert found["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
    none = scim("GET", query_string={"filter": 'userName eq "nobody@acme.test"'}).get_json()
    assert none["totalResults"] == 0 and none["Resources"] == []


def test_listing_pages_and_leaves_out_service_principals(scim):
    for i in range(3):
        _new(scim, f"p{i}@acme.test")
    page = scim("GET", query_string={"startIndex": "2", "count": "2"}).get_json()
    assert page["totalResults"] == 4 and page["startIndex"] == 2 and page["itemsPerPage"] == 2  # admin + 3
    assert all(not r["userName"].endswith("service.invalid") for r in page["Resources"])


def test_a_duplicate_username_is_a_uniqueness_conflict(scim):
    _new(scim)
    r = scim("POST", body={"userName": "jo@acme.test"})
    assert r.status_code == 409 and r.get_json()["scimType"] == "uniqueness"
    assert r.get_json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]


def test_bad_input_gets_scim_errors(scim):
    assert scim("POST", body={"userName": "not-an-email"}).get_json()["scimType"] == "invalidValue"
    r = scim("GET", query_string={"filter": 'displayName co "x"'})
    assert r.status_code == 400 and r.get_json()["scimType"] == "invalidFilter"
    assert scim("GET", "/usr_nope").status_code == 404


def test_patch_active_false_deactivates_and_ends_access_at_once(app, scim, seed, acme):
    alice, token = password_user(seed, acme, "alice@acme.test")
    browser = app.test_client()
    sign_in(browser, "acme", "alice@acme.test")
    r = scim("PATCH", f"/{alice.id}", {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                                        "Operations": [{"op": "Replace", "path": "active", "value": False}]})
    assert r.status_code == 200 and r.get_json()["active"] is False
    assert browser.get("/api/v1/me").status_code == 401
    assert browser.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_patch_without_path_and_with_string_booleans_is_understood(scim):
    jo = _new(scim)
    r = scim("PATCH", f"/{jo['id']}", {"Operations": [{"op": "replace", "value": {"active": "False",
                                                                               "displayName": "Jo D."}}]})
    assert r.status_code == 200 and r.get_json()["active"] is False and r.get_json()["displayName"] == "Jo D."
    r = scim("PATCH", f"/{jo['id']}", {"Operations": [{"op": "replace", "path": "active", "value": True}]})
    assert r.get_json()["active"] is True
    bad = scim("PATCH", f"/{jo['id']}", {"Operations": [{"op": "replace", "path": "title", "value": "x"}]})
    assert bad.status_code == 400 and bad.get_json()["scimType"] == "invalidPath"


def test_put_replaces_the_user(scim):
    jo = _new(scim)
    r = scim("PUT", f"/{jo['id']}", {"userName": "jo.doe@acme.test", "displayName": "Joanna", "active": True})
    assert r.status_code == 200
    body = r.get_json()
    assert body["userName"] == "jo.doe@acme.test" and body["displayName"] == "Joanna"


def test_delete_deactivates_but_keeps_the_person(scim):
    jo = _new(scim)
    assert scim("DELETE", f"/{jo['id']}").status_code == 204
    assert scim("GET", f"/{jo['id']}").get_json()["active"] is False


def test_only_a_service_token_with_the_scim_scope_may_call(client, admin, acme, seed):
    assert client.get(SCIM).status_code == 401
    _, personal = seed.user(acme, "root@acme.test", [("tenant_admin", "root")])
    assert Scim(client, personal)("GET").status_code == 403
    assert Scim(client, _service_token(admin, acme, scopes=("admin",), grant=False))("GET").status_code == 403


def test_the_scim_principal_still_needs_its_grants(client, admin, acme):
    ungranted = Scim(client, _service_token(admin, acme, grant=False))
    assert ungranted("GET").status_code == 403


def test_scim_sees_only_its_own_tenant(client, scim, seed):
    other = seed.tenant("globex")
    stranger, _ = seed.user(other, "x@globex.test")
    assert scim("GET", f"/{stranger.id}").status_code == 404
    assert scim("GET", query_string={"filter": 'userName eq "x@globex.test"'}).get_json()["totalResults"] == 0


def test_the_service_provider_config_says_what_is_supported(scim):
    r = scim.client.get("/scim/v2/ServiceProviderConfig", headers=scim.headers)
    config = r.get_json()
    assert r.status_code == 200 and config["patch"]["supported"] is True and config["bulk"]["supported"] is False
