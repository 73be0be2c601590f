"""The one gate before scheduling or publishing: a post may go out only when its current
version carries every approval its workflow requires. Every path that schedules or publishes
(API, bulk actions, the engine's last check before calling a network) calls
:func:`require_publishable`."""

from __future__ import annotations

from sqlalchemy.orm import Session

from herald.content.models import Post
from herald.errors import Conflict

#: states in which a post's current version is approved and may be (or is being) published.
PUBLISHABLE_STATES = frozenset({"approved", "scheduled", "publishing", "published", "partially_published"})


def is_publishable(post: Post) -> bool:
    return post.status in PUBLISHABLE_STATES and post.approved_version == post.current_version


def require_publishable(session: Session, post: Post) -> None:
    """Raise :class:`Conflict` unless the post's current version is fully approved."""
    if post.status not in PUBLISHABLE_STATES:
        raise Conflict(f"The post is {post.status.replace('_', ' ')}; only approved posts can be scheduled "
                       "or published.", post_status=post.status)
    if post.approved_version != post.current_version:
        raise Conflict("The post was changed after it was approved; the new version needs approval.",
                       approved_version=post.approved_version, current_version=post.current_version)
