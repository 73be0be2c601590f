"""The time the author asked for, kept: when a post whose content carries a ``requested_time`` is
approved, it is scheduled then on its accounts, as its author (who needs ``posts.schedule`` on
the post, exactly as when they schedule it by hand; the audit entry says it was the requested
time).

Nothing is scheduled when the approval is not of the post's current version (it was edited
since), when something of the post is already planned (the event delivered twice, or someone
scheduled it by hand first), or when the post is not one the publishing engine sends (a
governed inbox reply). When the time cannot be kept — it passed while the post waited for
approval, the author may no longer schedule, an account is gone — the post stays approved and
the author is told why, in-app and by e-mail as their preferences say."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from herald.plugins import Event, EventSubscriber, hookimpl

HERALD_HOOK_API = "1.0"
KIND = "post.requested_time_missed"

log = logging.getLogger(__name__)


class RequestedTimeScheduler(EventSubscriber):
    key = "requested_time"
    display_name = "Publishing: approved posts go out at the time their author asked for"

    def wants(self, event: Event) -> bool:
        return event.type == "post.approved"

    def deliver(self, event: Event) -> None:
        from herald.runtime import current

        with current().db.transaction() as session:
            schedule_requested(session, event.tenant_id, str(event.data.get("id")), event.data.get("version"))


def schedule_requested(session: Any, tenant_id: str, post_id: str, approved_version: Any) -> str:
    """Schedule the approved post at its requested time; what happened: ``scheduled``,
    ``nothing`` (no requested time, or nothing to do) or ``missed`` (the author was told why)."""
    from herald import audit
    from herald.approvals.engine import notify_people
    from herald.auth.tokens import actor_for_user
    from herald.content.models import Post
    from herald.content.service import version
    from herald.errors import HeraldError
    from herald.people.models import User
    from herald.publishing import planning

    post = session.get(Post, post_id)
    if (post is None or post.tenant_id != tenant_id or post.purpose != "post" or post.approved_version is None
            or post.approved_version != post.current_version or approved_version != post.current_version):
        return "nothing"
    asked = version(session, post, post.current_version).content.get("requested_time")
    if not asked or planning.active_publications(session, post):
        return "nothing"
    author = session.get(User, post.author_id)
    when = {"local_time": datetime.fromisoformat(asked["local_time"]), "time_zone": asked["time_zone"],
            "fold": asked.get("fold")}
    reason = None
    if author is None or not author.active:
        reason = "its author can no longer sign in"
    elif _passed(asked):  # checked when saved: only the review can have taken it
        reason = "that time had passed by the time it was approved"
    else:
        actor = actor_for_user(author, via="requested_time")
        try:
            with session.begin_nested():
                pubs = planning.schedule(session, actor, tenant_id, post.id, when)
        except HeraldError as exc:
            reason = _reason(exc)
        else:
            audit.record(session, actor, "post.requested_time_kept", "post", post.id, tenant_id=tenant_id,
                         after={"requested_time": asked, "publications": len(pubs)})
            return "scheduled"
    audit.record(session, None, "post.requested_time_missed", "post", post.id, tenant_id=tenant_id,
                 after={"requested_time": asked, "reason": reason})
    notify_people(session, post, [post.author_id], KIND, "Your approved post was not scheduled",
                  f"It asked to go out at {asked['local_time'].replace('T', ' ')} ({asked['time_zone']}), but "
                  f"{reason}. Schedule it from the post's page.")
    log.info("post %s: requested time %s not kept: %s", post.id, asked, reason)
    return "missed"


def _passed(asked: dict[str, Any]) -> bool:
    """True when the requested time is over (a time the clocks no longer accept is left to
    scheduling, which says why)."""
    from herald.clock import utcnow
    from herald.content.service import requested_instant
    from herald.errors import ValidationFailed

    try:
        return requested_instant(asked) <= utcnow()
    except ValidationFailed:
        return False


def _reason(exc: Exception) -> str:
    detail = str(getattr(exc, "detail", "") or exc).rstrip(".")
    return detail[:1].lower() + detail[1:] if detail else "it could not be scheduled"


@hookimpl(trylast=True)
def herald_event_subscribers() -> list[type[EventSubscriber]]:
    return [RequestedTimeScheduler]
