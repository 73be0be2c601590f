"""Sending a notification: every notifier the tenant enabled gets it, each as its own job."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy.orm import Session

from herald.notifications.notifier import Notification
from herald.queue.base import Job
from herald.runtime import current


def send(session: Session, notification: Notification, channels: tuple[str, ...] | None = None) -> int:
    """Queue one delivery job per enabled notifier (only those in ``channels`` when given, e.g.
    ``("email",)`` for a sign-in link that must not sit in an inbox); returns how many."""
    rt = current()
    hooks = rt.plugins.for_tenant(session, notification.tenant_id)
    keys = [cls.key for cls in hooks.classes("herald_notifiers") if channels is None or cls.key in channels]
    for key in keys:
        rt.queue.enqueue(Job("herald.notifications.send.deliver", (key, asdict(notification))))
    return len(keys)


def deliver(notifier_key: str, data: dict[str, Any]) -> None:
    rt = current()
    notification = Notification(**data)
    with rt.db.transaction() as session:
        notifier = rt.plugins.for_tenant(session, notification.tenant_id).instance("herald_notifiers", notifier_key)
    if notifier is not None:
        notifier.notify(notification)  # type: ignore[attr-defined]
