"""Installed is not enabled: a hook call for a tenant reaches only the plugins it enabled, and
plugins built for another hook API are refused at start-up with a clear message."""

from __future__ import annotations

import types

import pytest

from herald.errors import PluginError
from herald.plugins import Capabilities, NetworkConnector, hookimpl


def _network_plugin(key: str, calls: list[str], api: str | None = "1.0") -> types.ModuleType:
    mod = types.ModuleType(f"plugin_{key}")

    class Connector(NetworkConnector):
        capabilities = Capabilities(max_text_length=100)

    Connector.key = key
    Connector.display_name = key.title()

    @hookimpl
    def herald_network_connectors():  # type: ignore[no-untyped-def]
        calls.append(key)
        return [Connector]

    mod.herald_network_connectors = herald_network_connectors  # type: ignore[attr-defined]
    if api is not None:
        mod.HERALD_HOOK_API = api  # type: ignore[attr-defined]
    return mod


@pytest.fixture
def two_tenants(seed, api):  # type: ignore[no-untyped-def]
    a, b = seed.tenant("alpha"), seed.tenant("beta")
    _, ta = seed.user(a, "admin@alpha.test", [("tenant_admin", "root")])
    _, tb = seed.user(b, "admin@beta.test", [("tenant_admin", "root")])
    return (a, api(ta)), (b, api(tb))


def test_a_hook_call_for_a_tenant_reaches_only_plugins_it_enabled(two_tenants, register_plugin, herald_runtime):
    (a, admin_a), (b, admin_b) = two_tenants
    calls: list[str] = []
    register_plugin(_network_plugin("net_one", calls), "net_one")
    register_plugin(_network_plugin("net_two", calls), "net_two")
    assert admin_a.patch(f"tenants/{a.id}/plugins/net_one", {"enabled": True}).status_code == 200
    assert admin_b.patch(f"tenants/{b.id}/plugins/net_two", {"enabled": True}).status_code == 200

    with herald_runtime.db.transaction() as s:
        calls.clear()
        hooks_a = herald_runtime.plugins.for_tenant(s, a.id)
        assert [c.key for c in hooks_a.classes("herald_network_connectors")] == ["net_one"]
        assert calls == ["net_one"]  # net_two's hook did not run at all
        calls.clear()
        results = hooks_a.hook.herald_network_connectors()
        assert [cls.key for batch in results for cls in batch] == ["net_one"] and calls == ["net_one"]
        calls.clear()
        hooks_b = herald_runtime.plugins.for_tenant(s, b.id)
        assert [c.key for c in hooks_b.classes("herald_network_connectors")] == ["net_two"]
        assert calls == ["net_two"]


def test_a_tenant_can_attach_accounts_only_on_networks_it_enabled(two_tenants, register_plugin):
    (a, admin_a), (b, admin_b) = two_tenants
    register_plugin(_network_plugin("net_one", []), "net_one")
    admin_a.patch(f"tenants/{a.id}/plugins/net_one", {"enabled": True})
    ok = admin_a.post(f"tenants/{a.id}/social-accounts",
                      {"org_unit_id": a.root.id, "network": "net_one", "handle": "alpha"})
    assert ok.status_code == 201, ok.get_json()
    refused = admin_b.post(f"tenants/{b.id}/social-accounts",
                           {"org_unit_id": b.root.id, "network": "net_one", "handle": "beta"})
    assert refused.status_code == 422
    assert "network" in refused.get_json()["errors"]


def test_disabling_a_plugin_stops_its_hooks_for_that_tenant_only(two_tenants, register_plugin, herald_runtime):
    (a, admin_a), (b, admin_b) = two_tenants
    calls: list[str] = []
    register_plugin(_network_plugin("net_one", calls), "net_one")
    for t, admin in ((a, admin_a), (b, admin_b)):
        admin.patch(f"tenants/{t.id}/plugins/net_one", {"enabled": True})
    admin_a.patch(f"tenants/{a.id}/plugins/net_one", {"enabled": False})
    with herald_runtime.db.transaction() as s:
        calls.clear()
        assert herald_runtime.plugins.for_tenant(s, a.id).classes("herald_network_connectors") == []
        assert calls == []
        offered_to_b = herald_runtime.plugins.for_tenant(s, b.id).classes("herald_network_connectors")
        assert [c.key for c in offered_to_b] == ["net_one"]


@pytest.mark.parametrize(("declared", "message"), [
    ("2.0", "major versions differ"),
    ("1.9", "newer than this Herald"),
    (None, "does not declare HERALD_HOOK_API"),
    ("one", "MAJOR.MINOR"),
])
def test_a_plugin_built_for_an_incompatible_hook_api_is_refused(herald_runtime, declared, message):
    with pytest.raises(PluginError, match=message):
        herald_runtime.plugins.register(_network_plugin("old", [], api=declared), "old")
    assert "old" not in herald_runtime.plugins.infos


def test_a_plugin_implementing_an_unknown_hook_is_refused(herald_runtime):
    mod = types.ModuleType("typo")
    mod.HERALD_HOOK_API = "1.0"  # type: ignore[attr-defined]

    @hookimpl
    def herald_network_conectors():  # type: ignore[no-untyped-def]
        return []

    mod.herald_network_conectors = herald_network_conectors  # type: ignore[attr-defined]
    with pytest.raises(PluginError, match="implements a hook Herald does not have"):
        herald_runtime.plugins.register(mod, "typo")
    assert herald_runtime.plugins.pm.get_plugin("typo") is None


def test_two_enabled_plugins_offering_the_same_network_is_an_error_naming_both(two_tenants, register_plugin,
                                                                              herald_runtime):
    (a, admin_a), _ = two_tenants
    register_plugin(_network_plugin("dup", []), "first")
    register_plugin(_network_plugin("dup", []), "second")
    admin_a.patch(f"tenants/{a.id}/plugins/first", {"enabled": True})
    admin_a.patch(f"tenants/{a.id}/plugins/second", {"enabled": True})
    with herald_runtime.db.transaction() as s, pytest.raises(PluginError, match=r"'first'.*'second'|'second'.*'first'"):
        herald_runtime.plugins.for_tenant(s, a.id).classes("herald_network_connectors")


def test_secret_settings_are_encrypted_at_rest_and_never_shown(two_tenants, herald_runtime):
    (a, admin_a), _ = two_tenants
    secret = "s3cret-value-that-must-not-leak"
    r = admin_a.patch(f"tenants/{a.id}/plugins/webhooks",
                      {"enabled": True, "settings": {"url": "https://hooks.example.com/h", "secret": secret}})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["secrets_set"] == ["secret"] and secret not in r.get_data(as_text=True)
    from herald.plugin_host.models import TenantPlugin

    with herald_runtime.db.transaction() as s:
        row = s.query(TenantPlugin).filter_by(tenant_id=a.id, plugin="webhooks").one()
        assert secret not in (row.secrets or "") and "secret" not in row.settings
        assert herald_runtime.plugins.effective_settings(s, a.id, "webhooks")["secret"] == secret
    # leaving the secret out keeps it
    r = admin_a.patch(f"tenants/{a.id}/plugins/webhooks", {"settings": {"url": "https://hooks.example.com/v2"}})
    assert r.status_code == 200 and r.get_json()["secrets_set"] == ["secret"]


def test_plugin_settings_are_validated_against_the_plugin_schema(two_tenants):
    (a, admin_a), _ = two_tenants
    r = admin_a.patch(f"tenants/{a.id}/plugins/webhooks", {"settings": {"url": "not a url", "extra": 1}})
    assert r.status_code == 422
    errors = r.get_json()["errors"]
    assert {"url", "secret", "extra"} <= set(errors)
    # enabling without required settings is refused too
    assert admin_a.patch(f"tenants/{a.id}/plugins/webhooks", {"enabled": True}).status_code == 422


def test_a_viewer_cannot_change_plugins(seed, api, two_tenants):
    (a, _), _ = two_tenants
    _, token = seed.user(a, "viewer@alpha.test", [("viewer", "root")])
    assert api(token).patch(f"tenants/{a.id}/plugins/webhooks", {"enabled": False}).status_code == 403
