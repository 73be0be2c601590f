"""The LinkedIn plugin as a tenant uses it through Herald: settings validated, the secret
write-only, and the configured connector reaching LinkedIn with the tenant's own credentials."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
from linkedin_fake_server import CLIENT_ID, CLIENT_SECRET


def test_a_tenant_enables_linkedin_with_a_write_only_secret_that_its_connector_uses(seed, api, herald_runtime,
                                                                                     fake_li):
    acme = seed.tenant("acme")
    _, token = seed.user(acme, "admin@acme.test", [("tenant_admin", "root")])
    admin = api(token)
    r = admin.patch(f"tenants/{acme.id}/plugins/network_linkedin", {"enabled": True, "settings": {
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "api_base_url": fake_li.url,
        "oauth_base_url": fake_li.url, "api_version": "202511"}})
    assert r.status_code == 200, r.get_json()
    assert CLIENT_SECRET not in r.get_data(as_text=True) and r.get_json()["secrets_set"] == ["client_secret"]
    with herald_runtime.db.transaction() as s:
        li = herald_runtime.plugins.for_tenant(s, acme.id).instance("herald_network_connectors", "linkedin")
    assert li is not None and not li.capabilities.supports_direct_messages
    answer = httpx.get(li.authorize_url("s", "https://h.example/cb", "v" * 43), follow_redirects=False)
    code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
    # The fake demands the secret: the exchange proves the stored secret is used.
    assert li.profile(li.exchange_code(code, "https://h.example/cb", "v" * 43)).handle == "devtestco"


def test_wrong_linkedin_settings_are_refused_naming_each_field(seed, api, herald_runtime):
    acme = seed.tenant("acme")
    _, token = seed.user(acme, "admin@acme.test", [("tenant_admin", "root")])
    r = api(token).patch(f"tenants/{acme.id}/plugins/network_linkedin", {"enabled": True, "settings": {
        "client_id": "cid", "api_base_url": "not a url", "api_version": "2025-10", "organization_id": "acme"}})
    assert r.status_code == 422
    assert set(r.get_json()["errors"]) == {"api_base_url", "api_version", "organization_id"}
