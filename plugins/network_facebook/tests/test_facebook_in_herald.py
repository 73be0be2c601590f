"""The plugin as a tenant uses it through Herald: settings validated (URLs against the outbound
policy), secrets write-only, and the configured connector reaching Facebook with the tenant's
own credentials."""

from __future__ import annotations

from facebook_fake_graph import APP_ID, APP_SECRET, PAGE_ID

PLUGIN = "network_facebook"


def _admin(seed, api, slug: str):  # type: ignore[no-untyped-def]
    tenant = seed.tenant(slug)
    _, token = seed.user(tenant, f"admin@{slug}.test", [("tenant_admin", "root")])
    return tenant, api(token)


def test_a_tenant_enables_facebook_with_write_only_secrets_and_its_connector_uses_them(seed, api, herald_runtime,
                                                                                      graph):
    acme, admin = _admin(seed, api, "acme")
    r = admin.patch(f"tenants/{acme.id}/plugins/{PLUGIN}", {"enabled": True, "settings": {
        "app_id": APP_ID, "app_secret": APP_SECRET, "webhook_verify_token": "verify-me-please",
        "api_base_url": graph.base_url, "api_version": "v24.0"}})
    assert r.status_code == 200, r.get_json()
    assert APP_SECRET not in r.get_data(as_text=True) and "verify-me-please" not in r.get_data(as_text=True)
    assert set(r.get_json()["secrets_set"]) == {"app_secret", "webhook_verify_token"}

    with herald_runtime.db.transaction() as s:
        fb = herald_runtime.plugins.for_tenant(s, acme.id).instance("herald_network_connectors", "facebook")
    assert fb is not None and fb.capabilities.supports_direct_messages and fb.capabilities.dm_reply_window_s == 86400
    tokens = fb.exchange_code("code-1", "https://h.example/cb", "v")  # the fake checks client_secret
    assert fb.profile(tokens).remote_id == PAGE_ID
    assert {version for _, version, _, _ in graph.calls} == {"v24.0"}


def test_wrong_settings_are_refused_naming_each_field(seed, api, herald_runtime):
    acme, admin = _admin(seed, api, "acme")
    r = admin.patch(f"tenants/{acme.id}/plugins/{PLUGIN}", {"enabled": True, "settings": {
        "app_id": "a", "app_secret": "s", "api_base_url": "http://169.254.169.254/latest",
        "api_version": "25", "recent_posts_limit": 0}})
    assert r.status_code == 422
    assert set(r.get_json()["errors"]) == {"api_base_url", "api_version", "recent_posts_limit"}
    with herald_runtime.db.transaction() as s:
        assert herald_runtime.plugins.for_tenant(s, acme.id).instance("herald_network_connectors", "facebook") is None
