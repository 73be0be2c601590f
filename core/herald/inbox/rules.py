"""Routing rules as administrators keep them: ordered, optionally per unit, tried before saved."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from herald import audit
from herald.authz.actor import Actor
from herald.clock import utcnow
from herald.errors import ValidationFailed
from herald.inbox.access import of_tenant
from herald.inbox.models import RoutingRule, SlaPolicy, Team
from herald.inbox.routing.conditions import evaluate
from herald.inbox.routing.definition import RuleDefinition, RuleDefinitionSchema
from herald.inbox.routing.facts import ItemFacts
from herald.inbox.teams import require_admin
from herald.people.models import User
from herald.tenancy.models import OrgUnit, SocialAccount


def load_definition(session: Session, tenant_id: str, raw: Any) -> RuleDefinition:
    """Validate a rule body and the ids it names (teams, people, policies, accounts, units)."""
    try:
        definition = RuleDefinitionSchema().load(raw)
    except ValidationError as exc:
        raise ValidationFailed("The rule is not valid.", {"definition": exc.messages}) from exc
    errors: dict[str, list[str]] = {}
    for i, action in enumerate(_actions(definition)):
        checks = (("team_id", Team), ("policy_id", SlaPolicy), ("user_id", User))
        for key, model in checks:
            if key in action:
                row = session.get(model, action[key])
                if row is None or row.tenant_id != tenant_id:
                    errors.setdefault(f"actions.{i}.{key}", []).append(f"No {key[:-3]} {action[key]!r} here.")
        for user_id in action.get("user_ids", []):
            row = session.get(User, user_id)
            if row is None or row.tenant_id != tenant_id:
                errors.setdefault(f"actions.{i}.user_ids", []).append(f"No user {user_id!r} here.")
    for i, cond in enumerate(_conditions(definition)):
        model = {"account": SocialAccount, "unit": OrgUnit}.get(cond["field"])
        if model is not None:
            for value in cond["value"]:
                row = session.get(model, value)
                if row is None or row.tenant_id != tenant_id:
                    errors.setdefault(f"conditions.{i}.value", []).append(f"No {cond['field']} {value!r} here.")
    if errors:
        raise ValidationFailed("The rule names things that do not exist in this tenant.", {"definition": errors})
    return definition


def _as_dict(obj: Any) -> dict[str, Any]:
    return obj if isinstance(obj, dict) else obj.to_dict()


def _actions(definition: RuleDefinition) -> list[dict[str, Any]]:
    return [_as_dict(a) for a in definition.actions]


def _conditions(definition: RuleDefinition) -> list[dict[str, Any]]:
    return [_as_dict(c) for c in definition.conditions]


def get_rule(session: Session, tenant_id: str, rule_id: str) -> RoutingRule:
    return of_tenant(session, RoutingRule, tenant_id, rule_id, "routing rule")


def _rule_dict(rule: RoutingRule) -> dict[str, Any]:
    return {k: getattr(rule, k) for k in ("name", "org_unit_id", "position", "enabled", "definition")}


def save_rule(session: Session, actor: Actor, tenant_id: str, body: dict[str, Any],
              rule_id: str | None = None) -> RoutingRule:
    require_admin(session, actor, tenant_id)
    rule = get_rule(session, tenant_id, rule_id) if rule_id else RoutingRule(tenant_id=tenant_id,
                                                                             created_by=actor.user_id)
    before = _rule_dict(rule) if rule_id else None
    if "definition" in body:
        rule.definition = load_definition(session, tenant_id, body["definition"]).to_dict()
    elif rule_id is None:
        raise ValidationFailed("A rule needs a definition.", {"definition": ["Missing data for required field."]})
    if body.get("org_unit_id"):
        unit = session.get(OrgUnit, body["org_unit_id"])
        if unit is None or unit.tenant_id != tenant_id:
            raise ValidationFailed("Unknown org unit.", {"org_unit_id": [f"No org unit {body['org_unit_id']!r}."]})
    for key in ("name", "org_unit_id", "enabled"):
        if key in body:
            setattr(rule, key, body[key])
    if "position" in body:
        rule.position = body["position"]
    elif rule_id is None:
        last = session.execute(select(func.max(RoutingRule.position))
                               .where(RoutingRule.tenant_id == tenant_id)).scalar()
        rule.position = (last or 0) + 10
    if rule_id is None:
        session.add(rule)
    session.flush()
    audit.record(session, actor, "inbox_routing_rule.saved", "inbox_routing_rule", rule.id, tenant_id=tenant_id,
                 before=before, after=_rule_dict(rule))
    return rule


def reorder(session: Session, actor: Actor, tenant_id: str, rule_ids: list[str]) -> list[RoutingRule]:
    """Put the rules in this order (every rule of the tenant, each once)."""
    require_admin(session, actor, tenant_id)
    rules = {r.id: r for r in session.execute(select(RoutingRule).where(RoutingRule.tenant_id == tenant_id)).scalars()}
    if sorted(rule_ids) != sorted(rules) or len(set(rule_ids)) != len(rule_ids):
        raise ValidationFailed("Give every rule of the tenant exactly once.",
                               {"rule_ids": [f"Expected the {len(rules)} rule ids of this tenant, each once."]})
    for position, rule_id in enumerate(rule_ids):
        rules[rule_id].position = (position + 1) * 10
    audit.record(session, actor, "inbox_routing_rule.reordered", "tenant", tenant_id, tenant_id=tenant_id,
                 after={"order": rule_ids})
    return [rules[r] for r in rule_ids]


def delete_rule(session: Session, actor: Actor, tenant_id: str, rule_id: str) -> None:
    require_admin(session, actor, tenant_id)
    rule = get_rule(session, tenant_id, rule_id)
    audit.record(session, actor, "inbox_routing_rule.deleted", "inbox_routing_rule", rule.id, tenant_id=tenant_id,
                 before=_rule_dict(rule))
    session.delete(rule)


def try_rule(session: Session, actor: Actor, tenant_id: str, definition_raw: Any,
             sample: dict[str, Any]) -> dict[str, Any]:
    """Evaluate a rule (saved or not) on sample facts; nothing is stored."""
    require_admin(session, actor, tenant_id)
    definition = load_definition(session, tenant_id, definition_raw)
    unit_path = ""
    if sample.get("unit_id"):
        unit = session.get(OrgUnit, sample["unit_id"])
        unit_path = unit.path if unit is not None and unit.tenant_id == tenant_id else ""
    facts = ItemFacts(
        text=sample.get("text", ""), kind=sample.get("kind", "mention"), network=sample.get("network", ""),
        account_id=sample.get("account_id", ""), account_labels=tuple(sample.get("account_labels", [])),
        unit_id=sample.get("unit_id", ""), unit_path=unit_path, language=sample.get("language"),
        author_followers=sample.get("author_followers"), author_verified=sample.get("author_verified"),
        author_tags=tuple(sample.get("author_tags", [])), sentiment=sample.get("sentiment"),
        intent=sample.get("intent"), tags=tuple(sample.get("tags", [])),
        received_at=sample.get("received_at") or utcnow())
    result = evaluate(definition, facts)
    return {"matched": result.matched, "reasons": list(result.reasons),
            "actions": _actions(definition) if result.matched else [], "stop": definition.stop}


