"""Keycloak / OpenID Connect single sign-on: a redirect auth provider (authorization code flow
with PKCE) configured per tenant."""

from __future__ import annotations

from herald.plugins import AuthProvider, PluginSettings, hookimpl

from .provider import KeycloakProvider, LogoutFailed, SignIn
from .settings import SETTINGS, KeycloakSettings

HERALD_HOOK_API = "1.0"

__all__ = ["KeycloakProvider", "KeycloakSettings", "LogoutFailed", "SignIn"]


@hookimpl
def herald_auth_providers() -> list[type[AuthProvider]]:
    """When a tenant that enabled this plugin signs people in or lists sign-in options: the
    Keycloak provider (key ``keycloak``)."""
    return [KeycloakProvider]


@hookimpl
def herald_plugin_settings() -> PluginSettings:
    """When a tenant admin views or changes this plugin's configuration, and when the provider
    is instantiated: the settings schema, with ``client_secret`` secret."""
    return SETTINGS
