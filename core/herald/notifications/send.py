"""Sending a notification: every notifier the tenant enabled gets it, each as its own job,
except the channels over which the recipient turned this kind off (their preferences are read
here, once, so every notifier — built-in or from a plugin — honours them alike).

Jobs are queued when the caller's transaction commits, never before: a change that rolls back
(a refused decision, a failed save) notifies nobody about something that did not happen."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from herald.notifications.notifier import Notification
from herald.notifications.preferences import turned_off
from herald.outbound import OutboundRefused
from herald.queue.base import Job
from herald.runtime import current

_KEY = "herald_pending_notifications"
log = logging.getLogger(__name__)


def send(session: Session, notification: Notification, channels: tuple[str, ...] | None = None) -> int:
    """Queue one delivery job per enabled notifier (only those in ``channels`` when given, e.g.
    ``("email",)`` for a sign-in link that must not sit in an inbox), less those over which the
    recipient turned ``notification.kind`` off; returns how many."""
    rt = current()
    hooks = rt.plugins.for_tenant(session, notification.tenant_id)
    keys = [cls.key for cls in hooks.classes("herald_notifiers") if channels is None or cls.key in channels]
    if keys:
        off = turned_off(session, notification.recipient_id, notification.kind)
        keys = [key for key in keys if key not in off]
    pending = session.info.setdefault(_KEY, [])
    for key in keys:
        pending.append(Job("herald.notifications.send.deliver", (key, asdict(notification))))
    return len(keys)


@sa_event.listens_for(Session, "after_commit")
def _queue_after_commit(session: Session) -> None:
    pending: list[Job] = session.info.pop(_KEY, [])
    if pending:
        queue = current().queue
        for job in pending:
            queue.enqueue(job)


@sa_event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_KEY, None)


def deliver(notifier_key: str, data: dict[str, Any]) -> None:
    rt = current()
    notification = Notification(**data)
    with rt.db.transaction() as session:
        notifier = rt.plugins.for_tenant(session, notification.tenant_id).instance("herald_notifiers", notifier_key)
    if notifier is None:
        return
    try:
        notifier.notify(notification)  # type: ignore[attr-defined]
    except OutboundRefused as exc:  # the operator's policy refuses the destination: retrying cannot help
        log.warning("notifier %s refused for tenant %s: %s", notifier_key, notification.tenant_id, exc.detail)
