"""Entry criteria: which workflow a post goes through.

Rules are defined on org units and apply to posts on that unit and below. Each rule's
conditions must all hold (within a list, any item is enough); the rules that apply are tried by
priority, then from the nearest unit up; the first match names the workflow key. No match means
the unit's ``default`` workflow; no workflow at all means the implicit one (one step, decided by
holders of ``posts.approve``). The post's review records which rule chose its workflow and why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald import audit
from herald.approvals.models import Workflow, WorkflowRule
from herald.approvals.style_guide import normalise
from herald.approvals.workflows import effective_workflow
from herald.content.models import Post
from herald.errors import NotFound
from herald.tenancy.models import OrgUnit, SocialAccount
from herald.tenancy.service import get_unit

IMPLICIT_STEPS: list[dict[str, Any]] = [{
    "name": "Approval", "kind": "human_review", "deciders": {"permission": "posts.approve"}, "quorum": "any",
    "approvals_needed": 1, "deadline_hours": None, "on_deadline": "remind", "escalate_to_role": None, "options": {},
}]

CONDITION_KEYS = ("accounts_any", "account_labels_any", "networks_any", "languages_any", "text_contains_any",
                  "tags_any", "campaigns_any", "paid_promotion")


@dataclass(frozen=True)
class Choice:
    workflow: Workflow | None
    steps: list[dict[str, Any]]
    name: str
    rule: WorkflowRule | None
    because: str
    restart_from_step: int


def _match(session: Session, post: Post, content: dict[str, Any], cond: dict[str, Any]) -> str | None:
    """Why ``cond`` holds for this content (a sentence), or None when it does not."""
    why: list[str] = []
    targets = content.get("targets") or []
    variants = content.get("variants") or []
    if cond.get("accounts_any"):
        hit = sorted(set(cond["accounts_any"]) & set(targets))
        if not hit:
            return None
        why.append(f"targets account {', '.join(hit)}")
    if cond.get("account_labels_any") or cond.get("networks_any"):
        accounts = list(session.execute(select(SocialAccount).where(SocialAccount.id.in_(targets))).scalars())
        if cond.get("account_labels_any"):
            wanted = set(cond["account_labels_any"])
            hit_accounts = [a for a in accounts if wanted & set(a.labels or [])]
            if not hit_accounts:
                return None
            why.append("targets " + ", ".join(
                f"@{a.handle} ({', '.join(sorted(wanted & set(a.labels)))})" for a in hit_accounts))
        if cond.get("networks_any"):
            nets = sorted({a.network for a in accounts} & set(cond["networks_any"]))
            if not nets:
                return None
            why.append(f"goes to {', '.join(nets)}")
    if cond.get("languages_any"):
        langs = sorted({v.get("language") for v in variants if v.get("language")} & set(cond["languages_any"]))
        if not langs:
            return None
        why.append(f"has a variant in {', '.join(langs)}")
    if cond.get("text_contains_any"):
        texts = [normalise(v.get("text") or "") for v in variants]
        hit = [p for p in cond["text_contains_any"] if any(normalise(p) in t for t in texts)]
        if not hit:
            return None
        why.append("mentions " + ", ".join(f"“{p}”" for p in hit))
    if cond.get("tags_any"):
        hit = sorted(set(cond["tags_any"]) & set(content.get("tags") or []))
        if not hit:
            return None
        why.append(f"is tagged {', '.join(hit)}")
    if cond.get("campaigns_any"):
        if post.campaign not in cond["campaigns_any"]:
            return None
        why.append(f"belongs to campaign {post.campaign}")
    if cond.get("paid_promotion") is not None:
        if bool(content.get("paid_promotion")) != bool(cond["paid_promotion"]):
            return None
        why.append("carries paid promotion" if cond["paid_promotion"] else "carries no paid promotion")
    return "; ".join(why) if why else "always applies"


def choose(session: Session, post: Post, content: dict[str, Any]) -> Choice:
    """The workflow ``content`` (a version of ``post``) must go through, and why."""
    unit = session.get(OrgUnit, post.org_unit_id)
    assert unit is not None
    depth = {uid: i for i, uid in enumerate(reversed(unit.ancestor_ids))}  # 0 = the post's own unit
    rules = sorted(
        session.execute(select(WorkflowRule).where(WorkflowRule.tenant_id == post.tenant_id,
                                                   WorkflowRule.org_unit_id.in_(unit.ancestor_ids))).scalars(),
        key=lambda r: (r.priority, depth[r.org_unit_id], r.created_at, r.id),
    )
    for rule in rules:
        why = _match(session, post, content, rule.conditions)
        if why is None:
            continue
        wf = effective_workflow(session, unit, rule.workflow_key)
        if wf is not None:
            return Choice(wf, wf.steps, wf.name, rule, f"Rule “{rule.name}” matched: the post {why}.",
                          wf.restart_from_step)
    wf = effective_workflow(session, unit)
    if wf is not None:
        return Choice(wf, wf.steps, wf.name, None, "No rule matched; the unit's default workflow applies.",
                      wf.restart_from_step)
    return Choice(None, IMPLICIT_STEPS, "Implicit approval", None,
                  "No workflow is defined for this unit or above it; one approval by a manager is required.", 0)


# ----------------------------------------------------------------------------- managing rules
RULE_FIELDS = ("id", "org_unit_id", "name", "priority", "conditions", "workflow_key")


def get_rule(session: Session, actor: Any, tenant_id: str, rule_id: str) -> WorkflowRule:
    rule = session.get(WorkflowRule, rule_id)
    if rule is None or rule.tenant_id != tenant_id:
        raise NotFound(f"No workflow rule {rule_id!r} in this tenant.")
    get_unit(session, actor, tenant_id, rule.org_unit_id, "workflows.manage")
    return rule


def save_rule(session: Session, actor: Any, tenant_id: str, body: dict[str, Any], rule_id: str | None = None
              ) -> WorkflowRule:
    """Create (``rule_id`` None) or replace a rule; audited."""
    unit = get_unit(session, actor, tenant_id, body["org_unit_id"], "workflows.manage")
    rule = get_rule(session, actor, tenant_id, rule_id) if rule_id else None
    before = audit.snapshot(rule, RULE_FIELDS) if rule else None
    if rule is None:
        rule = WorkflowRule(tenant_id=tenant_id, org_unit_id=unit.id, name=body["name"], priority=body["priority"],
                            conditions=body["conditions"], workflow_key=body["workflow_key"])
        session.add(rule)
    else:
        rule.org_unit_id, rule.name, rule.priority = unit.id, body["name"], body["priority"]
        rule.conditions, rule.workflow_key = body["conditions"], body["workflow_key"]
    session.flush()
    audit.record(session, actor, "workflow_rule.saved", "workflow_rule", rule.id, tenant_id=tenant_id,
                 before=before, after=audit.snapshot(rule, RULE_FIELDS))
    return rule


def delete_rule(session: Session, actor: Any, tenant_id: str, rule_id: str) -> None:
    rule = get_rule(session, actor, tenant_id, rule_id)
    before = audit.snapshot(rule, RULE_FIELDS)
    session.delete(rule)
    session.flush()
    audit.record(session, actor, "workflow_rule.deleted", "workflow_rule", rule_id, tenant_id=tenant_id, before=before)
