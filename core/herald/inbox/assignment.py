"""Assigning conversations to teams and people, by hand or automatically inside a team.

Automatic assignment gives a conversation to a member of its team who is not away and who may
read it: ``round_robin`` takes the members in turn, ``least_open`` the one with the fewest open
conversations (ties in turn). The team row is locked while choosing, so two conversations
arriving at once do not both go to the same "next" person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from herald.authz.actor import Actor
from herald.clock import utcnow
from herald.events.bus import emit
from herald.inbox import timeline
from herald.inbox.access import can_on
from herald.inbox.models import Conversation, Team, TeamMember
from herald.inbox.notify import notify_people
from herald.people.models import User


def available_members(session: Session, team: Team, conv: Conversation, now: datetime) -> list[str]:
    """Members who can take ``conv`` now, in a stable order."""
    rows = session.execute(select(TeamMember, User).join(User, User.id == TeamMember.user_id)
                           .where(TeamMember.team_id == team.id).order_by(TeamMember.user_id)).all()
    found = []
    for member, user in rows:
        away = member.away and (member.away_until is None or member.away_until > now)
        if away or not user.active:
            continue
        if can_on(session, Actor(user.id, user.tenant_id, user.email), "inbox.read", conv):
            found.append(user.id)
    return found


def choose(session: Session, team: Team, conv: Conversation, now: datetime | None = None) -> str | None:
    """The member automatic assignment picks (None: manual team, or nobody available)."""
    if team.assignment not in ("round_robin", "least_open"):
        return None
    now = now or utcnow()
    team = session.get(Team, team.id, with_for_update=True) or team
    members = available_members(session, team, conv, now)
    if not members:
        return None
    after = team.last_assigned_user_id
    turn = members[members.index(after) + 1:] + members[:members.index(after) + 1] if after in members else members
    if team.assignment == "least_open":
        session.flush()  # count the assignments made earlier in this transaction too (a page taken in)
        counts = dict(session.execute(
            select(Conversation.assignee_id, func.count()).where(
                Conversation.tenant_id == conv.tenant_id, Conversation.assignee_id.in_(members),
                Conversation.status.in_(("open", "pending")), Conversation.id != conv.id)
            .group_by(Conversation.assignee_id)).all())
        least = min(counts.get(m, 0) for m in members)
        turn = [m for m in turn if counts.get(m, 0) == least]
    chosen = turn[0]
    team.last_assigned_user_id = chosen
    return chosen


def assign(session: Session, actor: Actor | None, conv: Conversation, *, team_id: str | object | None = ...,
           assignee_id: str | object | None = ..., reason: str = "") -> bool:
    """Set the team and/or the person (``...``: leave as is; None: clear); audit it, put it on
    the timeline, emit ``conversation.assigned`` and tell the new assignee. True if changed."""
    before = {"team_id": conv.team_id, "assignee_id": conv.assignee_id}
    if team_id is not ...:
        conv.team_id = team_id  # type: ignore[assignment]
    if assignee_id is not ...:
        conv.assignee_id = assignee_id  # type: ignore[assignment]
    after = {"team_id": conv.team_id, "assignee_id": conv.assignee_id}
    if after == before:
        return False
    timeline.record(session, actor, conv, "assigned", "conversation.assigned", before=before, after=after,
                    reason=reason)
    emit(session, conv.tenant_id, "conversation.assigned", {
        "conversation_id": conv.id, **after, "previous": before, "reason": reason,
        "by": actor.user_id if actor else None})
    if conv.assignee_id and conv.assignee_id != before["assignee_id"] and (
            actor is None or actor.user_id != conv.assignee_id):
        notify_people(session, conv, [conv.assignee_id], "conversation.assigned",
                      "A conversation was assigned to you", conv.preview)
    return True


def auto_assign(session: Session, conv: Conversation, reason: str) -> bool:
    """Give the conversation to a member of its team, if the team assigns automatically."""
    team = session.get(Team, conv.team_id) if conv.team_id else None
    if team is None:
        return False
    chosen = choose(session, team, conv)
    return chosen is not None and assign(session, None, conv, assignee_id=chosen, reason=reason)
