"""People of the tenant and their status: invite someone by email (a single-use link), disable
a person (every session ends and every token is revoked at once) and enable them again. Grants
stay on the People page (``console.users``), which links here."""

from __future__ import annotations

from flask import Response, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from herald.api.context import db, runtime
from herald.api.schemas.identity import InvitationCreate
from herald.auth import links
from herald.authz import can, require
from herald.authz.check import in_tenant
from herald.console.blueprint import back, bp, page, tenant, who
from herald.console.form_input import run, validated
from herald.people import service as people
from herald.people.models import User
from herald.web.request_trust import public_base

STATUSES = {"active": _l("Active"), "invited": _l("Invited"), "disabled": _l("Disabled")}


def _base_url() -> str:
    return public_base()


def _require(permission: str) -> None:
    require(db(), who(), permission, in_tenant(db(), who(), tenant().id))


@bp.get("/admin/people")
def people_status() -> Response:
    _require("users.view")
    rows = db().scalars(select(User).where(User.tenant_id == tenant().id, User.kind == "person")
                        .order_by(User.email)).all()
    return page("console/people.html", people=rows, statuses=STATUSES,
                may_manage=can(db(), who(), "users.manage", tenant()))


@bp.post("/admin/people/invite")
def invite_person() -> Response:
    _require("users.manage")
    form = request.form

    def invite() -> User:
        body = validated(InvitationCreate, {"email": form.get("email", "").strip(),
                                            "display_name": form.get("display_name", "").strip()})
        person, _link = links.invite(db(), runtime(), who(), tenant().id, email=body["email"],
                                     display_name=body["display_name"], base_url=_base_url())
        return person

    run(invite, _("The invitation was sent."))
    return back("console.people_status")


@bp.post("/admin/people/<user_id>/status")
def change_person_status(user_id: str) -> Response:
    _require("users.manage")
    enable = request.form.get("action") == "enable"
    run(lambda: people.update_user(db(), who(), tenant().id, user_id, {"status": "active" if enable else "disabled"}),
        _("The person can sign in again.") if enable
        else _("The person was disabled: their sessions ended and their tokens were revoked."))
    return back("console.people_status")
