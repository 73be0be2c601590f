"""Triage: status, snooze, priority, tags, spam, internal notes — one conversation or many.

Statuses: open → pending (waiting on the customer; the SLA clock stops) → resolved; a new
inbound message reopens a pending or resolved conversation. Marking a conversation as spam
marks its author: their future items arrive hidden (status "spam") until unmarked. Every change
is audited and on the timeline."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from herald.authz.actor import Actor
from herald.clock import utcnow
from herald.errors import ValidationFailed
from herald.events.bus import emit
from herald.inbox import assignment, sla, timeline
from herald.inbox.access import require_on
from herald.inbox.models import PRIORITIES, STATUSES, Conversation, InboxAuthor
from herald.inbox.notify import notify_people
from herald.people.models import User

MENTION_RE = re.compile(r"(?<![\w.])@([\w.+-]+@[\w-]+(?:\.[\w-]+)+|[\w.-]+)")


def set_status(session: Session, actor: Actor | None, conv: Conversation, status: str,
               now: datetime | None = None) -> bool:
    if status not in STATUSES:
        raise ValidationFailed(f"Unknown status {status!r}.", {"status": [f"One of: {', '.join(STATUSES)}."]})
    if actor is not None:
        require_on(session, actor, "inbox.reply", conv)
    now = now or utcnow()
    before = conv.status
    if before == status:
        return False
    conv.status = status
    if before == "pending":
        sla.resumed(session, conv, now)
    if status == "pending":
        sla.paused(session, conv, now)
    elif status == "resolved":
        sla.resolved(session, conv, now)
        conv.resolved_at = now
        conv.snoozed_until = None
    elif status == "open" and before in ("resolved", "spam"):
        conv.resolved_at = None
        sla.refresh(session, conv, now)
    if status == "spam":
        conv.sla_check_at = None
    timeline.record(session, actor, conv, "status", "conversation.status_changed", before={"status": before},
                    after={"status": status})
    if status == "resolved":
        emit(session, conv.tenant_id, "conversation.resolved", {
            "conversation_id": conv.id, "by": actor.user_id if actor else None, "team_id": conv.team_id,
            "assignee_id": conv.assignee_id, "sla_state": conv.sla_state})
    return True


def snooze(session: Session, actor: Actor, conv: Conversation, until: datetime | None) -> None:
    """Hide the conversation from open views until ``until`` (None: wake it now)."""
    require_on(session, actor, "inbox.reply", conv)
    if until is not None and until <= utcnow():
        raise ValidationFailed("A snooze ends in the future.", {"until": ["Give a time in the future."]})
    before = conv.snoozed_until
    conv.snoozed_until = until
    timeline.record(session, actor, conv, "snoozed", "conversation.snoozed",
                    before={"snoozed_until": before.isoformat() if before else None},
                    after={"snoozed_until": until.isoformat() if until else None})


def set_priority(session: Session, actor: Actor, conv: Conversation, priority: str) -> None:
    require_on(session, actor, "inbox.reply", conv)
    if priority not in PRIORITIES:
        raise ValidationFailed(f"Unknown priority {priority!r}.", {"priority": [f"One of: {', '.join(PRIORITIES)}."]})
    if conv.priority == priority:
        return
    before = conv.priority
    conv.priority = priority
    sla.refresh(session, conv)
    timeline.record(session, actor, conv, "priority", "conversation.priority_changed", before={"priority": before},
                    after={"priority": priority})


def change_tags(session: Session, actor: Actor, conv: Conversation, add: list[str], remove: list[str]) -> None:
    require_on(session, actor, "inbox.reply", conv)
    before = list(conv.tags or [])
    tags = [t for t in before if t not in set(remove)]
    tags += [t for t in add if t not in tags]
    if tags == before:
        return
    conv.tags = tags
    timeline.record(session, actor, conv, "tags", "conversation.tags_changed", before={"tags": before},
                    after={"tags": tags})


def mark_spam(session: Session, actor: Actor, conv: Conversation, spam: bool) -> None:
    """Mark (or unmark) the conversation and its author as spam."""
    require_on(session, actor, "inbox.reply", conv)
    author = session.get(InboxAuthor, conv.author_id) if conv.author_id else None
    if author is not None and author.spam != spam:
        author.spam = spam
        timeline.record(session, actor, conv, "spam", "inbox_author.spam_changed", before={"spam": not spam},
                        after={"spam": spam, "author_id": author.id})
    set_status(session, actor, conv, "spam" if spam else "open")


def add_note(session: Session, actor: Actor, conv: Conversation, text: str) -> dict[str, Any]:
    """An internal note; every @person in it (by email or by the part before the @) is told."""
    require_on(session, actor, "inbox.reply", conv)
    text = text.strip()
    if not text:
        raise ValidationFailed("A note needs text.", {"text": ["Write something."]})
    mentioned = _mentioned_users(session, conv.tenant_id, text)
    entry = timeline.record(session, actor, conv, "note", "conversation.note_added",
                            after={"text": text, "mentions": [u.id for u in mentioned]})
    notify_people(session, conv, [u.id for u in mentioned if u.id != actor.user_id], "conversation.mentioned",
                  f"{actor.label} mentioned you in a note", text)
    return {"id": entry.id, "text": text, "mentions": [u.id for u in mentioned]}


def _mentioned_users(session: Session, tenant_id: str, text: str) -> list[User]:
    names = {m.group(1).lower().rstrip(".") for m in MENTION_RE.finditer(text)}
    if not names:
        return []
    users = session.execute(select(User).where(User.tenant_id == tenant_id)).scalars().all()
    return [u for u in users if u.email.lower() in names or u.email.lower().split("@")[0] in names]


def wake_snoozed(session: Session, now: datetime | None = None) -> int:
    """Snoozes that ended: the conversation shows again (and its timeline says so)."""
    now = now or utcnow()
    rows = session.execute(select(Conversation).where(Conversation.snoozed_until <= now).limit(500)
                           .with_for_update(skip_locked=True)).scalars().all()
    for conv in rows:
        timeline.add(session, conv, "snoozed", at=now, snoozed_until=None, reason="the snooze ended")
        conv.snoozed_until = None
    return len(rows)


# ----------------------------------------------------------------------------- bulk
BULK_ACTIONS = ("status", "assign", "tags", "priority", "spam", "snooze")


def bulk(session: Session, actor: Actor, conversations: list[Conversation], action: str,
         params: dict[str, Any]) -> dict[str, Any]:
    """One action on many conversations: all or nothing. A conversation the actor may not change
    fails the whole request (with which one), so a bulk action never half-applies."""
    done = 0
    for conv in conversations:
        if action == "status":
            done += bool(set_status(session, actor, conv, params["status"]))
        elif action == "priority":
            set_priority(session, actor, conv, params["priority"])
            done += 1
        elif action == "tags":
            change_tags(session, actor, conv, params.get("add", []), params.get("remove", []))
            done += 1
        elif action == "spam":
            mark_spam(session, actor, conv, bool(params.get("spam", True)))
            done += 1
        elif action == "snooze":
            snooze(session, actor, conv, params.get("until"))
            done += 1
        elif action == "assign":
            require_on(session, actor, "inbox.assign", conv)
            changes = {k: params[k] for k in ("team_id", "assignee_id") if k in params}
            done += assignment.assign(session, actor, conv, **changes)
    return {"matched": len(conversations), "changed": done}


def touch(session: Session, conv_ids: list[str]) -> None:
    """Bump ``updated_at`` (the console's live refresh watches it)."""
    if conv_ids:
        session.execute(update(Conversation).where(Conversation.id.in_(conv_ids)).values(updated_at=utcnow()))
