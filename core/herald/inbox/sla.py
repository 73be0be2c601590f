"""SLA clocks: first-response and resolution targets, counted in the team's business hours.

A **cycle** starts with the first inbound message of a conversation, and again with the first
inbound message after it was resolved. The clock counts business seconds of the conversation's
team (its IANA zone, weekly hours and holidays; always open without a team), paused while the
conversation is pending (waiting on the customer). Each target is *on track*, *at risk* once
75 % of it has elapsed, *breached* once all of it has, or *met*. Reaching at risk, a breach and
meeting a target are kept as facts (:class:`SlaOutcome`) for reports; at risk and breach also
notify and emit ``sla.at_risk`` / ``sla.breached``.

``sla_check_at`` is the next instant the state can change on its own; the sweep
(:func:`sweep`) looks only at conversations whose instant has come."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.clock import utcnow
from herald.events.bus import emit
from herald.inbox import timeline
from herald.inbox.batch_cache import once
from herald.inbox.business_hours import BusinessHours, due_at, elapsed_excluding
from herald.inbox.models import NOTHING_DUE, Conversation, SlaOutcome, SlaPolicy, Team
from herald.inbox.notify import notify_people
from herald.inbox.store import insert_once

log = logging.getLogger(__name__)

AT_RISK_RATIO = 0.75
#: worse states win when a conversation has two targets running
_RANK = {"none": 0, "met": 1, "paused": 2, "on_track": 3, "at_risk": 4, "breached": 5}


@dataclass(frozen=True)
class Target:
    metric: str  # first_response | resolution
    seconds: int
    due_at: datetime | None  # None: paused
    at_risk_at: datetime | None
    state: str


def policy_for(session: Session, conv: Conversation) -> SlaPolicy | None:
    """The policy the conversation chose, else the most specific one for its team and priority:
    (team, priority), (team, any), (any team, priority), (any, any)."""
    if conv.sla_policy_id:
        chosen = session.get(SlaPolicy, conv.sla_policy_id)
        if chosen is not None and chosen.tenant_id == conv.tenant_id:
            return chosen
    rows = once(session, ("sla_policies", conv.tenant_id), lambda: list(session.execute(
        select(SlaPolicy).where(SlaPolicy.tenant_id == conv.tenant_id)).scalars()))
    best: tuple[int, SlaPolicy] | None = None
    for policy in rows:
        if policy.team_id not in (None, conv.team_id) or policy.priority not in (None, conv.priority):
            continue
        score = (2 if policy.team_id else 0) + (1 if policy.priority else 0)
        if best is None or score > best[0]:
            best = (score, policy)
    return best[1] if best else None


def _team_hours(session: Session, team_id: str | None) -> BusinessHours:
    team = session.get(Team, team_id) if team_id else None
    if team is None or not team.business_hours:  # a team without hours is always open
        return BusinessHours.always()
    return BusinessHours.from_spec(team.time_zone, team.business_hours, team.holidays)


def hours_for(session: Session, conv: Conversation) -> BusinessHours:
    """The business hours the conversation's SLA counts: its team's (always open without one)."""
    team_id = conv.team_id
    return once(session, ("team_hours", team_id), lambda: _team_hours(session, team_id))


def _pauses(conv: Conversation) -> list[tuple[datetime, datetime | None]]:
    return [(datetime.fromisoformat(str(a)), datetime.fromisoformat(str(b)) if b else None)
            for a, b in (conv.sla_pauses or [])]


def targets(session: Session, conv: Conversation, now: datetime) -> list[Target]:
    """The running targets of the current cycle, with their due times and states at ``now``."""
    policy = policy_for(session, conv)
    if policy is None or conv.sla_started_at is None:
        return []
    hours = hours_for(session, conv)
    pauses = _pauses(conv)
    paused = bool(pauses) and pauses[-1][1] is None
    found: list[Target] = []
    for metric, seconds, done in (("first_response", policy.first_response_s, conv.first_responded_at),
                                  ("resolution", policy.resolution_s, conv.resolved_at)):
        if not seconds:
            continue
        if done is not None and (metric == "first_response" or conv.status == "resolved"):
            continue
        elapsed = elapsed_excluding(hours, conv.sla_started_at, now, pauses)
        due = due_at(hours, conv.sla_started_at, seconds, pauses)
        risk = due_at(hours, conv.sla_started_at, seconds * AT_RISK_RATIO, pauses)
        if elapsed >= seconds:
            state = "breached"
        elif elapsed >= seconds * AT_RISK_RATIO:
            state = "at_risk"
        else:
            state = "paused" if paused else "on_track"
        found.append(Target(metric, seconds, due, risk, state))
    return found


def refresh(session: Session, conv: Conversation, now: datetime | None = None) -> None:
    """Bring the conversation's due times, state and next check up to date; record and announce
    what changed (at risk, breached)."""
    now = now or utcnow()
    running = targets(session, conv, now)
    policy_id = conv.sla_policy_id
    for target in running:
        if target.state in ("at_risk", "breached"):
            _outcome(session, conv, target.metric, target.state, target.due_at or now, now,
                     policy_id=policy_id)
        if target.metric == "first_response":
            conv.first_response_due_at = target.due_at
        else:
            conv.resolution_due_at = target.due_at
    dues = [t.due_at for t in running if t.due_at is not None]
    conv.sla_due_at = min(dues) if dues else None
    conv.urgency_at = conv.sla_due_at or NOTHING_DUE
    if running:
        conv.sla_state = max((t.state for t in running), key=lambda s: _RANK[s])
    elif conv.sla_started_at is not None and conv.sla_state not in ("breached",):
        conv.sla_state = "met" if policy_for(session, conv) is not None else "none"
    upcoming = [at for t in running for at in (t.at_risk_at, t.due_at) if at is not None and at > now]
    conv.sla_check_at = min(upcoming) if upcoming else None


def _outcome(session: Session, conv: Conversation, metric: str, outcome: str, due: datetime, now: datetime,
             *, policy_id: str | None, seconds: float | None = None) -> bool:
    """Keep the fact once per (cycle, metric, outcome); announce at risk and breach. True if new."""
    new = insert_once(session, SlaOutcome.__table__, {  # type: ignore[arg-type]
        "tenant_id": conv.tenant_id, "conversation_id": conv.id, "cycle": conv.sla_cycle,
        "team_id": conv.team_id, "policy_id": policy_id, "priority": conv.priority, "metric": metric,
        "outcome": outcome, "due_at": due, "at": now, "business_seconds": seconds,
    }, ["conversation_id", "cycle", "metric", "outcome"])
    if new is None:
        return False
    timeline.add(session, conv, "sla", at=now, metric=metric, outcome=outcome, due_at=due.isoformat())
    if outcome in ("at_risk", "breached"):
        emit(session, conv.tenant_id, f"sla.{outcome}", {
            "conversation_id": conv.id, "metric": metric, "due_at": due.isoformat(), "team_id": conv.team_id,
            "assignee_id": conv.assignee_id, "priority": conv.priority, "account_id": conv.account_id})
        what = "first response" if metric == "first_response" else "resolution"
        title = (f"SLA at risk: {what} due {due.strftime('%Y-%m-%d %H:%M')} UTC" if outcome == "at_risk"
                 else f"SLA breached: {what} was due {due.strftime('%Y-%m-%d %H:%M')} UTC")
        notify_people(session, conv, _watchers(session, conv), f"sla.{outcome}", title, conv.preview)
    return True


def _watchers(session: Session, conv: Conversation) -> list[str]:
    """Who hears about the SLA: the assignee, else the team's members."""
    if conv.assignee_id:
        return [conv.assignee_id]
    if conv.team_id:
        from herald.inbox.models import TeamMember

        return list(session.execute(select(TeamMember.user_id).where(TeamMember.team_id == conv.team_id)).scalars())
    return []


# ----------------------------------------------------------------------------- lifecycle
def start_cycle(session: Session, conv: Conversation, at: datetime) -> None:
    """A new cycle from the first inbound message ``at`` (a new or reopened conversation)."""
    conv.sla_cycle = (conv.sla_cycle or 0) + 1
    conv.sla_started_at = at
    conv.first_responded_at = None
    conv.first_response_due_at = None
    conv.resolution_due_at = None
    conv.resolved_at = None
    conv.sla_pauses = []
    conv.sla_state = "none"
    refresh(session, conv, max(at, utcnow()))


def responded(session: Session, conv: Conversation, at: datetime) -> None:
    """The first answer of this cycle went out ``at`` (from Herald or on the network)."""
    if conv.sla_started_at is None or conv.first_responded_at is not None or at < conv.sla_started_at:
        return
    _finish(session, conv, "first_response", at)
    conv.first_responded_at = at
    refresh(session, conv)


def resolved(session: Session, conv: Conversation, at: datetime) -> None:
    if conv.sla_started_at is None:
        return
    _close_pause(conv, at)
    _finish(session, conv, "resolution", at)
    conv.resolved_at = at
    refresh(session, conv, at)


def _finish(session: Session, conv: Conversation, metric: str, at: datetime) -> None:
    policy = policy_for(session, conv)
    seconds = getattr(policy, f"{metric}_s", None) if policy else None
    if not seconds:
        return
    hours = hours_for(session, conv)
    pauses = _pauses(conv)
    elapsed = elapsed_excluding(hours, conv.sla_started_at, at, pauses)  # type: ignore[arg-type]
    due = due_at(hours, conv.sla_started_at, seconds, pauses) or at  # type: ignore[arg-type]
    if elapsed < seconds:
        _outcome(session, conv, metric, "met", due, at, policy_id=policy.id if policy else None, seconds=elapsed)
    else:
        _outcome(session, conv, metric, "breached", due, at, policy_id=policy.id if policy else None,
                 seconds=elapsed)


def paused(session: Session, conv: Conversation, at: datetime) -> None:
    """The conversation waits on the customer: the clock stops."""
    pauses = list(conv.sla_pauses or [])
    if conv.sla_started_at is None or (pauses and pauses[-1][1] is None):
        return
    conv.sla_pauses = [*pauses, [at.isoformat(), None]]
    refresh(session, conv, at)


def resumed(session: Session, conv: Conversation, at: datetime) -> None:
    if _close_pause(conv, at):
        refresh(session, conv, at)


def _close_pause(conv: Conversation, at: datetime) -> bool:
    pauses = list(conv.sla_pauses or [])
    if not pauses or pauses[-1][1] is not None:
        return False
    pauses[-1] = [pauses[-1][0], at.isoformat()]
    conv.sla_pauses = pauses
    return True


def sweep(session: Session, now: datetime | None = None, limit: int = 500) -> int:
    """Refresh the conversations whose next SLA instant has come; returns how many."""
    now = now or utcnow()
    rows = session.execute(select(Conversation).where(Conversation.sla_check_at <= now)
                           .order_by(Conversation.sla_check_at).limit(limit).with_for_update(skip_locked=True)
                           ).scalars().all()
    for conv in rows:
        try:
            refresh(session, conv, now)
        except ValueError:  # a team's hours that are never open: no due time can be given
            log.warning("conversation %s: its team's business hours are never open", conv.id)
            conv.sla_check_at = None
    return len(rows)
