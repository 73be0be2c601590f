"""The Teams notifier: a channel notifier, so Herald hands it each notification once and it
posts to every configured channel that covers it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar

from herald.plugins import Notification, Notifier, PermanentError
from herald.plugins.notification_channels import Channel, configured, reached
from herald_notify_teams.card import teams_message
from herald_notify_teams.webhook import post


class TeamsNotifier(Notifier):
    """Posts Herald's notifications to Microsoft Teams channels through their Workflows (or
    connector) webhooks."""

    key = "teams"
    display_name = "Microsoft Teams"
    audience: ClassVar[str] = "channel"
    #: how waiting is done (tests record the waits instead)
    sleep: Callable[[float], None] = staticmethod(time.sleep)

    def _channels(self) -> dict[str, Channel]:
        return {c.name: c for c in configured(self.settings)}

    def destinations(self, notification: Notification) -> list[str]:
        scope = notification.scope
        if scope is None:
            return []
        return reached(self._channels().values(), notification.kind, scope.org_unit_ids, scope.team_ids)

    def notify(self, notification: Notification) -> None:
        name = notification.destination or ""
        channel = self._channels().get(name)
        if channel is None:  # removed from the settings since the notification was queued
            raise PermanentError(f"The Teams channel {name} is no longer configured.", code="channel_removed")
        s = self.settings
        post(s["webhook_urls"][name], teams_message(notification, channel.language), channel=name,
             timeout=float(s.get("timeout_seconds", 10.0)), min_interval=float(s.get("min_interval_seconds", 0.25)),
             max_wait=float(s.get("max_wait_seconds", 30.0)), sleep=self.sleep)
