"""Instagram Graph API connector: publishing (image, carousel, reel, story) through media
containers, look-ups after uncertain outcomes, comments, tags, direct messages, replies and
private replies, insights, long-lived tokens, and a signed webhook callback that turns Meta's
deliveries into ``instagram.*`` domain events the inbox reads back as items."""

from __future__ import annotations

from typing import TYPE_CHECKING

from herald.plugins import NetworkConnector, PluginSettings, hookimpl
from herald_network_instagram.connector import InstagramConnector
from herald_network_instagram.graph import Usage
from herald_network_instagram.settings import SETTINGS, InstagramSettings

if TYPE_CHECKING:
    from flask import Flask

HERALD_HOOK_API = "1.1"

__all__ = ["InstagramConnector", "InstagramSettings", "Usage"]


@hookimpl
def herald_network_connectors() -> list[type[NetworkConnector]]:
    return [InstagramConnector]


@hookimpl
def herald_plugin_settings() -> PluginSettings:
    return SETTINGS


@hookimpl
def herald_app_created(app: Flask) -> None:
    from herald_network_instagram.webhooks import bp

    app.register_blueprint(bp)
