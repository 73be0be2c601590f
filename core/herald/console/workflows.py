"""Console pages for approval workflows: the default and keyed workflows of each unit, a full
steps editor (deciders, quorum, deadlines and what happens after them, recurring due dates,
style-guide rules and other step options, where review restarts), and the entry-criteria
rules that send posts to keyed workflows.

Style-guide rules are the options of a ``style_guide`` step: there is no other place they are
stored, so they are edited here, on the step that applies them.

Every save goes through the API's own schema (``WorkflowPut`` / ``RuleIn``) and then the
workflow service with the signed-in person as actor; a refusal re-renders the form with each
message next to its field and nothing written."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, request
from flask_babel import gettext as _
from marshmallow import RAISE, ValidationError
from sqlalchemy import select

from herald.api.context import db, runtime
from herald.api.schemas.workflows import RuleIn
from herald.approvals import rules as rule_service
from herald.approvals import workflows as wf_service
from herald.approvals.models import Workflow, WorkflowRule
from herald.authz import can
from herald.console.blueprint import back, bp, can_somewhere, page, tenant, units_with, who
from herald.console.workflow_form import (
    KEY_RE,
    ON_DEADLINE,
    QUORUMS,
    STYLE_GUIDE,
    WorkflowForm,
    flatten,
    load,
    to_rows,
)
from herald.errors import Forbidden, HeraldError, NotFound, ValidationFailed
from herald.people import service as people
from herald.people.models import User
from herald.tenancy import service as tenancy
from herald.tenancy.models import OrgUnit, SocialAccount

DEFAULT = "default"


def _require_manager() -> None:
    """Pages listing workflows or rules are for people who manage workflows on some unit."""
    if not can_somewhere("workflows.manage"):
        raise Forbidden(_("You may not manage workflows on any unit."))


# ----------------------------------------------------------------------------- the list
@bp.get("/admin/workflows")
def workflows() -> Response:
    _require_manager()
    session = db()
    units = units_with("workflows.manage")
    own = session.scalars(select(Workflow).where(Workflow.tenant_id == tenant().id,
                                                 Workflow.org_unit_id.in_([u.id for u in units]))).all()
    keys = sorted({w.key for w in own} | {DEFAULT}, key=lambda k: (k != DEFAULT, k))
    rows = []
    for unit in units:
        for key in keys:
            found = wf_service.effective_workflow(session, unit, key)
            if found is None and key != DEFAULT:
                continue
            rows.append({"unit": unit, "key": key, "workflow": found,
                         "inherited": bool(found and found.org_unit_id != unit.id)})
    return page("console/workflows.html", rows=rows, units=units)


@bp.post("/admin/workflows/new")
def new_keyed_workflow() -> Response:
    key = (request.form.get("key") or "").strip()[:64]
    unit_id = request.form.get("org_unit_id", "")[:40]
    if not KEY_RE.match(key):
        flash(_("A workflow key starts with a small letter and has only small letters, digits, “-” and “_”."),
              "error")
        return back("console.workflows")
    return back("console.keyed_workflow", unit_id=unit_id, key=key)


# ----------------------------------------------------------------------------- one workflow
def _choices(unit: OrgUnit) -> dict[str, Any]:
    session = db()
    hooks = runtime().plugins.for_tenant(session, tenant().id)
    kinds = sorted(hooks.classes("herald_approval_step_kinds"), key=lambda c: c.key)
    # the tenant's people are listed only to those who may see them; others name people by id
    users = session.scalars(select(User).where(User.tenant_id == tenant().id).order_by(User.email)).all() \
        if can(session, who(), "users.view", tenant()) else []
    return {"kinds": [{"key": c.key, "name": c.display_name or c.key, "people": c.needs_people,
                       "options": c.options_schema is not None} for c in kinds],
            "roles": people.all_roles(session, tenant().id), "users": users, "quorums": QUORUMS,
            "on_deadline": ON_DEADLINE, "style_guide": STYLE_GUIDE}


def _editor(unit: OrgUnit, key: str, form: WorkflowForm, status: int = 200,
            errors: dict[str, list[str]] | None = None) -> Response:
    found = wf_service.effective_workflow(db(), unit, key)
    return page("console/workflow.html", status, unit=unit, key=key, workflow=found, form=form,
                errors=errors or {}, **_choices(unit))


def _save(unit: OrgUnit, key: str, form: WorkflowForm) -> Response:
    body, origin, due_origin = form.body()
    try:
        loaded = load(body)
    except ValidationError as exc:
        return _editor(unit, key, form, 422, to_rows(flatten(exc.normalized_messages()), origin, due_origin))
    try:
        wf_service.define(db(), who(), tenant().id, unit.id, key=key, **loaded)
        db().commit()
    except ValidationFailed as exc:
        db().rollback()
        errors = to_rows({k: list(v) if isinstance(v, list) else [str(v)] for k, v in exc.errors.items()},
                         origin, due_origin)
        errors.setdefault("", []).append(exc.detail)
        return _editor(unit, key, form, 422, errors)
    except HeraldError as exc:
        db().rollback()
        return _editor(unit, key, form, exc.status, {"": [exc.detail]})
    flash(_("The workflow was saved."), "ok")
    return back("console.workflow" if key == DEFAULT else "console.keyed_workflow", unit_id=unit.id,
                **({} if key == DEFAULT else {"key": key}))


def _workflow_page(unit_id: str, key: str) -> Response:
    if not KEY_RE.match(key):
        raise NotFound(_("No workflow %(key)s.", key=key))
    unit = tenancy.get_unit(db(), who(), tenant().id, unit_id, "workflows.manage")
    if request.method == "GET":
        return _editor(unit, key, WorkflowForm.from_workflow(wf_service.effective_workflow(db(), unit, key)))
    form = WorkflowForm.from_form(request.form)
    op = (request.form.get("op") or "save")[:20]
    if op == "delete":
        try:
            wf_service.remove(db(), who(), tenant().id, unit.id, key)
            db().commit()
            flash(_("The unit's own workflow was removed; it inherits again."), "ok")
        except HeraldError as exc:
            db().rollback()
            flash(exc.detail, "error")
        return back("console.workflows")
    if op != "save":
        form.apply(op)
        return _editor(unit, key, form)
    return _save(unit, key, form)


@bp.route("/admin/workflows/<unit_id>", methods=["GET", "POST"])
def workflow(unit_id: str) -> Response:
    return _workflow_page(unit_id, DEFAULT)


@bp.route("/admin/workflows/<unit_id>/<key>", methods=["GET", "POST"])
def keyed_workflow(unit_id: str, key: str) -> Response:
    return _workflow_page(unit_id, key)


# ----------------------------------------------------------------------------- rules
LIST_CONDITIONS = ("account_labels_any", "networks_any", "languages_any", "text_contains_any", "tags_any",
                   "campaigns_any")


def _split(text: str) -> list[str]:
    """One item per line (commas separate too, except in phrases)."""
    return [item.strip() for item in text.replace("\r", "").split("\n") if item.strip()]


def _rule_body(form: Any) -> dict[str, Any]:
    conditions: dict[str, Any] = {}
    accounts = [a[:40] for a in form.getlist("accounts_any")][:100]
    if accounts:
        conditions["accounts_any"] = accounts
    for key in LIST_CONDITIONS:
        raw = (form.get(key) or "")[:50_000]
        items = _split(raw) if key == "text_contains_any" else [
            part.strip() for line in _split(raw) for part in line.split(",") if part.strip()]
        if items:
            conditions[key] = items
    paid = form.get("paid_promotion", "")
    if paid in ("yes", "no"):
        conditions["paid_promotion"] = paid == "yes"
    priority = (form.get("priority") or "100").strip()[:8]
    return {"org_unit_id": form.get("org_unit_id", "")[:40], "name": (form.get("name") or "").strip()[:200],
            "priority": int(priority) if priority.lstrip("-").isdigit() else priority,
            "workflow_key": (form.get("workflow_key") or "").strip()[:64], "conditions": conditions}


def _rule_form(rule: WorkflowRule | None) -> dict[str, Any]:
    if rule is None:
        return {"priority": "100", "conditions": {}}
    return {"id": rule.id, "org_unit_id": rule.org_unit_id, "name": rule.name, "priority": str(rule.priority),
            "workflow_key": rule.workflow_key, "conditions": dict(rule.conditions or {})}


def _rules_page(status: int = 200, editing: dict[str, Any] | None = None,
                errors: dict[str, list[str]] | None = None) -> Response:
    _require_manager()
    session = db()
    units = units_with("workflows.manage")
    ids = [u.id for u in units]
    found = session.scalars(select(WorkflowRule).where(WorkflowRule.tenant_id == tenant().id,
                                                       WorkflowRule.org_unit_id.in_(ids))
                            .order_by(WorkflowRule.priority, WorkflowRule.created_at)).all()
    visible = [u.id for u in units_with("accounts.view")]
    accounts = session.scalars(select(SocialAccount).where(SocialAccount.tenant_id == tenant().id,
                                                           SocialAccount.org_unit_id.in_(visible),
                                                           SocialAccount.archived_at.is_(None))
                               .order_by(SocialAccount.network, SocialAccount.handle)).all()
    keys = sorted(set(session.scalars(select(Workflow.key).where(Workflow.tenant_id == tenant().id))))
    return page("console/workflow_rules.html", status, rules=found, units=units,
                names={u.id: u.name for u in units}, accounts=accounts, keys=keys,
                editing=editing or _rule_form(None), errors=errors or {})


def _save_rule(rule_id: str | None) -> Response:
    body = _rule_body(request.form)
    editing = {**body, "id": rule_id, "priority": str(body["priority"])}
    try:
        loaded = RuleIn(unknown=RAISE).load(body)
    except ValidationError as exc:
        return _rules_page(422, editing, flatten(exc.normalized_messages()))
    try:
        rule_service.save_rule(db(), who(), tenant().id, loaded, rule_id)
        db().commit()
    except HeraldError as exc:
        db().rollback()
        errors = flatten(getattr(exc, "errors", None) or {})
        errors.setdefault("", []).append(exc.detail)
        return _rules_page(exc.status, editing, errors)
    flash(_("The rule was saved."), "ok")
    return back("console.workflow_rules")


@bp.route("/admin/workflow-rules", methods=["GET", "POST"])
def workflow_rules() -> Response:
    if request.method == "POST":
        return _save_rule(None)
    return _rules_page()


@bp.route("/admin/workflow-rules/<rule_id>", methods=["GET", "POST"])
def workflow_rule(rule_id: str) -> Response:
    if request.method == "POST":
        if request.form.get("op") == "delete":
            try:
                rule_service.delete_rule(db(), who(), tenant().id, rule_id)
                db().commit()
                flash(_("The rule was deleted."), "ok")
            except HeraldError as exc:
                db().rollback()
                flash(exc.detail, "error")
            return back("console.workflow_rules")
        return _save_rule(rule_id)
    return _rules_page(editing=_rule_form(rule_service.get_rule(db(), who(), tenant().id, rule_id)))
