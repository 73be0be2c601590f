"""External reviewers: people without a Herald account (a client, an agency, outside counsel)
who review one post through a link.

The link carries a token signed with the instance's secret key that names the invitation and
a random secret; Herald keeps only the secret's digest, so a leaked database gives no working
links, and a forged or altered token fails the signature. A link works for one post, until it
expires or is revoked. Its holder sees the post's current version, may comment, and — when
invited to decide — approve, send back or reject at a step open to external reviewers. Every
use is audited under the reviewer's name and address."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from herald import audit
from herald.approvals import engine
from herald.approvals.models import ExternalReview
from herald.authz import Actor, require
from herald.clock import utcnow
from herald.content.models import Post, PostComment
from herald.content.service import LOCKED, get_post, version
from herald.errors import Conflict, Forbidden, NotFound
from herald.runtime import current

_SALT = "herald.external-review"
#: one answer for every unusable link, so that a guesser learns nothing.
_UNUSABLE = "This review link is not valid: it may have expired or been revoked. Ask for a new one."


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current().settings.secret_key, salt=_SALT)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def reviewer_actor(review: ExternalReview) -> Actor:
    return Actor(user_id=review.id, tenant_id=review.tenant_id,
                 label=f"{review.name} <{review.email}> (external reviewer)", via="external_link")


def invite(session: Session, actor: Actor, tenant_id: str, post_id: str, *, name: str, email: str,
           expires_in_hours: int, can_decide: bool) -> tuple[ExternalReview, str]:
    """An invitation and its token (shown once). Inviting someone to decide needs
    ``posts.approve`` on the post; inviting comments only needs ``posts.edit``."""
    post = get_post(session, actor, tenant_id, post_id, "posts.edit")
    if can_decide:
        require(session, actor, "posts.approve", post)
    if post.status in LOCKED:
        raise Conflict(f"The post is {post.status.replace('_', ' ')}; it can no longer be reviewed.")
    secret = secrets.token_urlsafe(32)
    review = ExternalReview(tenant_id=tenant_id, post_id=post.id, name=name, email=email.lower(),
                            secret_digest=_digest(secret), can_decide=can_decide, invited_by=actor.user_id,
                            expires_at=utcnow() + timedelta(hours=expires_in_hours))
    session.add(review)
    session.flush()
    audit.record(session, actor, "external_review.invited", "post", post.id, tenant_id=tenant_id,
                 after={"external_review_id": review.id, "name": name, "email": review.email,
                        "can_decide": can_decide, "expires_at": review.expires_at})
    return review, _serializer().dumps([review.id, secret])


def revoke(session: Session, actor: Actor, tenant_id: str, post_id: str, review_id: str) -> ExternalReview:
    post = get_post(session, actor, tenant_id, post_id, "posts.edit")
    review = session.get(ExternalReview, review_id)
    if review is None or review.post_id != post.id:
        raise NotFound(f"No external review {review_id!r} on this post.")
    if review.revoked_at is None:
        review.revoked_at = utcnow()
        session.flush()
        audit.record(session, actor, "external_review.revoked", "post", post.id, tenant_id=tenant_id,
                     after={"external_review_id": review.id})
    return review


def resolve(session: Session, token: str) -> tuple[ExternalReview, Post]:
    """The invitation and post a token opens, or :class:`Forbidden` for any unusable link."""
    try:
        review_id, secret = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        raise Forbidden(_UNUSABLE) from None
    review = session.get(ExternalReview, str(review_id))
    if (review is None or not isinstance(secret, str)
            or not hmac.compare_digest(review.secret_digest, _digest(secret))
            or review.revoked_at is not None or review.expires_at <= utcnow()):
        raise Forbidden(_UNUSABLE)
    post = session.get(Post, review.post_id)
    if post is None or post.tenant_id != review.tenant_id:
        raise Forbidden(_UNUSABLE)
    review.last_used_at = utcnow()
    return review, post


def view(session: Session, token: str) -> dict[str, Any]:
    """What the reviewer sees: the post's current version and where its review stands."""
    review, post = resolve(session, token)
    run = engine.active_run(session, post)
    step = run.steps[run.current_step] if run else None
    may_decide = bool(review.can_decide and run and step and (step.get("deciders") or {}).get("external")
                      and not any(d.external_review_id == review.id for d in engine.decisions(session, run)))
    return {"post_id": post.id, "status": post.status, "version": post.current_version,
            "content": version(session, post, post.current_version).content, "reviewer": review.name,
            "expires_at": review.expires_at, "step_name": step["name"] if step else None,
            "may_decide": may_decide}


def decide(session: Session, token: str, *, decision: str, comment: str) -> dict[str, Any]:
    review, post = resolve(session, token)
    if not review.can_decide:
        raise Forbidden("This link lets you comment, not decide.")
    session.execute(select(Post.id).where(Post.id == post.id).with_for_update())
    session.refresh(post)
    run = engine.active_run(session, post)
    if run is None or post.status != "in_review":
        raise Conflict("The post is not waiting for a decision.")
    if any(d.external_review_id == review.id for d in engine.decisions(session, run)):
        raise Conflict("You have already decided on this version.")
    who = reviewer_actor(review)
    engine.decide_as(session, who, post, run, decision=decision, comment=comment, external_review_id=review.id)
    return view(session, token)


def comment(session: Session, token: str, body: str) -> PostComment:
    review, post = resolve(session, token)
    note = PostComment(post_id=post.id, version=post.current_version, author_id=review.id, body=body, mentions=[])
    session.add(note)
    session.flush()
    audit.record(session, reviewer_actor(review), "post.commented", "post", post.id, tenant_id=post.tenant_id,
                 after={"comment_id": note.id, "version": post.current_version, "body": body,
                        "external_review_id": review.id})
    return note
