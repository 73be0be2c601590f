"""The comments thread on a post's page: its comments oldest first (people's and external
reviewers'), and a form to add one through :mod:`herald.content.comments`, the service behind
``GET/POST /api/v1/tenants/<t>/posts/<id>/comments``, with the signed-in person as actor. Who may
not see the post may neither read nor add comments (the service refuses a hand-posted form too).
A decision's comment stays with the decision (:func:`herald.console.posts.decide`)."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.api.context import db
from herald.approvals.models import ExternalReview
from herald.authz import Actor
from herald.console.blueprint import bp, tenant, who
from herald.console.person_names import person_name
from herald.content import comments
from herald.content.models import Post, PostComment
from herald.errors import HeraldError
from herald.people.models import User

MAX_COMMENT = 5000


def comments_context(session: Session, actor: Actor, post: Post) -> dict[str, Any]:
    """What the post page needs for its thread."""
    thread = comments.list_comments(session, actor, post.tenant_id, post.id)
    return {"comments": thread, "comment_authors": author_names(session, post.tenant_id, thread)}


def author_names(session: Session, tenant_id: str, thread: list[PostComment]) -> dict[str, tuple[str, bool]]:
    """Each comment author's name, and whether they are an external reviewer (whose comments
    carry the invitation's id as author)."""
    ids = {c.author_id for c in thread}
    if not ids:
        return {}
    names: dict[str, tuple[str, bool]] = {
        u.id: (person_name(u), False)
        for u in session.scalars(select(User).where(User.id.in_(ids), User.tenant_id == tenant_id))}
    for review in session.scalars(select(ExternalReview).where(ExternalReview.id.in_(ids - set(names)),
                                                               ExternalReview.tenant_id == tenant_id)):
        names[review.id] = (review.name, True)
    return names


def _to_thread(post_id: str) -> Response:
    return redirect(url_for("console.post", post_id=post_id) + "#h-comments", code=303)


@bp.post("/posts/<post_id>/comments")
def add_post_comment(post_id: str) -> Response:
    body = request.form.get("body", "").strip()
    if not body:
        flash(_("Write the comment before adding it."), "error")
        return _to_thread(post_id)
    if len(body) > MAX_COMMENT:
        flash(_("A comment may have at most %(n)s characters; this one has %(got)s.",
                n=MAX_COMMENT, got=len(body)), "error")
        return _to_thread(post_id)
    session = db()
    try:
        comments.add_comment(session, who(), tenant().id, post_id, body=body)
        session.commit()
    except HeraldError:
        session.rollback()
        raise  # the console's error page, with the service's status and message
    flash(_("Your comment was added."), "ok")
    return _to_thread(post_id)
