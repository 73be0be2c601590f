"""Comments on posts and versions. Mentioned colleagues must be able to see the post; each is
notified through the tenant's notifiers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald import audit
from herald.auth.tokens import actor_for_user
from herald.authz import Actor, can
from herald.content.models import PostComment
from herald.content.service import get_post, version
from herald.errors import ValidationFailed
from herald.notifications.notifier import Notification
from herald.notifications.send import send
from herald.people.models import User


def add_comment(session: Session, actor: Actor, tenant_id: str, post_id: str, *, body: str,
                version_number: int | None = None, mentions: list[str] | None = None) -> PostComment:
    post = get_post(session, actor, tenant_id, post_id)
    if version_number is not None:
        version(session, post, version_number)
    mentioned: list[User] = []
    for i, user_id in enumerate(mentions or []):
        user = session.get(User, user_id)
        if user is None or user.tenant_id != tenant_id or not user.active or \
                not can(session, actor_for_user(user), "posts.view", post):
            raise ValidationFailed("A mentioned person cannot see this post.",
                                   {f"mentions[{i}]": [f"{user_id!r} cannot see this post."]})
        mentioned.append(user)
    comment = PostComment(post_id=post.id, version=version_number, author_id=actor.user_id, body=body,
                          mentions=[u.id for u in mentioned])
    session.add(comment)
    session.flush()
    audit.record(session, actor, "post.commented", "post", post.id, tenant_id=tenant_id,
                 after={"comment_id": comment.id, "version": version_number, "body": body,
                        "mentions": comment.mentions})
    for user in mentioned:
        send(session, Notification(tenant_id, user.id, user.email, "post.mentioned",
                                   f"{actor.label} mentioned you on a post", body[:500],
                                   link=f"/posts/{post.id}", data={"post_id": post.id}))
    return comment



def list_comments(session: Session, actor: Actor, tenant_id: str, post_id: str) -> list[PostComment]:
    """The post's comments, oldest first (people's and external reviewers'), for whoever may see
    the post."""
    post = get_post(session, actor, tenant_id, post_id)
    return list(session.scalars(select(PostComment).where(PostComment.post_id == post.id)
                                .order_by(PostComment.created_at, PostComment.id)))
