"""The inbox's administration pages (``inbox.admin``): teams (members, units, business hours in a
zone, holidays, assignment mode), SLA policies and routing rules (ordered; a JSON definition
tried on sample text before it is saved).

Forms are read through the API's schemas and saved through the same services as the API, so a
page refuses exactly what the API refuses, with the same messages, and changes nothing then."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Response, flash, request
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from herald.api.context import db
from herald.api.schemas import inbox as s
from herald.console.blueprint import back, bp, page, refused, tenant, units_with, who
from herald.console.form_errors import flatten
from herald.console.inbox_labels import inbox_label
from herald.console.publishing import time_zones
from herald.errors import HeraldError, ValidationFailed
from herald.inbox import rules, teams
from herald.inbox.models import KINDS, PRIORITIES, RoutingRule, SlaPolicy, Team, TeamMember
from herald.people.models import User
from herald.tenancy.models import OrgUnit

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ASSIGNMENT = ("manual", "round_robin", "least_open")
EXAMPLE_RULE = {"match": "any", "stop": False,
                "conditions": [{"field": "text", "op": "contains_any", "value": ["refund", "charged twice"]}],
                "actions": [{"type": "set_priority", "priority": "urgent"}, {"type": "add_tags", "tags": ["billing"]}]}


def _admin() -> None:
    teams.require_admin(db(), who(), tenant().id)


def _common() -> dict[str, Any]:
    return {"inbox_label": inbox_label, "priorities": PRIORITIES, "kinds": KINDS, "days": DAYS,
            "assignment_modes": ASSIGNMENT}


def _day_names() -> dict[str, str]:
    return {"mon": _("Monday"), "tue": _("Tuesday"), "wed": _("Wednesday"), "thu": _("Thursday"),
            "fri": _("Friday"), "sat": _("Saturday"), "sun": _("Sunday")}


def _problems(exc: ValidationError | HeraldError) -> dict[str, list[str]]:
    if isinstance(exc, ValidationError):
        return flatten(exc.normalized_messages())
    found = dict(getattr(exc, "errors", None) or {})
    return {"": [exc.detail], **{k: v if isinstance(v, list) else [str(v)] for k, v in found.items()}}


def _attempt(work: Callable[[], Any], again: Callable[[dict[str, list[str]]], Response]) -> tuple[Any, Response | None]:
    """Run ``work()``; when the form is refused, roll back (nothing changes) and give the form
    again with its problems (status 422). A refusal by role stays a 403."""
    session = db()
    try:
        return work(), None
    except (ValidationError, HeraldError) as exc:
        session.rollback()
        if isinstance(exc, HeraldError) and exc.status == 403:
            raise
        return None, again(_problems(exc))


def _save(store: Callable[[], Any], again: Callable[[dict[str, list[str]]], Response], done: str,
          endpoint: str, key: str) -> Response:
    """``store()`` and commit, then back to the saved item's page; a refused form is shown again."""
    def stored() -> Any:
        item = store()
        db().commit()
        return item

    saved, refused_form = _attempt(stored, again)
    if refused_form is not None:
        return refused_form
    flash(done, "ok")
    return back(endpoint, **{key: saved.id})


def _delete(remove: Callable[..., object], item_id: str, done: str, endpoint: str) -> Response:
    """``remove(session, actor, tenant_id, item_id)`` and commit; a refusal is flashed."""
    session = db()
    try:
        remove(session, who(), tenant().id, item_id)
        session.commit()
        flash(done, "ok")
    except HeraldError as exc:
        session.rollback()
        refused(exc)
    return back(endpoint)


# ----------------------------------------------------------------------------- teams
def _hours_text(team: Team | None) -> dict[str, str]:
    hours = (team.business_hours or {}) if team else {}
    return {d: ", ".join(f"{a}-{b}" for a, b in hours.get(d, [])) for d in DAYS}


def _parse_hours(form: Any) -> tuple[dict[str, list[list[str]]], dict[str, list[str]]]:
    hours: dict[str, list[list[str]]] = {}
    problems: dict[str, list[str]] = {}
    for day in DAYS:
        text = form.get(f"hours-{day}", "").strip()
        if not text:
            continue
        spans = []
        for part in text.replace("،", ",").split(","):
            bits = [b.strip() for b in part.strip().replace("–", "-").split("-")]
            if len(bits) != 2 or not all(bits):
                problems.setdefault(f"hours-{day}", []).append(
                    _("Write each span as HH:MM-HH:MM, e.g. 09:00-17:00."))
                break
            spans.append(bits)
        hours[day] = spans
    return hours, problems


def _team_form(form: Any, team: Team | None) -> dict[str, Any]:
    hours, problems = _parse_hours(form)
    if problems:
        raise ValidationFailed(_("The business hours are not valid."), problems)
    existing = {m.user_id: m for m in teams.members(db(), team)} if team else {}
    members = [{"user_id": uid, "away": existing[uid].away if uid in existing else False}
               for uid in form.getlist("members")[:500]]
    raw = {"name": form.get("name", "").strip(), "description": form.get("description", "")[:2000],
           "unit_ids": form.getlist("unit_ids")[:200], "time_zone": form.get("time_zone", "UTC"),
           "business_hours": hours, "holidays": [d.strip() for d in form.get("holidays", "").split() if d.strip()],
           "assignment": form.get("assignment", "manual"), "members": members}
    body = (s.TeamPatch() if team else s.TeamIn()).load(raw)
    if "holidays" in body:
        body["holidays"] = [d.isoformat() for d in body["holidays"]]
    return body


def _teams_page(status: int = 200, team: Team | None = None, **context: Any) -> Response:
    session = db()
    rows = list(session.scalars(select(Team).where(Team.tenant_id == tenant().id).order_by(Team.name)))
    people = list(session.scalars(select(User).where(User.tenant_id == tenant().id, User.status == "active")
                                  .order_by(User.display_name, User.email)))
    units = list(session.scalars(select(OrgUnit).where(OrgUnit.tenant_id == tenant().id,
                                                       OrgUnit.archived_at.is_(None)).order_by(OrgUnit.path)))
    member_ids: dict[str, list[str]] = {t.id: [] for t in rows}
    for team_id, user_id in session.execute(select(TeamMember.team_id, TeamMember.user_id).where(
            TeamMember.tenant_id == tenant().id).order_by(TeamMember.user_id)).all():
        member_ids.setdefault(team_id, []).append(user_id)
    return page("console/inbox_teams.html", status, teams_list=rows, people=people, units=units,
                unit_names={u.id: u.name for u in units}, people_names={p.id: p.display_name or p.email
                                                                          for p in people},
                member_ids=member_ids, team=team, hours_text=_hours_text(team), time_zones=time_zones(),
                day_names=_day_names(), form=context.pop("form", None), problems=context.pop("problems", {}),
                **_common(), **context)


@bp.get("/admin/inbox/teams")
def inbox_teams() -> Response:
    _admin()
    return _teams_page()


@bp.get("/admin/inbox/teams/<team_id>")
def inbox_team(team_id: str) -> Response:
    _admin()
    return _teams_page(team=teams.get_team(db(), tenant().id, team_id))


@bp.post("/admin/inbox/teams")
@bp.post("/admin/inbox/teams/<team_id>")
def inbox_team_save(team_id: str | None = None) -> Response:
    session = db()

    def store() -> Team:
        team = teams.get_team(session, tenant().id, team_id) if team_id else None
        return teams.save_team(session, who(), tenant().id, _team_form(request.form, team), team_id)

    def again(problems: dict[str, list[str]]) -> Response:
        team = teams.get_team(session, tenant().id, team_id) if team_id else None
        return _teams_page(422, team=team, form=request.form, problems=problems)

    return _save(store, again, _("The team was saved."), "console.inbox_team", "team_id")


@bp.post("/admin/inbox/teams/<team_id>/delete")
def inbox_team_delete(team_id: str) -> Response:
    return _delete(teams.delete_team, team_id, _("The team was deleted."), "console.inbox_teams")


# ----------------------------------------------------------------------------- SLA policies
def _minutes(form: Any, name: str, factor: int) -> int | None:
    text = form.get(name, "").strip()
    if not text:
        return None
    try:
        return round(float(text) * factor)
    except ValueError as exc:
        raise ValidationFailed(_("Give a number."), {name: [_("Give a number.")]}) from exc


def _policies_page(status: int = 200, policy: SlaPolicy | None = None, **context: Any) -> Response:
    session = db()
    rows = list(session.scalars(select(SlaPolicy).where(SlaPolicy.tenant_id == tenant().id)
                                .order_by(SlaPolicy.name)))
    team_rows = list(session.scalars(select(Team).where(Team.tenant_id == tenant().id).order_by(Team.name)))
    return page("console/inbox_sla.html", status, policies=rows, teams_list=team_rows,
                team_names={t.id: t.name for t in team_rows}, policy=policy, form=context.pop("form", None),
                problems=context.pop("problems", {}), **_common(), **context)


@bp.get("/admin/inbox/sla-policies")
def inbox_sla_policies() -> Response:
    _admin()
    return _policies_page()


@bp.get("/admin/inbox/sla-policies/<policy_id>")
def inbox_sla_policy(policy_id: str) -> Response:
    _admin()
    return _policies_page(policy=teams.get_policy(db(), tenant().id, policy_id))


@bp.post("/admin/inbox/sla-policies")
@bp.post("/admin/inbox/sla-policies/<policy_id>")
def inbox_sla_policy_save(policy_id: str | None = None) -> Response:
    session, form = db(), request.form

    def store() -> SlaPolicy:
        raw = {"name": form.get("name", "").strip(), "team_id": form.get("team_id") or None,
               "priority": form.get("priority") or None,
               "first_response_s": _minutes(form, "first_response_minutes", 60),
               "resolution_s": _minutes(form, "resolution_hours", 3600)}
        try:
            body = (s.SlaPolicyPatch() if policy_id else s.SlaPolicyIn()).load(raw)
        except ValidationError as exc:  # name the form's fields, not the API's
            renamed = {"first_response_s": "first_response_minutes", "resolution_s": "resolution_hours"}
            raise ValidationFailed(_("The policy is not valid."), {
                renamed.get(k, k): v for k, v in flatten(exc.normalized_messages()).items()}) from exc
        return teams.save_policy(session, who(), tenant().id, body, policy_id)

    def again(problems: dict[str, list[str]]) -> Response:
        policy = teams.get_policy(session, tenant().id, policy_id) if policy_id else None
        return _policies_page(422, policy=policy, form=form, problems=problems)

    return _save(store, again, _("The SLA policy was saved."), "console.inbox_sla_policy", "policy_id")


@bp.post("/admin/inbox/sla-policies/<policy_id>/delete")
def inbox_sla_policy_delete(policy_id: str) -> Response:
    return _delete(teams.delete_policy, policy_id, _("The SLA policy was deleted."), "console.inbox_sla_policies")


# ----------------------------------------------------------------------------- routing rules
def _rules() -> list[RoutingRule]:
    return list(db().scalars(select(RoutingRule).where(RoutingRule.tenant_id == tenant().id)
                             .order_by(RoutingRule.position, RoutingRule.id)))


@bp.get("/admin/inbox/routing-rules")
def inbox_rules() -> Response:
    _admin()
    units = {u.id: u.name for u in units_with("inbox.read")}
    return page("console/inbox_rules.html", rules=_rules(), unit_names=units, **_common())


def _rule_page(status: int = 200, rule: RoutingRule | None = None, **context: Any) -> Response:
    definition = context.pop("definition_text", None)
    if definition is None:
        definition = json.dumps(rule.definition if rule else EXAMPLE_RULE, ensure_ascii=False, indent=2)
    return page("console/inbox_rule.html", status, rule=rule, units=units_with("inbox.read"),
                definition_text=definition, form=context.pop("form", None), problems=context.pop("problems", {}),
                tried=context.pop("tried", None), **_common(), **context)


@bp.get("/admin/inbox/routing-rules/new")
def inbox_rule_new() -> Response:
    _admin()
    return _rule_page()


@bp.get("/admin/inbox/routing-rules/<rule_id>")
def inbox_rule(rule_id: str) -> Response:
    _admin()
    return _rule_page(rule=rules.get_rule(db(), tenant().id, rule_id))


def _definition(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(_("The definition is not valid JSON."), {"definition": [
            _("Line %(line)s, column %(column)s: %(message)s", line=exc.lineno, column=exc.colno,
              message=exc.msg)]}) from exc
    if not isinstance(value, dict):
        raise ValidationFailed(_("The definition is not valid JSON."),
                               {"definition": [_("The definition is a JSON object: {\"conditions\": …}.")]})
    return value


@bp.post("/admin/inbox/routing-rules")
@bp.post("/admin/inbox/routing-rules/<rule_id>")
def inbox_rule_save(rule_id: str | None = None) -> Response:
    """Save the rule, or (``action=try``) evaluate it on the sample without saving anything."""
    session, form = db(), request.form
    text = form.get("definition", "")[:100_000]

    def again(problems: dict[str, list[str]], tried: dict[str, Any] | None = None) -> Response:
        rule = rules.get_rule(session, tenant().id, rule_id) if rule_id else None
        return _rule_page(422 if problems else 200, rule=rule, form=form, definition_text=text,
                          problems=problems, tried=tried)

    if form.get("action") == "try":
        def attempt() -> dict[str, Any]:
            sample = s.RuleSample().load({"text": form.get("sample_text", "")[:10_000],
                                          "kind": form.get("sample_kind") or "mention",
                                          "network": form.get("sample_network", "")[:32],
                                          "language": form.get("sample_language") or None})
            return rules.try_rule(session, who(), tenant().id, _definition(text), sample)

        tried, refused_form = _attempt(attempt, again)
        session.rollback()
        return refused_form or again({}, tried)

    def store() -> RoutingRule:
        raw = {"name": form.get("name", "").strip(), "org_unit_id": form.get("org_unit_id") or None,
               "enabled": form.get("enabled") == "1", "definition": _definition(text)}
        body = (s.RoutingRulePatch() if rule_id else s.RoutingRuleIn()).load(raw)
        return rules.save_rule(session, who(), tenant().id, body, rule_id)

    return _save(store, again, _("The routing rule was saved."), "console.inbox_rule", "rule_id")


@bp.post("/admin/inbox/routing-rules/<rule_id>/move")
def inbox_rule_move(rule_id: str) -> Response:
    session = db()
    ids = [r.id for r in _rules()]
    if rule_id in ids:
        i = ids.index(rule_id)
        j = i - 1 if request.form.get("direction") == "up" else i + 1
        if 0 <= j < len(ids):
            ids[i], ids[j] = ids[j], ids[i]
    try:
        rules.reorder(session, who(), tenant().id, ids)
        session.commit()
        flash(_("The order was saved."), "ok")
    except HeraldError as exc:
        session.rollback()
        refused(exc)
    return back("console.inbox_rules")


@bp.post("/admin/inbox/routing-rules/<rule_id>/delete")
def inbox_rule_delete(rule_id: str) -> Response:
    return _delete(rules.delete_rule, rule_id, _("The routing rule was deleted."), "console.inbox_rules")
