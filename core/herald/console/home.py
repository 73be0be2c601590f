"""Console pages about the person: choosing a tenant to sign in to, home ("waiting for me"),
the profile (language, time zone) and signing out."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from herald.api.context import browser_session, csrf_exempt, db, set_session_cookie
from herald.approvals import engine
from herald.auth import sessions
from herald.console.blueprint import back, bp, page, refused, tenant, user, who
from herald.console.i18n import LANGUAGES, preview_language, remember
from herald.content.service import version
from herald.errors import HeraldError
from herald.people import service as people
from herald.tenancy.models import Tenant
from herald.web.pages import safe_relay


@bp.route("/sign-in", methods=["GET", "POST"])
@csrf_exempt  # it only redirects to a sign-in page, which has its own protection
def choose_tenant() -> Response:
    """Which organisation? Then on to that tenant's sign-in page, coming back here after."""
    relay = safe_relay(request.values.get("next")) or url_for("console.dashboard")
    slug = request.values.get("tenant", "").strip().lower()[:64]
    error = None
    if slug:
        found = db().execute(select(Tenant).where(Tenant.slug == slug, Tenant.status == "active")).scalar_one_or_none()
        if found is not None:
            return redirect(url_for("sign_in.page", slug=found.slug, next=relay, lang=preview_language()), code=303)
        error = _("No organisation with that name here.")
    html = render_template("console/choose_tenant.html", next=relay, error=error, slug=slug)
    return Response(html, status=404 if error else 200, mimetype="text/html")


@bp.get("/")
def dashboard() -> Response:
    session = db()
    waiting = [{"post": post, "title": version(session, post, run.version).content.get("title", ""),
                "step": run.steps[run.current_step]["name"], "workflow": run.workflow_name, "due": due}
               for post, run, due in engine.waiting_for(session, who(), tenant().id)]
    return page("console/dashboard.html", waiting=waiting)


@bp.route("/profile", methods=["GET", "POST"])
def profile() -> Response:
    if request.method == "POST":
        changes = {"locale": request.form.get("locale") or None, "time_zone": request.form.get("time_zone") or None}
        if changes["locale"] not in (None, *LANGUAGES):
            changes["locale"] = None
        try:
            people.update_user(db(), who(), tenant().id, user().id, changes)
            db().commit()
            flash(_("Your profile was saved."), "ok")
            remember(None)  # the profile decides the language from now on
        except HeraldError as exc:
            db().rollback()
            refused(exc)
        return back("console.profile")
    from zoneinfo import available_timezones

    return page("console/profile.html", zones=sorted(available_timezones()))


@bp.post("/sign-out")
def sign_out() -> Response:
    slug = tenant().slug
    sessions.end(db(), browser_session(), "signed_out", who())  # type: ignore[arg-type]
    db().commit()
    set_session_cookie(None)
    return redirect(url_for("sign_in.page", slug=slug, next=url_for("console.dashboard")), code=303)
