"""People of the tenant and their status: invite someone by email (a single-use link), disable
a person (every session ends and every token is revoked at once) and enable them again. Grants
stay on the People page (``console.users``), which links here."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, request
from flask_babel import gettext as _
from sqlalchemy import select

from herald.api.context import db, runtime
from herald.api.schemas.identity import InvitationCreate
from herald.api.schemas.names import NAME_LIMITS
from herald.auth import links
from herald.authz import can, require
from herald.authz.check import in_tenant
from herald.console.blueprint import back, bp, page, refused, tenant, who
from herald.console.form_input import problems, run, validated
from herald.console.labels import PERSON_STATUSES
from herald.errors import HeraldError, ValidationFailed
from herald.people import service as people
from herald.people.models import User
from herald.web.request_trust import public_base

STATUSES = PERSON_STATUSES  # one place for the names of statuses: herald.console.labels


def _base_url() -> str:
    return public_base()


def _require(permission: str) -> None:
    require(db(), who(), permission, in_tenant(db(), who(), tenant().id))


def _people_page(status: int = 200, **context: Any) -> Response:
    rows = db().scalars(select(User).where(User.tenant_id == tenant().id, User.kind == "person")
                        .order_by(User.email)).all()
    notifiers = runtime().plugins.for_tenant(db(), tenant().id).classes("herald_notifiers")
    context = {"invite_problems": {}, "invite_values": {}, "invitation": None,
               "email_enabled": any(cls.key == "email" for cls in notifiers), **context}
    return page("console/people.html", status, people=rows, statuses=STATUSES,
                may_manage=can(db(), who(), "users.manage", tenant()), name_limit=NAME_LIMITS["person"], **context)


@bp.get("/admin/people")
def people_status() -> Response:
    _require("users.view")
    return _people_page()


@bp.post("/admin/people/invite")
def invite_person() -> Response:
    """Invite someone; when no e-mail notifier is enabled for the tenant, say that nothing was
    sent and show the link to pass on (this page is not cached: ``no-store``)."""
    _require("users.manage")
    values = {"email": request.form.get("email", "").strip(), "display_name": request.form.get("display_name", "")}
    try:
        body = validated(InvitationCreate, values)
        made = links.issue_invitation(db(), runtime(), who(), tenant().id, email=body["email"],
                                      display_name=body["display_name"], base_url=_base_url())
        db().commit()
    except ValidationFailed as exc:
        db().rollback()
        return _people_page(422, invite_problems=problems(exc), invite_values=values)
    except HeraldError as exc:
        db().rollback()
        refused(exc)
        return back("console.people_status")
    if made.emailed:
        flash(_("The invitation was sent."), "ok")
        return back("console.people_status")
    return _people_page(invitation={"email": made.user.email, "url": made.url})


@bp.post("/admin/people/<user_id>/status")
def change_person_status(user_id: str) -> Response:
    _require("users.manage")
    enable = request.form.get("action") == "enable"
    run(lambda: people.update_user(db(), who(), tenant().id, user_id, {"status": "active" if enable else "disabled"}),
        _("The person can sign in again.") if enable
        else _("The person was disabled: their sessions ended and their tokens were revoked."))
    return back("console.people_status")
