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
    return [KeycloakProvider]


@hookimpl
def herald_plugin_settings() -> PluginSettings:
    return SETTINGS
