"""Console pages for posts: the list, a post (content per variant, versions and their diff, the
review with its decision forms) and compose (one post for several accounts and languages,
checked by each network's connector, then submitted for approval)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel.dates import format_datetime
from flask import Response, flash, jsonify, request
from flask_babel import format_datetime as flask_format_datetime
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from herald.api.context import db
from herald.api.views.approvals import approval_out
from herald.approvals import engine
from herald.authz import can
from herald.clock import utcnow
from herald.console import compose_form, compose_media, compose_preview, post_edit
from herald.console.blueprint import back, bp, page, refused, tenant, units_with, who
from herald.console.i18n import select_timezone
from herald.console.person_names import people_names
from herald.console.post_comments import comments_context
from herald.console.publishing import publishing_context
from herald.content import service
from herald.content.diff import diff
from herald.content.models import POST_STATUSES, Post, PostVersion
from herald.errors import HeraldError, NotFound, ValidationFailed
from herald.tenancy.models import OrgUnit, SocialAccount
from herald.tenancy.service import get_unit, unit_ids_in_scope


@bp.get("/posts")
def posts() -> Response:
    session = db()
    units = unit_ids_in_scope(session, who(), tenant().id, "posts.view")
    stmt = select(Post).where(Post.tenant_id == tenant().id, Post.org_unit_id.in_(units))
    status = request.args.get("status", "")[:32]
    if status:
        stmt = stmt.where(Post.status == status)
    rows = session.scalars(stmt.order_by(Post.created_at.desc(), Post.id.desc()).limit(200)).all()
    contents = service.current_contents(session, list(rows))
    items = [{"post": p, "title": contents[p.id].get("title", "")} for p in rows]
    return page("console/posts.html", items=items, status_filter=status, statuses=POST_STATUSES)


@bp.get("/posts/<post_id>")
def post(post_id: str) -> Response:
    session, actor = db(), who()
    item = service.get_post(session, actor, tenant().id, post_id)
    current = service.version(session, item, item.current_version)
    versions = session.scalars(select(PostVersion).where(PostVersion.post_id == item.id)
                               .order_by(PostVersion.number.desc())).all()
    compare = None
    if request.args.get("from") and request.args.get("to"):
        try:
            a = service.version(session, item, int(request.args["from"]))
            b = service.version(session, item, int(request.args["to"]))
            compare = {"from": a.number, "to": b.number, "changes": diff(a.content, b.content)}
        except (ValueError, NotFound):
            flash(_("Choose two versions of this post to compare."), "error")
    run = engine.active_run(session, item) or engine.latest_run(session, item)
    review = approval_out(item, run) if run is not None else None
    may_decide = bool(review and run and run.status == "active"
                      and actor.user_id in review["steps"][run.current_step]["eligible_deciders"])
    accounts = {a.id: a for a in session.scalars(
        select(SocialAccount).where(SocialAccount.id.in_(current.content.get("targets", []))))}
    ids = {item.author_id, *(v.author_id for v in versions)}
    if review:
        ids |= {d.decider_id for d in review["decisions"] if d.decider_id}
    lease = post_edit.lease_of(item)
    if lease:
        ids.add(lease["holder_id"])
    may_edit = item.status not in service.LOCKED and can(session, actor, "posts.edit", item)
    return page("console/post.html", post=item, content=current.content, versions=versions, compare=compare,
                requested=requested_time_view(item, current.content),
                review=review, may_decide=may_decide, accounts=accounts, names=people_names(ids),
                may_submit=item.status in engine.SUBMITTABLE and can(session, actor, "posts.edit", item),
                may_edit=may_edit, lease=lease,
                **publishing_context(session, actor, item, current.content),
                **comments_context(session, actor, item))


def requested_time_view(post: Post, content: dict[str, Any]) -> dict[str, Any] | None:
    """The time the author asked for, as the post page shows it: in its own zone, in the
    reader's when that differs, and whether it passed while the post still waits for it."""
    asked = content.get("requested_time")
    if not asked:
        return None
    local = datetime.fromisoformat(asked["local_time"])
    try:
        instant: datetime | None = service.requested_instant(asked)
    except ValidationFailed:
        instant = None
    waiting = post.status in ("draft", "in_review", "changes_requested", "approved")
    return {"local": format_datetime(local, "medium", locale=get_locale()), "zone": asked["time_zone"],
            "mine": flask_format_datetime(instant, "short") if instant and asked["time_zone"] != select_timezone()
            else None, "passed": waiting and (instant is None or instant <= utcnow())}


@bp.post("/posts/<post_id>/decision")
def decide(post_id: str) -> Response:
    decision = request.form.get("decision", "")
    try:
        engine.decide(db(), who(), tenant().id, post_id, decision=decision,
                      comment=request.form.get("comment", "")[:5000])
        db().commit()
        flash({"approve": _("You approved this post."), "send_back": _("You sent this post back."),
               "reject": _("You rejected this post.")}.get(decision, _("Saved.")), "ok")
    except HeraldError as exc:
        db().rollback()
        refused(exc)
    return back("console.post", post_id=post_id)


@bp.post("/posts/<post_id>/submit")
def submit(post_id: str) -> Response:
    try:
        engine.submit(db(), who(), tenant().id, post_id)
        db().commit()
        flash(_("The post was submitted for approval."), "ok")
    except HeraldError as exc:
        db().rollback()
        refused(exc)
    return back("console.post", post_id=post_id)


# ----------------------------------------------------------------------------- compose
def _unit_to_create_in() -> OrgUnit:
    return get_unit(db(), who(), tenant().id, request.form.get("org_unit_id", "")[:40], "posts.create")


def _compose_page(draft: compose_form.Draft, status: int = 200, problems: dict[str, list[str]] | None = None,
                  previews: dict[int, Any] | None = None) -> Response:
    units = units_with("posts.create")
    accounts = compose_form.accounts_for(unit_ids=[u.id for u in units])
    return page("console/compose.html", status, units=units, problems=problems or {},
                **compose_form.form_context(draft, accounts, previews))


@bp.get("/compose")
def compose() -> Response:
    return _compose_page(compose_form.Draft())


@bp.post("/compose/check")
def compose_check() -> Response:
    """The live check: each connector's messages for the form as it stands and the preview of
    each row on each chosen account's network (as data and as the page's fragment), as JSON."""
    return jsonify(compose_form.check_answer(compose_form.draft_from_form(request.form), _unit_to_create_in))


@bp.post("/compose")
def compose_post() -> Response:
    form = request.form
    added, upload_problems = compose_media.uploads(form, request.files, compose_form.draft_from_form(form).row_ids)
    draft = compose_form.draft_from_form(form, added)
    action = form.get("action", "check")
    if added:
        flash(_("The file was added to the content library and to the variant; it waits for approval "
                "before the post can be published."), "ok")
    if compose_form.change_rows(draft, action):
        return _compose_page(draft, problems=upload_problems)
    if upload_problems or action == "upload":
        return _compose_page(draft, 422 if upload_problems else 200, upload_problems)
    content, rows = compose_form.content_of(draft)
    problems = compose_form.problems(content, rows, _unit_to_create_in, draft.campaign)
    if problems or action == "check":
        if not problems:
            flash(_("No problems found."), "ok")
        return _compose_page(draft, 422 if problems else 200, problems,
                             compose_preview.previews_by_row(content, rows))
    session = db()
    try:
        created = service.create_post(session, who(), tenant().id, org_unit_id=draft.org_unit_id, content=content,
                                      campaign=draft.campaign or None)
        session.commit()
    except HeraldError as exc:
        session.rollback()
        return _compose_page(draft, exc.status, compose_form.refusal(exc, rows))
    if action == "submit":
        try:
            engine.submit(session, who(), tenant().id, created.id)
            session.commit()
            flash(_("The post was created and submitted for approval."), "ok")
        except HeraldError as exc:
            session.rollback()
            refused(exc)
    else:
        flash(_("The post was saved as a draft."), "ok")
    return back("console.post", post_id=created.id)
