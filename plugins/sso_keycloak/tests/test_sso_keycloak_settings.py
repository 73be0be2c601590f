"""Enabling Keycloak sign-in for a tenant through Herald's API, and the settings it validates."""

from __future__ import annotations

import pytest
from sso_keycloak_idp import REALM, Browser

from herald.plugin_host.models import TenantPlugin
from herald.plugins import SsoContext
from herald_sso_keycloak import KeycloakProvider, KeycloakSettings
from herald_sso_keycloak.id_token import JwksCache


def test_settings_need_the_realm_and_client_and_default_to_keycloak_claims():
    errors = KeycloakSettings().validate({})
    assert {"server_url", "realm", "client_id"} <= set(errors) and "client_secret" not in errors
    loaded = KeycloakSettings().load({"server_url": "https://sso.example.com/auth", "realm": "acme",
                                      "client_id": "herald"})
    assert loaded["server_url"] == "https://sso.example.com/auth/"  # python-keycloak joins with realms/…
    assert loaded["scopes"] == ["openid", "email", "profile"]
    assert loaded["realm_roles_claim"] == "realm_access.roles" and loaded["client_roles_claim"] == "resource_access"
    assert loaded["groups_claim"] == "groups" and loaded["require_verified_email"] is True


@pytest.mark.parametrize(("field", "value"), [
    ("server_url", "ftp://sso.example.com/"),
    ("realm", "acme/../master"),
    ("scopes", ["email", "profile"]),
    ("scopes", ["openid", "bad scope"]),
    ("groups_claim", "groups..name"),
    ("clock_skew_seconds", 3600),
])
def test_settings_refuse_what_cannot_work(field, value):
    values = {"server_url": "https://sso.example.com/", "realm": "acme", "client_id": "herald", field: value}
    assert field in KeycloakSettings().validate(values)


def test_a_tenant_admin_enables_keycloak_sign_in_and_the_client_secret_stays_write_only(
        seed, api, herald_runtime, idp):
    acme = seed.tenant("acme")
    _, token = seed.user(acme, "admin@acme.test", [("tenant_admin", "root")])
    admin = api(token)
    url = f"tenants/{acme.id}/plugins/sso_keycloak"

    described = admin.get(url).get_json()
    fields = {f["name"]: f for f in described["settings_schema"]["fields"]}
    assert described["enabled"] is False and "keycloak" in str(described["provides"])
    assert fields["client_secret"]["secret"] is True and fields["client_secret"]["required"] is False
    assert fields["server_url"]["required"] is True

    assert admin.patch(url, {"enabled": True}).status_code == 422  # no realm configured yet
    bad = admin.patch(url, {"settings": {"server_url": "not a url", "realm": "", "client_id": "herald",
                                         "unknown": 1}})
    assert bad.status_code == 422 and bad.content_type.startswith("application/problem+json")
    assert {"server_url", "realm", "unknown"} <= set(bad.get_json()["errors"])

    secret = "herald-secret"
    r = admin.patch(url, {"enabled": True, "settings": {
        "server_url": idp.server_url, "realm": REALM, "client_id": "herald", "client_secret": secret}})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["enabled"] is True and r.get_json()["secrets_set"] == ["client_secret"]
    assert secret not in r.get_data(as_text=True) and secret not in admin.get(url).get_data(as_text=True)

    with herald_runtime.db.transaction() as s:
        row = s.query(TenantPlugin).filter_by(tenant_id=acme.id, plugin="sso_keycloak").one()
        assert "client_secret" not in row.settings and secret not in (row.secrets or "")
        provider = herald_runtime.plugins.for_tenant(s, acme.id).instance("herald_auth_providers", "keycloak")
    assert isinstance(provider, KeycloakProvider) and provider.redirects is True
    assert provider.settings["client_secret"] == secret

    # the tenant's provider, with the settings Herald stored, signs a person in at the realm
    provider.jwks = JwksCache()
    ctx = SsoContext(tenant_id=acme.id, tenant_slug="acme", base_url="https://herald.test/auth/sso/acme/keycloak",
                     replay=None)  # type: ignore[arg-type]
    start = provider.begin(ctx, None)
    identity = provider.complete(ctx, Browser().sign_in(start.redirect_url, "dana"), start.state)
    assert identity.email == "dana@acme.test" and "herald:publisher" in identity.roles


def test_a_tenant_that_has_not_enabled_keycloak_gets_no_keycloak_provider(seed, herald_runtime):
    other = seed.tenant("other")
    with herald_runtime.db.transaction() as s:
        assert herald_runtime.plugins.for_tenant(s, other.id).instance("herald_auth_providers", "keycloak") is None
