"""LinkedIn organisation pages for Herald: connects a page with OAuth 2.0 (three-legged, refresh
tokens), publishes text, images and documents through the Posts API, looks posts up after an
uncertain attempt, deletes them, reads the page's comments into the inbox and answers them, and
reads share statistics. LinkedIn has no direct messages for pages."""

from __future__ import annotations

from herald.plugins import NetworkConnector, PluginSettings, hookimpl
from herald_network_linkedin.connector import LinkedInConnector
from herald_network_linkedin.settings import SETTINGS, LinkedInSettings

HERALD_HOOK_API = "1.1"

__all__ = ["LinkedInConnector", "LinkedInSettings"]


@hookimpl
def herald_network_connectors() -> list[type[NetworkConnector]]:
    return [LinkedInConnector]


@hookimpl
def herald_plugin_settings() -> PluginSettings:
    return SETTINGS
