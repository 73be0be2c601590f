"""Editing a post in the console: every variant (text, first comment, media, network, language),
the title, accounts, campaign, tags, notes and paid promotion, through the post service exactly as
``PUT /api/v1/tenants/<t>/posts/<id>/content`` does.

- Opening the edit page takes the post's edit lease (``service.take_lease``); while someone else
  holds it the page says who and until when, and offers no form.
- The form carries the version it was opened on; a save is ``service.save_post`` with that base
  version, which refuses it when another save came first. The page then comes back with
  everything typed, what the other save changed, and the choice to save over it.
- Saving gives the lease back (``service.release_lease``), and so does "Cancel".
- What a saved edit does to the review (approvals withdrawn, review restarted, a schedule
  cancelled) is :mod:`herald.editing.posts`'s, as for the API; the page only reports what
  happened.
- The connectors' live check and the preview are compose's (:mod:`herald.console.compose_form`)."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _

from herald.api.context import db
from herald.approvals import engine
from herald.authz import can
from herald.clock import utcnow
from herald.console import compose_form, compose_media, compose_preview
from herald.console.blueprint import back, bp, page, refused, tenant, who
from herald.console.person_names import people_names
from herald.content import service
from herald.content.diff import diff
from herald.content.models import Post
from herald.editing import posts as editing
from herald.errors import Conflict, HeraldError
from herald.tenancy.models import OrgUnit


def lease_of(post: Post) -> dict[str, Any] | None:
    """Who holds the post's edit lease and until when (None: nobody, or it ran out)."""
    if post.lease_holder_id and post.lease_expires_at and post.lease_expires_at > utcnow():
        return {"holder_id": post.lease_holder_id, "until": post.lease_expires_at}
    return None


def _holder(post: Post) -> dict[str, Any] | None:
    lease = lease_of(post)
    if lease is None:
        return None
    return {**lease, "name": people_names({lease["holder_id"]}).get(lease["holder_id"], lease["holder_id"]),
            "mine": lease["holder_id"] == who().user_id}


def _post(post_id: str) -> Post:
    return service.get_post(db(), who(), tenant().id, post_id[:40], "posts.edit")


def _unit(post: Post) -> OrgUnit:
    unit = db().get(OrgUnit, post.org_unit_id)
    assert unit is not None  # a post's unit is never deleted
    return unit


def _edit_page(post: Post, draft: compose_form.Draft, base_version: int, status: int = 200,
               problems: dict[str, list[str]] | None = None, previews: dict[int, Any] | None = None,
               conflict: dict[str, Any] | None = None) -> Response:
    accounts = compose_form.accounts_for(under=_unit(post), also=draft.targets)
    return page("console/post_edit.html", status, post=post, base_version=base_version, problems=problems or {},
                conflict=conflict, lease=_holder(post), restarts_review=post.status in engine.UNDER_REVIEW_OR_APPROVED,
                **compose_form.form_context(draft, accounts, previews))


def _held_page(post: Post, exc: Conflict) -> Response:
    """Someone else holds the lease, or the post can no longer be edited: no form."""
    holder = _holder(post) if "lease_holder_id" in exc.extra else None
    return page("console/post_edit.html", 409, post=post, held=holder, blocked=None if holder else exc.detail,
                may_break=bool(holder) and can(db(), who(), "posts.approve", post))


def _renew(post: Post) -> dict[str, Any] | None:
    """Keep the lease while the person works on the form; a conflict if someone took it."""
    session = db()
    try:
        service.take_lease(session, who(), post)
        session.commit()
    except Conflict:
        session.rollback()
        return {"kind": "lease", "holder": _holder(post)}
    return None


@bp.get("/posts/<post_id>/edit")
def edit_post(post_id: str) -> Response:
    session = db()
    post = _post(post_id)
    try:
        service.refuse_locked_edit(post)
        service.take_lease(session, who(), post)
        session.commit()
    except Conflict as exc:
        session.rollback()
        return _held_page(post, exc)
    current = service.version(session, post, post.current_version)
    draft = compose_form.draft_from_content(current.content, post.org_unit_id, post.campaign)
    return _edit_page(post, draft, post.current_version)


@bp.post("/posts/<post_id>/edit/check")
def edit_post_check(post_id: str) -> Response:
    """The live check of the edit form (as compose's): problems and previews, as JSON."""
    post = _post(post_id)
    return jsonify(compose_form.check_answer(compose_form.draft_from_form(request.form), lambda: _unit(post)))


def _base_version(form: Any, post: Post) -> int:
    raw = form.get("rebase") or form.get("base_version") or ""
    return int(raw) if raw.isdigit() and 0 < int(raw) < 1_000_000 else post.current_version


@bp.post("/posts/<post_id>/edit")
def edit_post_save(post_id: str) -> Response:
    form = request.form
    post = _post(post_id)
    base = _base_version(form, post)
    rows = compose_form.draft_from_form(form).row_ids
    added, upload_problems = compose_media.uploads(form, request.files, rows, unit_id=post.org_unit_id)
    draft = compose_form.draft_from_form(form, added)
    draft.org_unit_id = post.org_unit_id
    action = "save" if form.get("rebase") else form.get("action", "check")
    if added:
        flash(_("The file was added to the content library and to the variant; it waits for approval "
                "before the post can be published."), "ok")
    if compose_form.change_rows(draft, action) or upload_problems or action == "upload":
        return _edit_page(post, draft, base, 422 if upload_problems else 200, upload_problems, conflict=_renew(post))
    content, content_rows = compose_form.content_of(draft)
    problems = compose_form.problems(content, content_rows, lambda: _unit(post), draft.campaign)
    if problems or action == "check":
        if not problems:
            flash(_("No problems found."), "ok")
        return _edit_page(post, draft, base, 422 if problems else 200, problems,
                          compose_preview.previews_by_row(content, content_rows), conflict=_renew(post))
    return _save(post, draft, base, content, content_rows)


def _save(post: Post, draft: compose_form.Draft, base: int, content: dict[str, Any], rows: list[int]) -> Response:
    session, actor = db(), who()
    run_before, campaign_before = engine.latest_run(session, post), post.campaign
    try:
        saved = editing.save_post(session, actor, tenant().id, post.id, base_version=base, content=content,
                                  campaign=draft.campaign or None)
        moved = saved.campaign != campaign_before
        number = saved.current_version
        service.release_lease(session, actor, saved)
        session.commit()
    except Conflict as exc:
        session.rollback()
        return _edit_page(post, draft, base, 409, conflict=_conflict(post, exc, base))
    except HeraldError as exc:
        session.rollback()
        return _edit_page(post, draft, base, exc.status, compose_form.refusal(exc, rows))
    run_after = engine.latest_run(session, saved)
    if number == base and not moved:
        flash(_("Nothing was changed; the post stays at version %(n)s.", n=number), "ok")
        return back("console.post", post_id=post.id)
    if moved:
        flash(_("The post now belongs to the campaign “%(name)s”.", name=saved.campaign) if saved.campaign
              else _("The post no longer belongs to a campaign."), "ok")
    if number != base:
        flash(_("Saved as version %(n)s.", n=number), "ok")
    if run_after is not None and (run_before is None or run_after.id != run_before.id):
        flash(_("The approvals given to the earlier version no longer count: review started again."), "ok")
    if number == base:
        return back("console.post", post_id=post.id)
    return redirect(url_for("console.post", post_id=post.id, **{"from": base, "to": number}) + "#h-versions",
                    code=303)


def _conflict(post: Post, exc: Conflict, base: int) -> dict[str, Any]:
    """What the page says about a refused save: someone holds the lease, another save came
    first (with what it changed), or the post can no longer be edited."""
    session = db()
    session.refresh(post)
    if "lease_holder_id" in exc.extra:
        return {"kind": "lease", "holder": _holder(post)}
    if "current_version" in exc.extra:
        before = service.version(session, post, base).content
        after = service.version(session, post, post.current_version).content
        return {"kind": "version", "base": base, "current": post.current_version, "changes": diff(before, after)}
    return {"kind": "other", "detail": exc.detail}


@bp.post("/posts/<post_id>/edit/cancel")
def edit_post_cancel(post_id: str) -> Response:
    session = db()
    post = service.get_post(session, who(), tenant().id, post_id[:40])
    service.release_lease(session, who(), post)
    session.commit()
    flash(_("Editing stopped; nothing was saved."), "ok")
    return back("console.post", post_id=post.id)


@bp.post("/posts/<post_id>/edit/break")
def edit_post_break(post_id: str) -> Response:
    """A manager takes the lease from whoever holds it (``service.break_lease``; audited)."""
    session = db()
    try:
        service.break_lease(session, who(), tenant().id, post_id[:40])
        session.commit()
    except HeraldError as exc:
        session.rollback()
        refused(exc)
        return back("console.post", post_id=post_id)
    flash(_("The edit lease was taken back; you may edit the post now."), "ok")
    return back("console.edit_post", post_id=post_id)
