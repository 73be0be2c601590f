"""Mastodon for Herald, on any instance: registers the app with the instance, connects accounts
with OAuth 2.0 (authorization code + PKCE), publishes statuses (media, content warnings,
visibility, threads) once per Idempotency-Key, reconciles uncertain attempts, deletes, reads
metrics, mentions and direct messages (conversations), and answers them."""

from __future__ import annotations

from herald.plugins import NetworkConnector, PluginSettings, hookimpl
from herald_network_mastodon.connector import MastodonConnector
from herald_network_mastodon.settings import SETTINGS, MastodonSettings

HERALD_HOOK_API = "1.4"

__all__ = ["MastodonConnector", "MastodonSettings"]


@hookimpl
def herald_network_connectors() -> list[type[NetworkConnector]]:
    return [MastodonConnector]


@hookimpl
def herald_plugin_settings() -> PluginSettings:
    return SETTINGS
