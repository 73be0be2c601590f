"""The console blueprint and what every console page shares: who is signed in, the menu, the
rendering of pages and of refusals.

Pages are thin: they call the same services as the API with the same actor, so every permission
check is the service's own. What a page *shows* (a button, a menu entry) is decided with
:func:`herald.authz.can` on the same permission, but the server refuses regardless."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import exists, select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BuildError

from herald.api.context import browser_session, db, runtime
from herald.authz import Actor, can, visible_unit_filter
from herald.console.i18n import LANGUAGES, direction
from herald.errors import HeraldError
from herald.people.models import User
from herald.tenancy.models import OrgUnit, Tenant

bp = Blueprint("console", __name__, url_prefix="/console", static_folder="static", static_url_path="/static")
log = logging.getLogger(__name__)
#: endpoints reachable without a session.
PUBLIC = {"console.static", "console.choose_tenant"}


@dataclass(frozen=True)
class MenuItem:
    label: str
    url: str
    endpoint: str


def who() -> Actor:
    return g.actor


def tenant() -> Tenant:
    return g.console_tenant


def user() -> User:
    return g.console_user


def can_somewhere(permission: str) -> bool:
    """True if the person holds ``permission`` on at least one unit of their tenant."""
    session = db()
    return bool(session.execute(select(exists().where(
        OrgUnit.tenant_id == tenant().id,
        visible_unit_filter(session, who(), permission, tenant().id)))).scalar())


def units_with(permission: str, include_archived: bool = False) -> list[OrgUnit]:
    session = db()
    stmt = select(OrgUnit).where(OrgUnit.tenant_id == tenant().id,
                                 visible_unit_filter(session, who(), permission, tenant().id))
    if not include_archived:
        stmt = stmt.where(OrgUnit.archived_at.is_(None))
    return list(session.scalars(stmt.order_by(OrgUnit.path)))


def _menu() -> list[MenuItem]:
    items = [MenuItem(_("Home"), url_for("console.dashboard"), "console.dashboard")]
    if can_somewhere("posts.view"):
        items.append(MenuItem(_("Posts"), url_for("console.posts"), "console.posts"))
        items.append(MenuItem(_("Calendar"), url_for("console.calendar"), "console.calendar"))
    if can_somewhere("posts.create"):
        items.append(MenuItem(_("Compose"), url_for("console.compose"), "console.compose"))
    if can_somewhere("inbox.read"):
        items.append(MenuItem(_("Inbox"), url_for("console.inbox"), "console.inbox"))
    if can_somewhere("media.view"):
        items.append(MenuItem(_("Content library"), url_for("console.library_page"), "console.library_page"))
    if can_somewhere("units.view"):
        items.append(MenuItem(_("Organisation"), url_for("console.units"), "console.units"))
    if can(db(), who(), "users.view", tenant()):
        items.append(MenuItem(_("People"), url_for("console.users"), "console.users"))
    if can_somewhere("accounts.manage"):
        items.append(MenuItem(_("Social accounts"), url_for("console.accounts"), "console.accounts"))
    if can(db(), who(), "roles.manage", tenant()) or can_somewhere("grants.view"):
        items.append(MenuItem(_("Roles"), url_for("console.roles"), "console.roles"))
    if can(db(), who(), "tenant.manage", tenant()):
        items.append(MenuItem(_("Service tokens"), url_for("console.tenant_tokens"), "console.tenant_tokens"))
    if can(db(), who(), "plugins.view", tenant()):
        items.append(MenuItem(_("Plugins"), url_for("console.plugins"), "console.plugins"))
    if can_somewhere("workflows.manage"):
        items.append(MenuItem(_("Workflows"), url_for("console.workflows"), "console.workflows"))
    if can(db(), who(), "inbox.admin", tenant()):
        items.append(MenuItem(_("Inbox teams and rules"), url_for("console.inbox_teams"), "console.inbox_teams"))
    if can(db(), who(), "audit.view", tenant()):
        items.append(MenuItem(_("Audit log"), url_for("console.audit"), "console.audit"))
    items.append(MenuItem(_("My API tokens"), url_for("console.my_tokens"), "console.my_tokens"))
    hooks = runtime().plugins.for_tenant(db(), tenant().id)
    for _plugin, extensions in hooks.collect("herald_console_extensions"):
        for ext in extensions or []:
            for entry in ext.menu:
                allowed = (can(db(), who(), entry.permission, tenant()) if entry.scope == "tenant"
                           else can_somewhere(entry.permission))
                if not allowed:
                    continue
                try:
                    items.append(MenuItem(entry.label, url_for(entry.endpoint), entry.endpoint))
                except BuildError:  # installed after this process started: mounted at the next start
                    continue
    return items


def page(template: str, status: int = 200, **context: Any) -> Response:
    """Render a console page inside the layout."""
    locale = str(get_locale() or "en")
    html = render_template(template, menu=_menu(), tenant=tenant(), me=user(), locale=locale,
                           dir=direction(locale), languages=LANGUAGES,
                           csrf_token=getattr(browser_session(), "csrf_token", ""),  # "" for API tokens
                           **context)
    resp = Response(html, status=status, mimetype="text/html")
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Content-Security-Policy"] = ("default-src 'none'; style-src 'self'; script-src 'self'; "
                                               "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
                                               "frame-ancestors 'none'")
    resp.headers["X-Frame-Options"] = "DENY"
    return resp


def back(endpoint: str, **values: Any) -> Response:
    return redirect(url_for(endpoint, **values), code=303)


def refused(exc: HeraldError) -> None:
    """Tell the person why an action was refused (shown on the next page); each field error is
    named by its translated label, never by its raw field name."""
    from herald.console.field_labels import field_messages

    flash(exc.detail, "error")
    for message in field_messages(getattr(exc, "errors", None)):
        flash(message, "error")


@bp.before_request
def _signed_in() -> Response | None:
    if request.endpoint in PUBLIC:
        return None
    row = browser_session()
    if row is None or g.actor is None:
        return redirect(url_for("console.choose_tenant", next=request.full_path.rstrip("?")), code=303)
    person = db().get(User, row.user_id)
    if person is None or person.tenant_id is None:
        return Response(_("The console is for people of a tenant; operators use the API."), 403,
                        mimetype="text/plain")
    g.console_user = person
    g.console_tenant = db().get(Tenant, person.tenant_id)
    return None


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    html = render_template("console/message.html", title=exc.name, detail=exc.description)
    return Response(html, exc.code or 500, mimetype="text/html")


@bp.errorhandler(Exception)
def _unexpected(exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    html = render_template("console/message.html", title=_("Something went wrong"),
                           detail=_("Herald hit an unexpected error; it has been logged."))
    return Response(html, 500, mimetype="text/html")


@bp.errorhandler(HeraldError)
def _error(exc: HeraldError) -> Response:
    if g.get("console_tenant") is None or browser_session() is None:
        return Response(exc.detail, exc.status, mimetype="text/plain")
    return page("console/error.html", exc.status, title=exc.title, detail=exc.detail)
