"""Social accounts per unit: network, handle, audience languages and connection state; attach an
account, set the languages its audience reads (which of a post's texts it publishes), archive or
restore it, and connect it through the network's own sign-in (OAuth, the API's connect flow).

A connect started here comes back here: the browser's session remembers the flow's state, and
the API's callback, seeing it, hands the finish over to :func:`account_connected`."""

from __future__ import annotations

from flask import Response, flash, redirect, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from herald.api.context import db
from herald.api.schemas.tenancy import AccountCreate, AccountUpdate
from herald.authz import can
from herald.console.blueprint import back, bp, can_somewhere, page, refused, tenant, units_with, who
from herald.console.form_input import run, validated
from herald.errors import Forbidden, HeraldError
from herald.publishing import connect
from herald.publishing.models import AccountCredential
from herald.tenancy import service as tenancy
from herald.tenancy.models import SocialAccount
from herald.web.request_trust import public_base

CONNECTION_STATES = {"connected": _l("Connected"), "not_connected": _l("Not connected"),
                     "reconnect_needed": _l("Reconnect needed")}


def language_codes(text: str) -> list[str]:
    """The audience languages typed in a form ("ar, en" or one per line), in the order given."""
    return [code for code in text.replace(",", " ").split() if code][:20]


def _require_manager() -> None:
    """The page is for people who may manage accounts somewhere; the service decides per account."""
    if not can_somewhere("accounts.manage"):
        raise Forbidden(_("You may not manage social accounts."))


def _callback_url() -> str:
    """The one callback address registered with networks: the API's."""
    return public_base() + "/api/v1/connect/callback"


@bp.get("/admin/accounts")
def accounts() -> Response:
    _require_manager()
    s, tid = db(), tenant().id
    unit_filter = request.args.get("unit", "")[:40]
    show_archived = request.args.get("archived") == "1"
    visible = tenancy.unit_ids_in_scope(s, who(), tid, "accounts.view", unit_filter or None, True)
    stmt = select(SocialAccount).where(SocialAccount.tenant_id == tid, SocialAccount.org_unit_id.in_(visible))
    if not show_archived:
        stmt = stmt.where(SocialAccount.archived_at.is_(None))
    rows = s.scalars(stmt.order_by(SocialAccount.network, SocialAccount.handle)).all()
    reasons = dict(s.execute(select(AccountCredential.account_id, AccountCredential.reconnect_reason).where(
        AccountCredential.account_id.in_([a.id for a in rows]))).all()) if rows else {}
    networks = tenancy.available_networks(s, tid)
    units = units_with("accounts.view", include_archived=True)
    return page("console/accounts.html", accounts=rows, reasons=reasons, states=CONNECTION_STATES,
                manageable={a.id for a in rows if can(s, who(), "accounts.manage", a)},
                networks={k: getattr(c, "display_name", k) or k for k, c in sorted(networks.items())},
                units=units, names={u.id: u.name for u in units}, unit_filter=unit_filter,
                show_archived=show_archived, target_units=units_with("accounts.manage"))


@bp.post("/admin/accounts")
def create_account() -> Response:
    _require_manager()
    form = request.form

    def attach() -> SocialAccount:
        body = validated(AccountCreate, {"org_unit_id": form.get("org_unit_id", ""),
                                         "network": form.get("network", ""),
                                         "handle": form.get("handle", "").strip(),
                                         "display_name": form.get("display_name", "").strip(),
                                         "audience_languages": language_codes(
                                             form.get("audience_languages", "")[:500])})
        return tenancy.create_account(db(), who(), tenant().id, **body)

    run(attach, _("The account was added."))
    return back("console.accounts")


@bp.post("/admin/accounts/<account_id>")
def change_account(account_id: str) -> Response:
    _require_manager()
    action = request.form.get("action")
    if action == "languages":
        def set_languages() -> SocialAccount:
            body = validated(AccountUpdate, {"audience_languages": language_codes(
                request.form.get("audience_languages", "")[:500])})
            return tenancy.update_account(db(), who(), tenant().id, account_id, body)

        run(set_languages, _("The audience languages were saved."))
        return back("console.accounts", _anchor=f"account-{account_id[:40]}")
    if action not in ("archive", "restore"):
        flash(_("Unknown action."), "error")
        return back("console.accounts")
    run(lambda: tenancy.update_account(db(), who(), tenant().id, account_id, {"archived": action == "archive"}),
        _("The account was archived.") if action == "archive" else _("The account was restored."))
    return back("console.accounts", archived="1" if action == "archive" else None)


@bp.post("/admin/accounts/<account_id>/connect")
def connect_account(account_id: str) -> Response:
    """Start the connector's OAuth flow and send the browser to the network."""
    _require_manager()
    try:
        out = connect.start(db(), who(), tenant().id, account_id, _callback_url())
        db().commit()
    except HeraldError as exc:
        db().rollback()
        refused(exc)
        return back("console.accounts")
    session[connect.RETURN_KEY] = {"state": out["state"], "endpoint": "console.account_connected"}
    return redirect(out["authorize_url"], code=303)


@bp.get("/admin/accounts/connected")
def account_connected() -> Response:
    """Finish a connect started on this page (the API's callback forwards here)."""
    args = request.args
    try:
        account = connect.callback(db(), args.get("state", "")[:64], args.get("code", "")[:2000] or None,
                                   args.get("error", "")[:200] or None,
                                   args.get("error_description", "")[:1000] or None)
        db().commit()
    except HeraldError as exc:
        db().rollback()
        refused(exc)
        return back("console.accounts")
    flash(_("The account %(handle)s is connected.", handle=account.handle), "ok")
    return back("console.accounts")
