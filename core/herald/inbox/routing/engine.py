"""Applying the tenant's routing rules to a new (or reopened) conversation.

Rules are taken in ``position`` order; a rule scoped to a unit applies to conversations of that
unit and its descendants. Each matching rule's actions run in order; a rule with ``stop`` ends
the pass. The conversation keeps which rules matched and why (``routing``), and the timeline and
the ``conversation.routed`` event say the same. When no rule chose a team, the team covering the
nearest unit of the conversation takes it; a team that assigns automatically then picks a
member."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.enrichment.pipeline import tags_of
from herald.events.bus import emit
from herald.inbox import assignment, timeline
from herald.inbox.batch_cache import once
from herald.inbox.models import PRIORITIES, Conversation, InboxAuthor, InboxItem, RoutingRule, Team
from herald.inbox.notify import notify_people
from herald.inbox.routing.conditions import Evaluation, first_matches
from herald.inbox.routing.definition import RuleDefinition, RuleDefinitionSchema
from herald.inbox.routing.facts import ItemFacts
from herald.tenancy.models import OrgUnit, SocialAccount

log = logging.getLogger(__name__)


def facts_for(conv: Conversation, item: InboxItem, author: InboxAuthor | None, account: SocialAccount,
              unit: OrgUnit, received_at: datetime) -> ItemFacts:
    tags = list(conv.tags or []) + tags_of(item.enrichment)
    return ItemFacts(
        text=item.text or "", kind=item.kind, network=item.network, account_id=account.id,
        account_labels=tuple(account.labels or ()), unit_id=unit.id, unit_path=unit.path,
        language=item.language or conv.language, author_followers=author.followers if author else None,
        author_verified=author.verified if author else None, author_tags=tuple(author.tags or ()) if author else (),
        sentiment=conv.sentiment, intent=conv.intent, tags=tuple(dict.fromkeys(tags)), received_at=received_at)


def _tenant_rules(session: Session, tenant_id: str) -> list[tuple[RoutingRule, str | None, RuleDefinition]]:
    rows = session.execute(select(RoutingRule, OrgUnit.path).outerjoin(OrgUnit, OrgUnit.id == RoutingRule.org_unit_id)
                           .where(RoutingRule.tenant_id == tenant_id, RoutingRule.enabled.is_(True))
                           .order_by(RoutingRule.position, RoutingRule.id)).all()
    found = []
    schema = RuleDefinitionSchema()
    for rule, path in rows:
        try:
            found.append((rule, path, schema.load(rule.definition)))
        except Exception:  # a rule saved by an older version that no longer validates: skipped, said
            log.warning("routing rule %s no longer validates; skipped", rule.id)
    return found


def rules_for(session: Session, conv: Conversation, unit: OrgUnit) -> list[tuple[RoutingRule, RuleDefinition]]:
    """The tenant's enabled rules that run on ``unit`` (a rule of a unit runs on it and below), in order."""
    rules = once(session, ("routing_rules", conv.tenant_id), lambda: _tenant_rules(session, conv.tenant_id))
    return [(rule, definition) for rule, path, definition in rules
            if not rule.org_unit_id or (path and unit.path.startswith(path))]


def route(session: Session, conv: Conversation, item: InboxItem, author: InboxAuthor | None,
          account: SocialAccount, unit: OrgUnit, now: datetime) -> list[dict[str, Any]]:
    """Run the rules on ``conv`` for ``item``; returns the matches recorded on it."""
    pairs = rules_for(session, conv, unit)
    facts = facts_for(conv, item, author, account, unit, now)
    by_id = {rule.id: rule for rule, _ in pairs}
    matches = first_matches([(rule.id, definition) for rule, definition in pairs], facts) if pairs else []
    definitions = {rule.id: definition for rule, definition in pairs}
    recorded: list[dict[str, Any]] = []
    for rule_id, evaluation in matches:
        rule = by_id[rule_id]
        applied = apply_actions(session, conv, rule, definitions[rule_id], evaluation)
        recorded.append({"rule_id": rule.id, "name": rule.name, "reasons": list(evaluation.reasons),
                         "actions": applied, "at": now.isoformat()})
    if not conv.team_id:
        team = covering_team(session, conv, unit)
        if team is not None:
            assignment.assign(session, None, conv, team_id=team.id, reason="the team covers this unit")
    if conv.team_id and not conv.assignee_id and conv.status in ("open", "pending"):
        assignment.auto_assign(session, conv, reason="automatic assignment in the team")
    if recorded:
        conv.routing = [*(conv.routing or []), *recorded][-50:]
        timeline.add(session, conv, "routed", item_id=item.id, at=now, matches=recorded)
        emit(session, conv.tenant_id, "conversation.routed", {
            "conversation_id": conv.id, "item_id": item.id, "matches": recorded,
            "team_id": conv.team_id, "assignee_id": conv.assignee_id, "priority": conv.priority})
    return recorded


def apply_actions(session: Session, conv: Conversation, rule: RoutingRule, definition: RuleDefinition,
                  evaluation: Evaluation) -> list[str]:
    """Carry out the rule's actions on ``conv``; returns what each did, in words."""
    done: list[str] = []
    reason = f"routing rule {rule.name!r}"
    for action in definition.actions:
        spec = action if isinstance(action, dict) else action.to_dict()  # type: ignore[attr-defined]
        kind = spec["type"]
        if kind == "set_team":
            team = session.get(Team, spec["team_id"])
            if team is not None and team.tenant_id == conv.tenant_id:
                assignment.assign(session, None, conv, team_id=team.id, reason=reason)
                done.append(f"team {team.name}")
        elif kind == "set_priority" and spec["priority"] in PRIORITIES:
            conv.priority = spec["priority"]
            done.append(f"priority {conv.priority}")
        elif kind == "add_tags":
            conv.tags = list(dict.fromkeys([*(conv.tags or []), *spec["tags"]]))
            done.append("tags " + ", ".join(spec["tags"]))
        elif kind == "assign":
            assignment.assign(session, None, conv, assignee_id=spec["user_id"], reason=reason)
            done.append(f"assigned to {spec['user_id']}")
        elif kind == "auto_assign":
            if assignment.auto_assign(session, conv, reason=reason):
                done.append(f"assigned to {conv.assignee_id}")
        elif kind == "set_sla_policy":
            conv.sla_policy_id = spec["policy_id"]
            done.append(f"SLA policy {spec['policy_id']}")
        elif kind == "set_status":
            conv.status = spec["status"]
            done.append(f"status {conv.status}")
        elif kind == "crm":
            queue_crm_push(session, conv, spec["sink"], spec["record"], rule.id)
            done.append(f"{spec['record']} to {spec['sink']}")
        elif kind == "notify":
            notify_people(session, conv, spec["user_ids"], "conversation.routed",
                          spec.get("message") or f"A conversation matched {rule.name}", conv.preview)
            done.append("notified " + ", ".join(spec["user_ids"]))
    return done


def _teams_and_paths(session: Session, tenant_id: str) -> tuple[list[Team], dict[str, str]]:
    teams = list(session.execute(select(Team).where(Team.tenant_id == tenant_id)).scalars())
    unit_ids = [u for t in teams for u in (t.unit_ids or [])]
    paths = dict(session.execute(select(OrgUnit.id, OrgUnit.path).where(OrgUnit.id.in_(unit_ids))).all()) \
        if unit_ids else {}
    return teams, paths


def covering_team(session: Session, conv: Conversation, unit: OrgUnit) -> Team | None:
    """The team whose units include the conversation's unit or its nearest ancestor."""
    teams, paths = once(session, ("teams", conv.tenant_id), lambda: _teams_and_paths(session, conv.tenant_id))
    best: tuple[int, str, Team] | None = None
    for team in teams:
        for unit_id in team.unit_ids or []:
            path = paths.get(unit_id)
            if path and unit.path.startswith(path) and (best is None or len(path) > best[0]
                                                             or (len(path) == best[0] and team.name < best[1])):
                best = (len(path), team.name, team)
    return best[2] if best else None


# ----------------------------------------------------------------------------- CRM
def queue_crm_push(session: Session, conv: Conversation, sink: str, record: str, rule_id: str) -> None:
    """Push the conversation to a CRM sink: the record goes to the CRM outbox in this
    transaction, and is sent (retried while the CRM is down) once it commits."""
    from herald.inbox import crm_push

    crm_push.enqueue(session, conv, sink, record, rule_id)
