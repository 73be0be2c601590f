"""The Mastodon plugin as a tenant uses it through Herald: settings validated (the instance URL
by the outbound policy), the secret write-only, and the configured connector connecting an account."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
from mastodon_fake_server import HANDLE, REDIRECT


def _admin(seed, api, slug: str):
    tenant = seed.tenant(slug)
    _, token = seed.user(tenant, f"admin@{slug}.test", [("tenant_admin", "root")])
    return tenant, api(token)


def test_a_tenant_enables_mastodon_with_a_write_only_secret_and_connects(seed, api, herald_runtime, fake_mastodon,
                                                                         app_credentials, account):
    acme, admin = _admin(seed, api, "acme")
    r = admin.patch(f"tenants/{acme.id}/plugins/network_mastodon", {"enabled": True, "settings": {
        "instance_url": fake_mastodon.url, **app_credentials, "default_visibility": "unlisted"}})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert app_credentials["client_secret"] not in r.get_data(as_text=True)
    assert body["secrets_set"] == ["client_secret"]
    with herald_runtime.db.transaction() as s:
        connector = herald_runtime.plugins.for_tenant(s, acme.id).instance("herald_network_connectors", "mastodon")
    assert connector is not None and connector.capabilities.supports_direct_messages
    answer = httpx.get(connector.authorize_url("s", REDIRECT, "v" * 43), follow_redirects=False)
    code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
    # The fake checks the client secret: a working exchange proves the stored secret is used.
    assert connector.profile(connector.exchange_code(code, REDIRECT, "v" * 43)).handle == HANDLE


def test_an_internal_instance_url_and_a_bad_visibility_are_refused_naming_each_field(seed, api, herald_runtime):
    acme, admin = _admin(seed, api, "acme")
    r = admin.patch(f"tenants/{acme.id}/plugins/network_mastodon", {"enabled": True, "settings": {
        "instance_url": "http://169.254.169.254", "client_id": "c", "client_secret": "s",
        "default_visibility": "everyone"}})
    assert r.status_code == 422
    assert set(r.get_json()["errors"]) == {"instance_url", "default_visibility"}
    with herald_runtime.db.transaction() as s:
        assert herald_runtime.plugins.for_tenant(s, acme.id).instance("herald_network_connectors", "mastodon") is None
