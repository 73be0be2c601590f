"""The one gate before scheduling or publishing: a post may go out only when its current
version carries every approval its workflow requires. Every path that schedules or publishes
(API, bulk actions, the engine's last check before calling a network) calls
:func:`require_publishable`.

Library assets are checked here too, at the moment of scheduling or publishing: an asset that
expired, was retired or lost its approval after the post was approved blocks it."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from herald.content.models import Post, PostVersion
from herald.errors import Conflict
from herald.library.usage import publishing_blockers

#: states in which a post's current version is approved and may be (or is being) published.
PUBLISHABLE_STATES = frozenset({"approved", "scheduled", "publishing", "published", "partially_published"})


class PublishablePost(Protocol):
    """What the gate reads of a post: a :class:`Post`, or the engine's read-only facts of one."""

    @property
    def id(self) -> str: ...
    @property
    def tenant_id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def approved_version(self) -> int | None: ...
    @property
    def current_version(self) -> int: ...


def _current_content(session: Session, post: PublishablePost) -> dict[str, Any]:
    content = session.execute(
        select(PostVersion.content).where(PostVersion.post_id == post.id,
                                          PostVersion.number == post.current_version)
    ).scalar_one_or_none()
    return content or {}


def is_publishable(post: Post, session: Session | None = None) -> bool:
    """What :func:`require_publishable` decides, as a boolean."""
    if post.purpose != "post":
        return False
    if post.status not in PUBLISHABLE_STATES or post.approved_version != post.current_version:
        return False
    session = session or object_session(post)
    if session is None:
        raise ValueError("is_publishable needs a session to check the post's assets")
    return not publishing_blockers(session, post.tenant_id, _current_content(session, post))


def require_publishable(session: Session, post: PublishablePost, content: dict[str, Any] | None = None) -> None:
    """Raise :class:`Conflict` unless the post's current version is fully approved and every
    library asset it uses is approved, unretired and unexpired now. ``content``: the current
    version's content when the caller has it already (else it is read)."""
    if getattr(post, "purpose", "post") != "post":
        raise Conflict("This post carries a reply from the inbox: the inbox sends it once it is approved; it "
                       "cannot be scheduled or published.", post_purpose=post.purpose)  # type: ignore[attr-defined]
    if post.status not in PUBLISHABLE_STATES:
        raise Conflict(f"The post is {post.status.replace('_', ' ')}; only approved posts can be scheduled "
                       "or published.", post_status=post.status)
    if post.approved_version != post.current_version:
        raise Conflict("The post was changed after it was approved; the new version needs approval.",
                       approved_version=post.approved_version, current_version=post.current_version)
    if content is None:
        content = _current_content(session, post)
    blockers = publishing_blockers(session, post.tenant_id, content)
    if blockers:
        raise Conflict("The post uses assets that cannot go out now: "
                       + " ".join(b["reason"] for b in blockers), assets=blockers)
