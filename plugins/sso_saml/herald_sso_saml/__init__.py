"""SAML 2.0 single sign-on: a per-tenant service provider for the tenant's identity provider."""

from __future__ import annotations

from herald.plugins import AuthProvider, PluginSettings, hookimpl
from herald_sso_saml.provider import SamlProvider
from herald_sso_saml.settings import SamlSettings

HERALD_HOOK_API = "1.0"

__all__ = ["HERALD_HOOK_API", "SamlProvider", "SamlSettings"]


@hookimpl
def herald_plugin_settings() -> PluginSettings:
    return PluginSettings(SamlSettings, secret_fields=("sp_private_key_pem",))


@hookimpl
def herald_auth_providers() -> list[type[AuthProvider]]:
    return [SamlProvider]
