"""X (Twitter) API v2 for Herald: validates posts as X counts them, connects accounts with
OAuth 2.0 + PKCE, publishes (text, threads, replies, quotes, media), reconciles uncertain
attempts, deletes, reads metrics, mentions, recent search and direct messages, and answers
mentions and messages (sent once, looked up again after an uncertain send)."""

from __future__ import annotations

from herald.plugins import NetworkConnector, PluginSettings, hookimpl
from herald_network_x.connector import XConnector
from herald_network_x.ratelimit import RateLimitStatus
from herald_network_x.settings import SETTINGS, XSettings
from herald_network_x.text import weighted_length

HERALD_HOOK_API = "1.1"

__all__ = ["RateLimitStatus", "XConnector", "XSettings", "weighted_length"]


@hookimpl
def herald_network_connectors() -> list[type[NetworkConnector]]:
    return [XConnector]


@hookimpl
def herald_plugin_settings() -> PluginSettings:
    return SETTINGS
