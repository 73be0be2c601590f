"""Saving an edit of a post, and restoring an old version, with every consequence: the content
service saves the version (:func:`herald.content.service.save_version`); if the post was
scheduled, what was waiting to go out is cancelled (:func:`herald.publishing.planning.cancel_for_edit`);
and the approval engine withdraws the approvals given and restarts review
(:func:`herald.approvals.engine.on_edit`). A move to another campaign counts as an edit: the
campaign chooses the workflow. Every caller — the API, the console — edits through here."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from herald.approvals import engine
from herald.authz import Actor
from herald.content import service
from herald.content.models import Post
from herald.publishing.planning import cancel_for_edit

#: a scheduled post whose publications an edit cancels (the new version is scheduled again once approved)
PLANNED = ("scheduled", "failed")


def save_post(session: Session, actor: Actor, tenant_id: str, post_id: str, *, base_version: int,
              content: dict[str, Any], restored_from: int | None = None, campaign: str | None = service.KEEP
              ) -> Post:
    """Save ``content`` as the post's next version (and move it to ``campaign`` when given; None:
    no campaign); a post under review or approved has its review restarted."""
    saved = service.save_version(session, actor, tenant_id, post_id, base_version=base_version, content=content,
                                 restored_from=restored_from, campaign=campaign)
    if saved.changed:
        post = saved.post
        if post.status in PLANNED:
            cancel_for_edit(session, actor, post)
        engine.on_edit(session, actor, post, saved.base_version)
    return saved.post


def restore_version(session: Session, actor: Actor, tenant_id: str, post_id: str, number: int,
                    base_version: int) -> Post:
    """Save version ``number``'s content again as the newest version."""
    post = service.get_post(session, actor, tenant_id, post_id, "posts.edit")
    old = service.version(session, post, number)
    return save_post(session, actor, tenant_id, post_id, base_version=base_version, content=old.content,
                     restored_from=number)
