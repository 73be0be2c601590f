"""A person's in-app notifications: list (newest first), count the unread, mark read.

A person only ever reaches their own: every query is scoped to the actor's user id and tenant,
and a notification of anyone else answers "not found", exactly like one that does not exist."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from herald.api.pagination import Page, paginate
from herald.authz import Actor
from herald.clock import utcnow
from herald.errors import NotFound
from herald.notifications.models import InAppNotification


def _mine(actor: Actor) -> list[ColumnElement[bool]]:
    conds = [InAppNotification.recipient_id == actor.user_id]
    if actor.tenant_id is not None:
        conds.append(InAppNotification.tenant_id == actor.tenant_id)
    return conds


def list_notifications(session: Session, actor: Actor, *, unread_only: bool, limit: int,
                       cursor: str | None) -> Page:
    stmt = select(InAppNotification).where(*_mine(actor))
    if unread_only:
        stmt = stmt.where(InAppNotification.read_at.is_(None))
    return paginate(session, stmt, [InAppNotification.created_at, InAppNotification.id], limit, cursor,
                    descending=True)


def unread_count(session: Session, actor: Actor) -> int:
    """How many of the actor's notifications are unread (one query on the partial index)."""
    return int(session.execute(select(func.count()).select_from(InAppNotification).where(
        *_mine(actor), InAppNotification.read_at.is_(None))).scalar_one())


def get_notification(session: Session, actor: Actor, notification_id: str) -> InAppNotification:
    found = session.execute(select(InAppNotification).where(
        InAppNotification.id == notification_id[:40], *_mine(actor))).scalar_one_or_none()
    if found is None:
        raise NotFound("No such notification.")
    return found


def mark_read(session: Session, actor: Actor, notification_id: str) -> InAppNotification:
    """Mark one of the actor's notifications read (already read: unchanged)."""
    found = get_notification(session, actor, notification_id)
    if found.read_at is None:
        found.read_at = utcnow()
        session.flush()
    return found


def mark_all_read(session: Session, actor: Actor) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    result: Any = session.execute(update(InAppNotification).where(
        *_mine(actor), InAppNotification.read_at.is_(None)).values(read_at=utcnow())
        .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)
