"""The X plugin as a tenant uses it through Herald: settings validated, the secret write-only,
and the configured connector reaching X with the tenant's own credentials."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
from x_fake_server import CLIENT_ID, CLIENT_SECRET, HANDLE, USER_ID


def _admin(seed, api, slug: str):
    tenant = seed.tenant(slug)
    _, token = seed.user(tenant, f"admin@{slug}.test", [("tenant_admin", "root")])
    return tenant, api(token)


def test_a_tenant_enables_x_with_a_write_only_secret_and_its_connector_uses_it(seed, api, herald_runtime, fake_x):
    acme, admin = _admin(seed, api, "acme")
    r = admin.patch(f"tenants/{acme.id}/plugins/network_x", {"enabled": True, "settings": {
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "api_base_url": fake_x.url,
        "authorize_url": f"{fake_x.url}/i/oauth2/authorize", "timeout_seconds": 5}})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert CLIENT_SECRET not in r.get_data(as_text=True)
    assert "client_secret" not in body["settings"] and body["secrets_set"] == ["client_secret"]
    secret_field = next(f for f in body["settings_schema"]["fields"] if f["name"] == "client_secret")
    assert secret_field["secret"] is True
    assert CLIENT_SECRET not in admin.get(f"tenants/{acme.id}/plugins/network_x").get_data(as_text=True)

    with herald_runtime.db.transaction() as s:
        x = herald_runtime.plugins.for_tenant(s, acme.id).instance("herald_network_connectors", "x")
    assert x is not None and x.capabilities.supports_lookup and x.capabilities.supports_search
    fake_x.fake.add_user(USER_ID, HANDLE)
    answer = httpx.get(x.authorize_url("s", "https://h.example/cb", "v" * 43), follow_redirects=False)
    code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
    # The fake demands Basic auth with the secret: the exchange proves the stored secret is used.
    tokens = x.exchange_code(code, "https://h.example/cb", "v" * 43)
    assert x.profile(tokens).handle == HANDLE


def test_wrong_x_settings_are_refused_naming_each_field(seed, api, herald_runtime):
    acme, admin = _admin(seed, api, "acme")
    r = admin.patch(f"tenants/{acme.id}/plugins/network_x", {"enabled": True, "settings": {
        "client_id": "cid", "api_base_url": "not a url", "media_upload_style": "v3",
        "media_chunk_bytes": 6 * 1024 * 1024}})
    assert r.status_code == 422
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert set(r.get_json()["errors"]) == {"api_base_url", "media_upload_style", "media_chunk_bytes"}
    with herald_runtime.db.transaction() as s:
        assert herald_runtime.plugins.for_tenant(s, acme.id).instance("herald_network_connectors", "x") is None


def test_another_tenant_does_not_get_x_until_it_enables_it(seed, api, herald_runtime):
    acme, admin = _admin(seed, api, "acme")
    globex, _ = _admin(seed, api, "globex")
    admin.patch(f"tenants/{acme.id}/plugins/network_x", {"enabled": True, "settings": {"client_id": "cid"}})
    with herald_runtime.db.transaction() as s:
        assert herald_runtime.plugins.for_tenant(s, acme.id).instance("herald_network_connectors", "x") is not None
        assert herald_runtime.plugins.for_tenant(s, globex.id).instance("herald_network_connectors", "x") is None
