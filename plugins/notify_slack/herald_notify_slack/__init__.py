"""Herald notifications in Slack: approval requests with a button to decide, SLA alerts,
publication failures and every other kind Herald sends, posted once to each configured channel
(an incoming webhook) that covers the org unit or inbox team concerned, in its language."""

from __future__ import annotations

from herald.plugins import Notifier, PluginSettings, hookimpl
from herald_notify_slack.notifier import SlackNotifier
from herald_notify_slack.settings import SETTINGS

HERALD_HOOK_API = "1.3"
HERALD_DEFAULT_ENABLED = False

__all__ = ["SlackNotifier"]


@hookimpl
def herald_notifiers() -> list[type[Notifier]]:
    return [SlackNotifier]


@hookimpl
def herald_plugin_settings() -> PluginSettings:
    return SETTINGS
