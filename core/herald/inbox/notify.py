"""Telling people about a conversation (an @mention in a note, an SLA alert, an assignment)
through every notifier the tenant enabled: in-app, email and the notifier plugins."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.inbox.models import Conversation
from herald.notifications.notifier import Notification
from herald.notifications.send import send
from herald.people.models import User

log = logging.getLogger(__name__)


def notify_people(session: Session, conv: Conversation, user_ids: Iterable[str], kind: str, title: str,
                  body: str = "") -> int:
    """Notify the active users among ``user_ids`` of the conversation's tenant; returns how many."""
    ids = sorted(set(user_ids))
    if not ids:
        return 0
    users = session.execute(select(User).where(User.id.in_(ids), User.tenant_id == conv.tenant_id)).scalars().all()
    count = 0
    for user in users:
        if not user.active:
            continue
        try:
            send(session, Notification(tenant_id=conv.tenant_id, recipient_id=user.id, recipient_email=user.email,
                                       kind=kind, title=title, body=body[:500], link=f"/console/inbox/{conv.id}",
                                       data={"conversation_id": conv.id}))
            count += 1
        except Exception:  # a notification never undoes the change it is about
            log.exception("could not notify %s about conversation %s", user.id, conv.id)
    return count
