"""The in-app notification inbox every user has in the console and API."""

from __future__ import annotations

from herald.notifications.models import InAppNotification
from herald.plugins import Notification, Notifier, hookimpl

HERALD_HOOK_API = "1.0"


class InAppNotifier(Notifier):
    key = "inapp"
    display_name = "In-app inbox"

    def notify(self, notification: Notification) -> None:
        from herald.runtime import current

        with current().db.transaction() as session:
            session.add(InAppNotification(
                tenant_id=notification.tenant_id, recipient_id=notification.recipient_id,
                kind=notification.kind, title=notification.title, body=notification.body,
                link=notification.link, data=notification.data,
            ))


@hookimpl(trylast=True)
def herald_notifiers() -> list[type[Notifier]]:
    return [InAppNotifier]
