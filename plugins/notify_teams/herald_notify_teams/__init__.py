"""Herald notifications in Microsoft Teams: approval requests with a button to decide, SLA
alerts, publication failures and every other kind Herald sends, posted as Adaptive Cards once to
each configured channel (a Workflows webhook, or a legacy connector) that covers the org unit or
inbox team concerned, in its language."""

from __future__ import annotations

from herald.plugins import Notifier, PluginSettings, hookimpl
from herald_notify_teams.notifier import TeamsNotifier
from herald_notify_teams.settings import SETTINGS

HERALD_HOOK_API = "1.3"
HERALD_DEFAULT_ENABLED = False

__all__ = ["TeamsNotifier"]


@hookimpl
def herald_notifiers() -> list[type[Notifier]]:
    return [TeamsNotifier]


@hookimpl
def herald_plugin_settings() -> PluginSettings:
    return SETTINGS
