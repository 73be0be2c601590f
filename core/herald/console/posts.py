"""Console pages for posts: the list, a post (content per variant, versions and their diff, the
review with its decision forms) and compose (one post for several accounts and languages,
checked by each network's connector, then submitted for approval)."""

from __future__ import annotations

import re
from typing import Any

from flask import Response, flash, jsonify, request
from flask_babel import gettext as _
from marshmallow import RAISE, ValidationError
from sqlalchemy import select

from herald.api.context import db
from herald.api.schemas.content import Content
from herald.api.views.approvals import approval_out
from herald.approvals import engine
from herald.authz import can
from herald.console import compose_media, compose_preview
from herald.console.blueprint import back, bp, can_somewhere, page, refused, tenant, units_with, who
from herald.console.form_errors import flatten
from herald.console.post_comments import comments_context
from herald.console.publishing import publishing_context
from herald.content import service
from herald.content.diff import diff
from herald.content.models import Post, PostVersion
from herald.errors import HeraldError, NotFound, ValidationFailed
from herald.people.models import User
from herald.tenancy.models import SocialAccount
from herald.tenancy.service import get_unit, unit_ids_in_scope

VARIANT_ROWS = 4


@bp.get("/posts")
def posts() -> Response:
    session = db()
    units = unit_ids_in_scope(session, who(), tenant().id, "posts.view")
    stmt = select(Post).where(Post.tenant_id == tenant().id, Post.org_unit_id.in_(units))
    status = request.args.get("status", "")[:32]
    if status:
        stmt = stmt.where(Post.status == status)
    rows = session.scalars(stmt.order_by(Post.created_at.desc(), Post.id.desc()).limit(200)).all()
    items = [{"post": p, "title": service.version(session, p, p.current_version).content.get("title", "")}
             for p in rows]
    return page("console/posts.html", items=items, status_filter=status)


def _people(ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return {u.id: u.display_name or u.email for u in db().scalars(select(User).where(User.id.in_(ids)))}


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
    return page("console/post.html", post=item, content=current.content, versions=versions, compare=compare,
                review=review, may_decide=may_decide, accounts=accounts, names=_people(ids),
                may_submit=item.status in engine.SUBMITTABLE and can(session, actor, "posts.edit", item),
                **publishing_context(session, actor, item, current.content),
                **comments_context(session, actor, item))


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
def _content_from(form: Any, added: dict[int, list[str]] | None = None) -> tuple[dict[str, Any], list[int]]:
    """The post content the form describes, and the form row of each variant (rows without text
    or media are left out, so variant ``k`` of the content is form row ``rows[k]``). ``added``:
    assets just uploaded, by row."""
    variants, rows = [], []
    for i in range(VARIANT_ROWS):
        text = form.get(f"variant-{i}-text", "")
        media = compose_media.media_of(form, i, (added or {}).get(i))
        if not text.strip() and not media:
            continue
        rows.append(i)
        variants.append({"network": form.get(f"variant-{i}-network") or None,
                         "language": form.get(f"variant-{i}-language") or None,
                         "text": text[:20_000], "media": media,
                         "first_comment": form.get(f"variant-{i}-first_comment", "").strip()[:5000] or None})
    return {"title": form.get("title", "")[:300], "targets": form.getlist("targets")[:100], "variants": variants,
            "tags": [], "notes": "", "paid_promotion": False}, rows


VARIANT_KEY = re.compile(r"^variants\[(\d+)\]")


def _by_row(errors: dict[str, Any], rows: list[int]) -> dict[str, list[str]]:
    """Error keys naming content variants, renamed to the form rows they came from."""
    out: dict[str, list[str]] = {}
    for key, messages in errors.items():
        found = VARIANT_KEY.match(key)
        if found and int(found.group(1)) < len(rows):
            key = f"variants[{rows[int(found.group(1))]}]" + key[found.end():]
        out.setdefault(key, []).extend(messages if isinstance(messages, list) else [str(messages)])
    return out


def _problems(unit_id: str, content: dict[str, Any], rows: list[int]) -> dict[str, list[str]]:
    """What the validation service finds wrong, by field (nothing is written)."""
    session = db()
    problems: dict[str, list[str]] = {}
    if not content["targets"]:
        problems["targets"] = [_("Choose at least one account.")]
    if not content["variants"]:
        problems["variants"] = [_("Write the text of at least one variant.")]
    if problems:
        return problems
    try:
        Content(unknown=RAISE).load(content)  # the API's schema: what a media item may be
    except ValidationError as exc:
        return _by_row(flatten(exc.normalized_messages()), rows)
    try:
        unit = get_unit(session, who(), tenant().id, unit_id, "posts.create")
        service.validate_content(session, who(), tenant().id, unit, content)
    except ValidationFailed as exc:
        return _by_row(exc.errors, rows)
    except HeraldError as exc:
        return {"org_unit_id": [exc.detail]}
    finally:
        session.rollback()
    return {}


def _compose_page(status: int = 200, chosen: dict[int, list[str]] | None = None, **context: Any) -> Response:
    """The compose form; ``chosen``: the media picked for each row (by default, as posted)."""
    session = db()
    form = context.get("form") or {}
    if chosen is None:
        chosen = {i: form.getlist(f"variant-{i}-media") for i in range(VARIANT_ROWS)} if form else {}
    picked = {a for ids in chosen.values() for a in ids}
    units = units_with("posts.create")
    unit_ids = [u.id for u in units]
    accounts = session.scalars(select(SocialAccount).where(
        SocialAccount.tenant_id == tenant().id, SocialAccount.org_unit_id.in_(unit_ids),
        SocialAccount.archived_at.is_(None)).order_by(SocialAccount.network, SocialAccount.handle)).all()
    networks = sorted({a.network for a in accounts})
    return page("console/compose.html", status, units=units, accounts=accounts, networks=networks,
                rows=range(VARIANT_ROWS), assets=compose_media.pickable_assets(picked), media_chosen=chosen,
                may_upload=can_somewhere("media.manage"), **context)


@bp.get("/compose")
def compose() -> Response:
    return _compose_page(form={}, problems={})


@bp.post("/compose/check")
def compose_check() -> Response:
    """The live check: each connector's messages for the form as it stands and the preview of
    each row on each chosen account's network (as data and as the page's fragment), as JSON."""
    content, rows = _content_from(request.form)
    problems = _problems(request.form.get("org_unit_id", ""), content, rows)
    previews = compose_preview.previews_by_row(content, rows)
    return jsonify({"problems": problems, "previews": {str(i): previews.get(i, []) for i in range(VARIANT_ROWS)},
                    "previews_html": {str(i): compose_preview.fragment(i, previews.get(i, []))
                                      for i in range(VARIANT_ROWS)}})


@bp.post("/compose")
def compose_post() -> Response:
    form = request.form
    added, upload_problems = compose_media.uploads(form, request.files, range(VARIANT_ROWS))
    content, rows = _content_from(form, added)
    chosen = {i: [m["asset_id"] for m in compose_media.media_of(form, i, added.get(i))] for i in range(VARIANT_ROWS)}
    unit_id = form.get("org_unit_id", "")
    action = form.get("action", "check")
    if added:
        flash(_("The file was added to the content library and to the variant; it waits for approval "
                "before the post can be published."), "ok")
    if upload_problems or action == "upload":
        return _compose_page(422 if upload_problems else 200, chosen, form=form, problems=upload_problems)
    problems = _problems(unit_id, content, rows)
    if problems or action == "check":
        if not problems:
            flash(_("No problems found."), "ok")
        return _compose_page(422 if problems else 200, chosen, form=form, problems=problems,
                             previews=compose_preview.previews_by_row(content, rows))
    session = db()
    try:
        created = service.create_post(session, who(), tenant().id, org_unit_id=unit_id, content=content,
                                      campaign=form.get("campaign") or None)
        session.commit()
    except HeraldError as exc:
        session.rollback()
        errors = getattr(exc, "errors", None) or {"": [exc.detail]}
        return _compose_page(exc.status, chosen, form=form, problems=_by_row(errors, rows))
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

