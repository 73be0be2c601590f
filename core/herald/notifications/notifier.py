"""The notifier interface: deliver one notification to one person — or, for a channel notifier
(Slack, Teams…), once to each shared channel that wants it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from herald.plugin_host.bound import TenantBound


@dataclass(frozen=True)
class NotificationScope:
    """Where in the tenant a notification belongs, for a channel notifier to choose the channels
    that cover it. ``org_unit_ids``: the org unit it concerns first (a post's unit, the unit of a
    conversation's or social account's account), then that unit's ancestors up to the root; a
    notification about nothing in the tree belongs to the tenant's root unit. ``team_ids``: the
    inbox teams it concerns (a conversation's team)."""

    org_unit_ids: tuple[str, ...] = ()
    team_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Notification:
    """One message Herald sends. ``scope``, ``page_url`` and ``destination`` are filled in by
    Herald when it hands the notification to a channel notifier; senders leave them out."""

    tenant_id: str
    recipient_id: str
    recipient_email: str
    kind: str  # e.g. "approval.due", "publication.failed"
    title: str
    body: str = ""
    link: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    scope: NotificationScope | None = None
    #: the full address of the console page the notification is about (None without HERALD_PUBLIC_URL)
    page_url: str | None = None
    #: the channel this delivery is for, one of what :meth:`Notifier.destinations` returned
    destination: str | None = None

    @classmethod
    def from_job(cls, data: dict[str, Any]) -> Notification:
        """The notification a job carries (:func:`dataclasses.asdict` made it plain data)."""
        values = dict(data)
        scope = values.pop("scope", None)
        if isinstance(scope, dict):
            values["scope"] = NotificationScope(tuple(scope.get("org_unit_ids") or ()),
                                                tuple(scope.get("team_ids") or ()))
        return cls(**values)


class Notifier(TenantBound):
    """A notification channel. ``audience = "person"`` (the default): Herald calls
    :meth:`notify` once per recipient, minus the recipients who turned the kind off here.
    ``audience = "channel"``: the notifier posts to destinations shared by many people (a chat
    channel), so Herald hands it each notification once, whoever its recipients are: it calls
    :meth:`destinations` with the notification's ``scope`` filled in, then :meth:`notify` once
    per destination named (each its own job, so a retry never repeats another destination).
    A channel's notification carries no recipient (``recipient_id`` and ``recipient_email`` are
    empty). Channel notifiers are not offered on people's preferences and never get the
    messages meant for one person alone (invitations, password-reset links)."""

    audience: ClassVar[str] = "person"

    def destinations(self, notification: Notification) -> list[str]:
        """Channel notifiers: the names of the destinations that want ``notification``."""
        return []

    def notify(self, notification: Notification) -> None:
        """Deliver it. Raise to have Herald retry later (with backoff); raise
        :class:`herald.plugins.PermanentError` when retrying cannot help: Herald reports it to
        the tenant's audit log and does not retry."""
        raise NotImplementedError
