"""Publishing on a post's page: schedule an approved post (a wall-clock time in an IANA zone),
publish it now, and per publication retry, cancel or unpublish. Every action calls the planning
service the API calls (:mod:`herald.publishing.planning`) with the signed-in person as actor, so
the permission checks (``posts.schedule``, ``posts.publish``) and the approval gate are the
service's own; the page shows a button only where the same permission holds and the
publication's state allows it."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from flask import Response, flash, request
from flask import session as flask_session
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from herald import timing
from herald.api.context import db
from herald.approvals.gate import PUBLISHABLE_STATES
from herald.authz import Actor, can
from herald.clock import utcnow
from herald.console.blueprint import back, bp, refused, tenant, who
from herald.console.field_labels import messages_of
from herald.console.i18n import select_timezone
from herald.console.publication_plan import warning_text
from herald.content.models import Post
from herald.errors import HeraldError, ValidationFailed
from herald.publishing import planning
from herald.publishing.publication_plan import schedule_warnings
from herald.tenancy.models import SocialAccount

#: post statuses from which the post can be scheduled or published (a fully failed post too)
PLANNABLE = PUBLISHABLE_STATES | {"failed"}
#: what each per-publication action needs: the permission, and the states that allow it
ACTIONS: dict[str, tuple[str, frozenset[str]]] = {
    "retry": ("posts.publish", frozenset({"failed", "needs_attention"})),
    "cancel": ("posts.schedule", frozenset({"scheduled", "failed", "needs_attention"})),
    "unpublish": ("posts.publish", frozenset({"published"})),
}
#: the schedule form's control for each field a refusal may name
SCHEDULE_FIELDS = {"local_time": "local_time", "at": "local_time", "fold": "local_time", "time_zone": "time_zone"}
#: the browser session's key for a refused schedule form, shown next to its fields on the next page
PROBLEMS_KEY = "console.schedule_problems"


@lru_cache(maxsize=1)
def time_zones() -> list[str]:
    return sorted(z for z in available_timezones() if "/" in z or z == "UTC")


def publishing_context(session: Session, actor: Actor, post: Post, content: dict[str, Any]) -> dict[str, Any]:
    """What the post page's publishing section shows, decided with the services' permissions."""
    pubs = planning.list_publications(session, actor, post.tenant_id, post.id)
    accounts = {a.id: a for a in session.scalars(select(SocialAccount).where(
        SocialAccount.id.in_({*content.get("targets", []), *(p.account_id for p in pubs)})))}
    may = {perm: can(session, actor, perm, post) for perm in ("posts.schedule", "posts.publish")}
    rows = [{"pub": p, "account": accounts.get(p.account_id),
             "actions": [a for a, (perm, states) in ACTIONS.items() if may[perm] and p.state in states]}
            for p in pubs]
    live = [p for p in pubs if p.state not in ("cancelled", "deleted")]
    waiting = any(p.state == "scheduled" for p in pubs)
    plannable = post.status in PLANNABLE
    zone = select_timezone()
    kept = session_problems(post.id)
    return {
        "schedule_problems": kept.get("fields", {}), "schedule_values": kept.get("values", {}),
        "publications": rows,
        "published_count": sum(1 for p in live if p.state == "published"), "live_count": len(live),
        "may_schedule": plannable and may["posts.schedule"], "may_publish": plannable and may["posts.publish"],
        "rescheduling": waiting, "targets": [accounts[t] for t in content.get("targets", []) if t in accounts],
        "time_zones": time_zones(), "viewer_zone": zone,
    }


def session_problems(post_id: str) -> dict[str, Any]:
    """The refused schedule form of ``post_id`` kept for this page view (then forgotten)."""
    kept = flask_session.get(PROBLEMS_KEY)
    if not isinstance(kept, dict) or kept.get("post_id") != post_id:
        return {}
    flask_session.pop(PROBLEMS_KEY, None)
    return kept


def _form_problems(exc: HeraldError) -> dict[str, list[str]] | None:
    """A refusal's errors by the schedule form's controls, when every error belongs to one."""
    errors = getattr(exc, "errors", None) or {}
    if not errors or any(f not in SCHEDULE_FIELDS for f in errors):
        return None
    out: dict[str, list[str]] = {}
    for field, messages in errors.items():
        out.setdefault(SCHEDULE_FIELDS[field], []).extend(messages_of(messages))
    return out


def _not_past(when: dict[str, Any]) -> None:
    """Refuse a time that has passed, in the reader's language (the service refuses it too)."""
    instant = timing.to_instant(when["local_time"], when["time_zone"], when["fold"])
    if instant <= utcnow():
        raise ValidationFailed(_("The time is in the past."), {"local_time": [_(
            "%(when)s (%(zone)s) has already passed. Choose a later time, or publish now.",
            when=when["local_time"].isoformat(sep=" ", timespec="minutes"), zone=when["time_zone"])]})


def _when(form: Any) -> dict[str, Any]:
    text = form.get("local_time", "").strip()
    zone = form.get("time_zone", "").strip()[:64] or select_timezone()
    if not text:
        raise ValidationFailed(_("Choose the day and time to publish."),
                               {"local_time": [_("Choose the day and time to publish.")]})
    try:
        local = datetime.fromisoformat(text[:16])
    except ValueError as exc:
        raise ValidationFailed(_("The date and time are not valid."),
                               {"local_time": [_("The date and time are not valid: use the form YYYY-MM-DD HH:MM.")]}
                               ) from exc
    fold = form.get("fold")
    return {"local_time": local, "time_zone": zone, "fold": int(fold) if fold in ("0", "1") else None}


@bp.post("/posts/<post_id>/schedule")
def schedule(post_id: str) -> Response:
    """Schedule (or, when something is already waiting, reschedule) the post; or publish it now."""
    form, session = request.form, db()
    accounts = [a[:40] for a in form.getlist("account_ids")][:100] or None
    action = form.get("action", "schedule")
    try:
        if action == "publish_now":
            pubs = planning.publish_now(session, who(), tenant().id, post_id, accounts)
            count = len({p.account_id for p in pubs})
            message = ngettext("Publishing now on %(num)s account.", "Publishing now on %(num)s accounts.", count)
        else:
            when = _when(form)
            _not_past(when)
            if action == "reschedule":
                pubs = planning.reschedule(session, who(), tenant().id, post_id, when)
            else:
                pubs = planning.schedule(session, who(), tenant().id, post_id, when, accounts)
            message = _("The post is planned for %(when)s (%(zone)s).",
                        when=when["local_time"].isoformat(sep=" ", timespec="minutes"), zone=when["time_zone"])
        warnings = schedule_warnings(session, pubs)
        session.commit()
        flash(message, "ok")
        for warning in warnings:  # scheduled anyway: the account may be reconnected in time
            flash(warning_text(warning), "warning")
    except HeraldError as exc:
        session.rollback()
        fields = _form_problems(exc) if action != "publish_now" else None
        if fields is None:
            refused(exc)
        else:  # one message, next to its field
            session_state = {"post_id": post_id, "fields": fields,
                             "values": {"local_time": form.get("local_time", "")[:16],
                                        "time_zone": form.get("time_zone", "")[:64]}}
            flask_session[PROBLEMS_KEY] = session_state
            return back("console.post", post_id=post_id, _anchor="schedule-form")
    return back("console.post", post_id=post_id)


@bp.post("/publications/<publication_id>/<action>")
def publication_action(publication_id: str, action: str) -> Response:
    session = db()
    post_id = None
    try:
        _pub, post = planning.get_publication(session, who(), tenant().id, publication_id[:40])
        post_id = post.id
        if action == "retry":
            planning.retry(session, who(), tenant().id, publication_id,
                           assume_not_published=request.form.get("assume_not_published") == "1")
            message = _("The publication will be tried again.")
        elif action == "cancel":
            planning.cancel(session, who(), tenant().id, publication_id)
            message = _("The publication was cancelled.")
        elif action == "unpublish":
            planning.unpublish(session, who(), tenant().id, publication_id)
            message = _("The post was deleted from the network.")
        else:
            raise ValidationFailed(_("Unknown action."), {})
        session.commit()
        flash(message, "ok")
    except HeraldError as exc:
        session.rollback()
        refused(exc)
    if post_id is None:
        return back("console.posts")
    return back("console.post", post_id=post_id)
