"""The calendar: a tenant's publications in a time range, filtered like the post list, with
every time shown in the zone it was planned in and in the viewer's zone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from herald.api.pagination import Page, paginate
from herald.authz import Actor
from herald.clock import utcnow
from herald.content.models import Post, PostVersion
from herald.errors import ValidationFailed
from herald.people.models import User
from herald.publishing import timing
from herald.publishing.models import Publication
from herald.tenancy.models import Tenant
from herald.tenancy.service import unit_ids_in_scope

DEFAULT_SPAN = timedelta(days=31)


def viewer_zone(session: Session, actor: Actor, tenant_id: str) -> str:
    user = session.get(User, actor.user_id)
    if user is not None and user.time_zone:
        return user.time_zone
    tenant = session.get(Tenant, tenant_id)
    return tenant.default_time_zone if tenant else "UTC"


def calendar(session: Session, actor: Actor, tenant_id: str, q: dict[str, Any]) -> Page:
    q = dict(q)
    q["from_"] = q["from_"] or utcnow()
    q["to"] = q["to"] or q["from_"] + DEFAULT_SPAN
    if q["to"] <= q["from_"]:
        raise ValidationFailed("The query parameters are not valid.", {"to": ["'to' must be after 'from'."]})
    units = unit_ids_in_scope(session, actor, tenant_id, "posts.view", q["org_unit_id"], q["descendants"])
    stmt = (select(Publication).join(Post, Post.id == Publication.post_id)
            .where(Publication.tenant_id == tenant_id, Publication.scheduled_at >= q["from_"],
                   Publication.scheduled_at < q["to"], Post.org_unit_id.in_(units)))
    if q["account_id"]:
        stmt = stmt.where(Publication.account_id == q["account_id"])
    if q["network"]:
        stmt = stmt.where(Publication.network == q["network"])
    if q["status"]:
        stmt = stmt.where(Publication.state == q["status"])
    if q["campaign"]:
        stmt = stmt.where(Post.campaign == q["campaign"])
    if q["author_id"]:
        stmt = stmt.where(Post.author_id == q["author_id"])
    page = paginate(session, stmt, [Publication.scheduled_at, Publication.id], q["limit"], q["cursor"])
    zone = q.get("time_zone") or viewer_zone(session, actor, tenant_id)
    post_ids = {p.post_id for p in page.items}
    posts = {p.id: p for p in session.scalars(select(Post).where(Post.id.in_(post_ids))).all()}
    titles = dict(session.execute(
        select(PostVersion.post_id, PostVersion.content).join(
            Post, and_(Post.id == PostVersion.post_id, Post.current_version == PostVersion.number))
        .where(PostVersion.post_id.in_(post_ids))).all())
    entries = []
    for pub in page.items:
        post = posts[pub.post_id]
        entries.append({
            "publication_id": pub.id, "post_id": post.id, "title": (titles.get(post.id) or {}).get("title", ""),
            "campaign": post.campaign, "author_id": post.author_id, "org_unit_id": post.org_unit_id,
            "account_id": pub.account_id, "network": pub.network, "variant": pub.variant_key, "state": pub.state,
            "post_status": post.status, "scheduled_at": pub.scheduled_at, "planned_local_time": pub.local_time,
            "planned_time_zone": pub.time_zone, "viewer_local_time": timing.local_iso(pub.scheduled_at, zone),
            "viewer_time_zone": zone,
        })
    return Page(entries, page.next_cursor)
