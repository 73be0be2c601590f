"""Sending a notification: every notifier the tenant enabled gets it, each as its own job,
except the channels over which the recipient turned this kind off (their preferences are read
here, once, so every notifier — built-in or from a plugin — honours them alike).

A channel notifier (``audience = "channel"``: Slack, Teams…) posts where many people read, so it
gets each notification once, not once per recipient: a sender notifying five reviewers in one
transaction queues one channel job. That job places the notification in the tenant
(:mod:`herald.notifications.scope`), asks the notifier which of its destinations want it, and
queues one delivery per destination, so a retry repeats only the destination that failed.

Jobs are queued when the caller's transaction commits, never before: a change that rolls back
(a refused decision, a failed save) notifies nobody about something that did not happen."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, replace
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from herald.networks.errors import PermanentError
from herald.notifications.kinds import REQUIRED
from herald.notifications.notifier import Notification
from herald.notifications.preferences import turned_off
from herald.notifications.scope import page_url, scope_of
from herald.outbound import OutboundRefused
from herald.queue.base import Job
from herald.runtime import current

_KEY = "herald_pending_notifications"
_CHANNEL_SEEN = "herald_pending_channel_notifications"
_DELIVER = "herald.notifications.send.deliver"
log = logging.getLogger(__name__)


def _event_of(key: str, notification: Notification) -> str:
    """What makes two recipients' notifications one event for a channel notifier."""
    n = notification
    return json.dumps([key, n.tenant_id, n.kind, n.title, n.body, n.link, n.data], sort_keys=True, default=str)


def send(session: Session, notification: Notification, channels: tuple[str, ...] | None = None) -> int:
    """Queue one delivery job per enabled notifier (only those in ``channels`` when given, e.g.
    ``("email",)`` for a sign-in link that must not sit in an inbox), less those over which the
    recipient turned ``notification.kind`` off, and less the channel notifiers already queued
    for the same event in this transaction; returns how many."""
    rt = current()
    hooks = rt.plugins.for_tenant(session, notification.tenant_id)
    classes = [cls for cls in hooks.classes("herald_notifiers") if channels is None or cls.key in channels]
    personal = [cls.key for cls in classes if getattr(cls, "audience", "person") != "channel"]
    shared = [cls.key for cls in classes if getattr(cls, "audience", "person") == "channel"
              and notification.kind not in REQUIRED]
    if personal:
        off = turned_off(session, notification.recipient_id, notification.kind)
        personal = [key for key in personal if key not in off]
    seen: set[str] = session.info.setdefault(_CHANNEL_SEEN, set())
    fresh = [key for key in shared if _event_of(key, notification) not in seen]
    seen.update(_event_of(key, notification) for key in fresh)
    pending = session.info.setdefault(_KEY, [])
    for key in personal:
        pending.append(Job(_DELIVER, (key, asdict(notification))))
    # a shared channel's message is for nobody in particular: no recipient's address goes with it
    for key in fresh:
        pending.append(Job(_DELIVER, (key, asdict(replace(notification, recipient_id="", recipient_email="")))))
    return len(personal) + len(fresh)


@sa_event.listens_for(Session, "after_commit")
def _queue_after_commit(session: Session) -> None:
    pending: list[Job] = session.info.pop(_KEY, [])
    session.info.pop(_CHANNEL_SEEN, None)
    if pending:
        queue = current().queue
        for job in pending:
            queue.enqueue(job)


@sa_event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_KEY, None)
    session.info.pop(_CHANNEL_SEEN, None)


def deliver(notifier_key: str, data: dict[str, Any]) -> None:
    rt = current()
    notification = Notification.from_job(data)
    with rt.db.transaction() as session:
        notifier = rt.plugins.for_tenant(session, notification.tenant_id).instance("herald_notifiers", notifier_key)
        if notifier is not None and getattr(notifier, "audience", "person") == "channel" \
                and notification.destination is None:
            notification = replace(notification, scope=scope_of(session, notification),
                                   page_url=page_url(notification, rt.settings.public_url))
    if notifier is None:
        return
    if getattr(notifier, "audience", "person") == "channel" and notification.destination is None:
        for destination in dict.fromkeys(notifier.destinations(notification)):  # type: ignore[attr-defined]
            rt.queue.enqueue(Job(_DELIVER, (notifier_key, asdict(replace(notification, destination=destination)))))
        return
    try:
        notifier.notify(notification)  # type: ignore[attr-defined]
    except OutboundRefused as exc:  # the operator's policy refuses the destination: retrying cannot help
        log.warning("notifier %s refused for tenant %s: %s", notifier_key, notification.tenant_id, exc.detail)
    except PermanentError as exc:  # the service refused this delivery for good: report it, do not retry
        log.warning("notifier %s could not deliver %s to %r for tenant %s and will not retry: %s (%s)",
                    notifier_key, notification.kind, notification.destination, notification.tenant_id,
                    exc.message, exc.code or exc.status)
