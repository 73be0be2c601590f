"""Console administration: the org tree, people and their grants, and plugins per tenant
(workflows: :mod:`herald.console.workflows`; the audit log: :mod:`herald.console.audit_log`).
Each action calls the service the API calls, with the person as actor."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, request
from flask_babel import gettext as _
from marshmallow import fields as mf
from sqlalchemy import select

from herald.api.context import db, runtime
from herald.api.schemas.names import NAME_LIMITS
from herald.api.schemas.tenancy import UnitCreate, UnitUpdate
from herald.authz import can, require, visible_unit_filter
from herald.authz.check import in_tenant
from herald.console.blueprint import back, bp, page, refused, tenant, units_with, who
from herald.console.form_input import problems, validated
from herald.errors import HeraldError, NotFound, ValidationFailed
from herald.people import service as people
from herald.people.models import Grant, User
from herald.plugin_host import service as plugin_service
from herald.tenancy import service as tenancy
from herald.tenancy.models import OrgUnit

UNIT_KINDS = ("company", "region", "brand", "franchise", "department", "team", "other")


def _act(fn: Any, ok: str) -> None:
    """Run a service call; commit and say ``ok``, or roll back and say why not."""
    try:
        fn()
        db().commit()
        flash(ok, "ok")
    except HeraldError as exc:
        db().rollback()
        refused(exc)


# ----------------------------------------------------------------------------- org tree
def _units_page(status: int = 200, **problems_and_values: Any) -> Response:
    """The organisation page; a refused form comes back with its messages next to its fields."""
    visible = units_with("units.view", include_archived=True)
    manageable = {u.id for u in units_with("units.manage", include_archived=True)}
    context: dict[str, Any] = {"create_problems": {}, "create_values": {}, "rename_problems": {},
                               "rename_values": {}, **problems_and_values}
    return page("console/units.html", status, units=visible, manageable=manageable, kinds=UNIT_KINDS,
                parents=[u for u in visible if u.archived_at is None and u.id in manageable],
                may_create=bool(manageable), name_limit=NAME_LIMITS["unit"], **context)


@bp.get("/admin/units")
def units() -> Response:
    return _units_page()


@bp.post("/admin/units")
def create_unit() -> Response:
    form = request.form
    values = {"parent_id": form.get("parent_id", ""), "name": form.get("name", ""),
              "kind": form.get("kind") if form.get("kind") in UNIT_KINDS else "other"}
    try:
        body = validated(UnitCreate, values)
    except ValidationFailed as exc:
        return _units_page(422, create_problems=problems(exc), create_values=values)
    _act(lambda: tenancy.create_unit(db(), who(), tenant().id, parent_id=body["parent_id"], name=body["name"],
                                     kind=body["kind"]),
         _("The unit was created."))
    return back("console.units")


@bp.post("/admin/units/<unit_id>")
def change_unit(unit_id: str) -> Response:
    form, action = request.form, request.form.get("action")
    if action == "rename":
        try:
            body = validated(UnitUpdate, {"name": form.get("name", "")})
        except ValidationFailed as exc:
            return _units_page(422, rename_problems={unit_id: problems(exc).get("name", [])},
                               rename_values={unit_id: form.get("name", "")})
        _act(lambda: tenancy.update_unit(db(), who(), tenant().id, unit_id, {"name": body["name"]}),
             _("The unit was renamed."))
    elif action == "move":
        _act(lambda: tenancy.move_unit(db(), who(), tenant().id, unit_id, form.get("parent_id", "")),
             _("The unit was moved."))
    elif action in ("archive", "restore"):
        _act(lambda: tenancy.archive_unit(db(), who(), tenant().id, unit_id, action == "archive"),
             _("The unit was archived.") if action == "archive" else _("The unit was restored."))
    return back("console.units")


# ----------------------------------------------------------------------------- people
@bp.get("/admin/users")
def users() -> Response:
    session = db()
    require(session, who(), "users.view", in_tenant(session, who(), tenant().id))
    people_rows = session.scalars(select(User).where(User.tenant_id == tenant().id).order_by(User.email)).all()
    stmt = select(Grant).join(OrgUnit, OrgUnit.id == Grant.org_unit_id).where(
        Grant.tenant_id == tenant().id, visible_unit_filter(session, who(), "grants.view", tenant().id))
    unit_filter = request.args.get("unit", "")[:40]
    if unit_filter:
        stmt = stmt.where(Grant.org_unit_id == unit_filter)
    grants = session.scalars(stmt).all()
    by_user: dict[str, list[Grant]] = {}
    for grant in grants:
        by_user.setdefault(grant.user_id, []).append(grant)
    grant_units = units_with("grants.manage")
    names = {u.id: u.name for u in units_with("units.view", include_archived=True)}
    if unit_filter:
        people_rows = [p for p in people_rows if p.id in by_user]
    return page("console/users.html", people=people_rows, grants=by_user, grant_units=grant_units, names=names,
                roles=people.all_roles(session, tenant().id), unit_filter=unit_filter,
                units=units_with("units.view", include_archived=True))


@bp.post("/admin/grants")
def create_grant() -> Response:
    form = request.form
    _act(lambda: people.create_grant(db(), who(), tenant().id, user_id=form.get("user_id", ""),
                                     role_key=form.get("role_key", ""), org_unit_id=form.get("org_unit_id", "")),
         _("The role was granted."))
    return back("console.users")


@bp.post("/admin/grants/<grant_id>/revoke")
def revoke_grant(grant_id: str) -> Response:
    _act(lambda: people.delete_grant(db(), who(), tenant().id, grant_id), _("The grant was revoked."))
    return back("console.users")


# ----------------------------------------------------------------------------- plugins
def _require_plugins_view() -> None:
    require(db(), who(), "plugins.view", in_tenant(db(), who(), tenant().id))


@bp.get("/admin/plugins")
def plugins() -> Response:
    _require_plugins_view()
    host = runtime().plugins
    items = [plugin_service.describe_for_tenant(db(), host, tenant().id, n) for n in sorted(host.infos)]
    return page("console/plugins.html", items=items,
                may_manage=can(db(), who(), "plugins.manage", tenant()))


@bp.get("/admin/plugins/<name>")
def plugin(name: str) -> Response:
    _require_plugins_view()
    if name not in runtime().plugins.infos:
        raise NotFound(_("No installed plugin %(name)s.", name=name))
    item = plugin_service.describe_for_tenant(db(), runtime().plugins, tenant().id, name)
    return page("console/plugin.html", item=item, may_manage=can(db(), who(), "plugins.manage", tenant()))


def _settings_from(name: str, form: Any) -> dict[str, Any]:
    """The settings form back into values of the plugin's schema: empty secrets keep their value."""
    spec = runtime().plugins.plugin_settings(name)
    values: dict[str, Any] = {}
    if spec is None:
        return values
    for field_name, fld in spec.schema().fields.items():
        raw = form.get(f"setting-{field_name}")
        if field_name in spec.secret_fields:
            if form.get(f"clear-{field_name}"):
                values[field_name] = None
            elif raw:
                values[field_name] = raw
            continue
        if isinstance(fld, mf.Boolean):
            values[field_name] = bool(raw)
        elif raw not in (None, ""):
            values[field_name] = raw  # marshmallow converts numbers, URLs… and says what is wrong
    return values


@bp.post("/admin/plugins/<name>")
def configure_plugin(name: str) -> Response:
    host, action = runtime().plugins, request.form.get("action")
    kwargs: dict[str, Any] = {}
    if action in ("enable", "disable"):
        kwargs["enabled"] = action == "enable"
    else:
        kwargs["settings"] = _settings_from(name, request.form)

    def run() -> None:
        plugin_service.configure(db(), host, who(), tenant().id, name, **kwargs)

    _act(run, {"enable": _("The plugin was enabled."), "disable": _("The plugin was disabled.")}
         .get(action or "", _("The settings were saved.")))
    if name in host.infos:
        plugin_service.announce_change(db(), host, tenant().id, name)
    return back("console.plugin", name=name)
