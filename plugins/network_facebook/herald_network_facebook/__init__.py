"""Facebook Pages connector: text, link, photo and multi-photo posts through the Graph API,
look-ups after uncertain outcomes, delete, comments and Messenger conversations for the inbox,
replies, post insights, Page tokens derived from the user token, and a signed webhook callback
that records ``facebook.*`` domain events."""

from __future__ import annotations

from typing import TYPE_CHECKING

from herald.plugins import NetworkConnector, PluginSettings, hookimpl
from herald_network_facebook.connector import FacebookConnector
from herald_network_facebook.settings import SETTINGS

if TYPE_CHECKING:
    from flask import Flask

HERALD_HOOK_API = "1.4"

__all__ = ["FacebookConnector"]


@hookimpl
def herald_network_connectors() -> list[type[NetworkConnector]]:
    return [FacebookConnector]


@hookimpl
def herald_plugin_settings() -> PluginSettings:
    return SETTINGS


@hookimpl
def herald_app_created(app: Flask) -> None:
    from herald_network_facebook.webhooks import bp

    app.register_blueprint(bp)
