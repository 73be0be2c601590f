"""Roles: the built-in ones and the tenant's custom roles with their permissions; define,
change and delete a custom role from the permission catalogue (the people service decides)."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, request
from flask_babel import gettext as _
from marshmallow import Schema

from herald.api.context import db
from herald.api.schemas.people import RoleCreate, RoleUpdate
from herald.authz import can, require
from herald.authz.check import in_tenant
from herald.console.blueprint import back, bp, can_somewhere, page, tenant, who
from herald.console.form_input import problems, run, validated
from herald.console.permission_labels import grouped_permissions, permission_label, role_description, role_name
from herald.errors import Forbidden, HeraldError, ValidationFailed
from herald.people import service as people


def _may_manage() -> bool:
    return can(db(), who(), "roles.manage", tenant())


def _require_manage() -> None:
    require(db(), who(), "roles.manage", in_tenant(db(), who(), tenant().id))


@bp.get("/admin/roles")
def roles() -> Response:
    if not (_may_manage() or can_somewhere("grants.view")):
        raise Forbidden(_("You may not see the roles of this organisation."))
    items = people.all_roles(db(), tenant().id)
    return page("console/roles.html", roles=items, role_name=role_name, role_description=role_description,
                permission_label=permission_label, may_manage=_may_manage())


def _form_values() -> dict[str, Any]:
    form = request.form
    return {"key": form.get("key", "").strip(), "name": form.get("name", "").strip(),
            "description": form.get("description", "").strip(), "permissions": form.getlist("permissions")}


def _load(schema: type[Schema], data: dict[str, Any]) -> dict[str, Any]:
    """``data`` through the API's schema, with an empty selection said in words (the schema would
    speak of a list's length), every mistake at once."""
    errors: dict[str, list[str]] = {}
    body: dict[str, Any] = {}
    try:
        body = validated(schema, data)
    except ValidationFailed as exc:
        errors = problems(exc)
    if not data["permissions"]:
        errors["permissions"] = [_("Choose at least one permission.")]
    if errors:
        raise ValidationFailed(_("The form has mistakes."), errors)
    return body


def _editor(role: dict[str, Any] | None, values: dict[str, Any], errors: dict[str, list[str]] | None = None,
            message: str | None = None, status: int = 200) -> Response:
    return page("console/role.html", status, role=role, values=values, groups=grouped_permissions(),
                errors=errors or {}, message=message)


@bp.route("/admin/roles/new", methods=["GET", "POST"])
def new_role() -> Response:
    _require_manage()
    if request.method == "GET":
        return _editor(None, {"key": "", "name": "", "description": "", "permissions": []})
    values = _form_values()
    try:
        body = _load(RoleCreate, values)
        people.create_role(db(), who(), tenant().id, **body)
        db().commit()
    except HeraldError as exc:
        db().rollback()
        return _editor(None, values, problems(exc), exc.detail, exc.status)
    flash(_("The role %(name)s was created.", name=values["name"]), "ok")
    return back("console.roles")


@bp.route("/admin/roles/<role_key>", methods=["GET", "POST"])
def edit_role(role_key: str) -> Response:
    _require_manage()
    role = people.get_custom_role(db(), tenant().id, role_key)
    current = {"key": role.key, "name": role.name, "description": role.description,
               "permissions": list(role.permissions)}
    if request.method == "GET":
        return _editor(current, current)
    values = {**_form_values(), "key": role.key}
    try:
        body = _load(RoleUpdate, {k: values[k] for k in ("name", "description", "permissions")})
        people.update_role(db(), who(), tenant().id, role_key, body)
        db().commit()
    except HeraldError as exc:
        db().rollback()
        return _editor(current, values, problems(exc), exc.detail, exc.status)
    flash(_("The role %(name)s was saved.", name=values["name"]), "ok")
    return back("console.roles")


@bp.post("/admin/roles/<role_key>/delete")
def delete_role(role_key: str) -> Response:
    _require_manage()
    run(lambda: people.delete_role(db(), who(), tenant().id, role_key), _("The role was deleted."))
    return back("console.roles")
