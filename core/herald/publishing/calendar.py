"""The calendar: a tenant's publications in a time range, filtered like the post list, with
every time shown in the zone it was planned in and in the viewer's zone.

:func:`calendar` answers one entry per publication. :func:`calendar_by_post` (the API's
``group=post``) answers one entry per post and time instead — a post planned for two accounts in
two languages is one entry listing its four publications — with the state that most needs a
person (see :data:`URGENCY`) and how many publications are in each state. Filters choose
publications, so a group lists the post's publications at that time that match them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from herald import timing
from herald.api.pagination import Page, _decode, _encode, paginate
from herald.authz import Actor
from herald.clock import utcnow
from herald.content.models import Post, PostVersion
from herald.errors import ValidationFailed
from herald.people.models import User
from herald.publishing.models import PUBLICATION_STATES, Publication
from herald.tenancy.models import Tenant
from herald.tenancy.service import unit_ids_in_scope

DEFAULT_SPAN = timedelta(days=31)
#: a group's state: the first of these its publications are in (what most needs a person first)
URGENCY = ("needs_attention", "failed", "publishing", "scheduled", "published", "cancelled", "deleted")
#: a group's pagination key: its time, then its post
GROUP_KEY = [Publication.scheduled_at, Publication.post_id]


def viewer_zone(session: Session, actor: Actor, tenant_id: str) -> str:
    user = session.get(User, actor.user_id)
    if user is not None and user.time_zone:
        return user.time_zone
    tenant = session.get(Tenant, tenant_id)
    return tenant.default_time_zone if tenant else "UTC"


def _range(q: dict[str, Any]) -> dict[str, Any]:
    q = dict(q)
    q["from_"] = q["from_"] or utcnow()
    q["to"] = q["to"] or q["from_"] + DEFAULT_SPAN
    if q["to"] <= q["from_"]:
        raise ValidationFailed("The query parameters are not valid.", {"to": ["'to' must be after 'from'."]})
    return q


def _units(session: Session, actor: Actor, tenant_id: str, q: dict[str, Any]) -> Any:
    """The units whose posts the actor may view, narrowed as the query asks (a subquery)."""
    return unit_ids_in_scope(session, actor, tenant_id, "posts.view", q["org_unit_id"], q["descendants"])


def _filtered(tenant_id: str, units: Any, q: dict[str, Any], columns: Any) -> Any:
    """``select(*columns)`` over the tenant's publications in range on ``units`` (those the actor
    may view) that the filters choose."""
    stmt = (select(*columns).join(Post, Post.id == Publication.post_id)
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
    return stmt


def _entries(session: Session, pubs: list[Publication], zone: str) -> list[dict[str, Any]]:
    post_ids = {p.post_id for p in pubs}
    posts = {p.id: p for p in session.scalars(select(Post).where(Post.id.in_(post_ids))).all()}
    titles = dict(session.execute(
        select(PostVersion.post_id, PostVersion.content).join(
            Post, and_(Post.id == PostVersion.post_id, Post.current_version == PostVersion.number))
        .where(PostVersion.post_id.in_(post_ids))).all())
    entries = []
    for pub in pubs:
        post = posts[pub.post_id]
        entries.append({
            "publication_id": pub.id, "post_id": post.id, "title": (titles.get(post.id) or {}).get("title", ""),
            "campaign": post.campaign, "author_id": post.author_id, "org_unit_id": post.org_unit_id,
            "account_id": pub.account_id, "network": pub.network, "variant": pub.variant_key, "state": pub.state,
            "post_status": post.status, "scheduled_at": pub.scheduled_at, "planned_local_time": pub.local_time,
            "planned_time_zone": pub.time_zone, "viewer_local_time": timing.local_iso(pub.scheduled_at, zone),
            "viewer_time_zone": zone,
        })
    return entries


def calendar(session: Session, actor: Actor, tenant_id: str, q: dict[str, Any]) -> Page:
    """One entry per publication, in time order."""
    q = _range(q)
    stmt = _filtered(tenant_id, _units(session, actor, tenant_id, q), q, [Publication])
    page = paginate(session, stmt, [Publication.scheduled_at, Publication.id], q["limit"], q["cursor"])
    zone = q.get("time_zone") or viewer_zone(session, actor, tenant_id)
    return Page(_entries(session, list(page.items), zone), page.next_cursor)


def group_state(states: list[str]) -> str:
    """The state of a post's publications at one time that most needs a person."""
    order = {s: i for i, s in enumerate(URGENCY)}
    return min(states, key=lambda s: order.get(s, len(URGENCY)))


def calendar_by_post(session: Session, actor: Actor, tenant_id: str, q: dict[str, Any]) -> Page:
    """One entry per post and time (``limit`` of them a page), each listing its publications."""
    q = _range(q)
    units = _units(session, actor, tenant_id, q)
    keys_stmt = _filtered(tenant_id, units, q, GROUP_KEY).distinct()
    if q["cursor"]:
        at, post_id = _decode(q["cursor"], GROUP_KEY)
        keys_stmt = keys_stmt.where(or_(Publication.scheduled_at > at,
                                        and_(Publication.scheduled_at == at, Publication.post_id > post_id)))
    keys = session.execute(keys_stmt.order_by(*GROUP_KEY).limit(q["limit"] + 1)).all()
    more, keys = len(keys) > q["limit"], [tuple(k) for k in keys[:q["limit"]]]
    if not keys:
        return Page([], None)
    wanted = set(keys)
    pubs = session.scalars(_filtered(tenant_id, units, q, [Publication]).where(
        Publication.post_id.in_({k[1] for k in keys}), Publication.scheduled_at >= keys[0][0],
        Publication.scheduled_at <= keys[-1][0]).order_by(Publication.scheduled_at, Publication.id)).all()
    zone = q.get("time_zone") or viewer_zone(session, actor, tenant_id)
    groups: dict[tuple[Any, str], dict[str, Any]] = {}
    for entry in _entries(session, [p for p in pubs if (p.scheduled_at, p.post_id) in wanted], zone):
        group = groups.setdefault((entry["scheduled_at"], entry["post_id"]), {
            k: entry[k] for k in ("post_id", "title", "campaign", "author_id", "org_unit_id", "post_status",
                                  "scheduled_at", "planned_local_time", "planned_time_zone",
                                  "viewer_local_time", "viewer_time_zone")} | {"publications": []})
        group["publications"].append({k: entry[k] for k in (
            "publication_id", "account_id", "network", "variant", "state", "planned_local_time",
            "planned_time_zone")})
    items = []
    for key in keys:
        group = groups[key]
        states = [p["state"] for p in group["publications"]]
        group["state"] = group_state(states)
        group["state_counts"] = {s: states.count(s) for s in PUBLICATION_STATES if s in states}
        items.append(group)
    last = keys[-1]
    return Page(items, _encode([last[0], last[1]]) if more else None)
