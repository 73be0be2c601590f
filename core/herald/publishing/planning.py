"""Scheduling, rescheduling, publishing now, retrying, cancelling and unpublishing — the
people-facing side of publishing. Every path that schedules or publishes passes the approval
gate (:func:`herald.approvals.gate.require_publishable`) and is audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from herald import audit, timing
from herald.approvals.gate import PUBLISHABLE_STATES, require_publishable
from herald.authz import Actor, require
from herald.authz.check import in_tenant
from herald.clock import utcnow
from herald.content.models import Post
from herald.content.service import get_post, version
from herald.content.variant_choice import choose_variant, variant_key
from herald.db.sets import among
from herald.errors import Conflict, HeraldError, NotFound, ValidationFailed
from herald.networks.connector import NetworkConnector
from herald.networks.errors import NetworkError, NotSupported
from herald.publishing.models import ACTIVE_STATES, PostingSlot, Publication
from herald.publishing.refusals import network_refusal
from herald.runtime import current
from herald.tenancy.models import OrgUnit, SocialAccount, Tenant

PUB_FIELDS = ("state", "scheduled_at", "local_time", "time_zone", "due_at", "remote_id", "last_error")


# ----------------------------------------------------------------------------- variants
# ----------------------------------------------------------------------------- post status
def derived_status(states: list[str]) -> str | None:
    """The post's status from its publications' states (None: nothing planned any more)."""
    live = [s for s in states if s not in ("cancelled", "deleted")]
    if not live:
        return None
    if "publishing" in live:
        return "publishing"
    done = [s for s in live if s not in ACTIVE_STATES]
    if "scheduled" in live:
        return "publishing" if done else "scheduled"
    published = sum(s == "published" for s in live)
    if published == len(live):
        return "published"
    return "partially_published" if published else "failed"


def refresh_post_status(session: Session, post: Post) -> str:
    """Set the post's status from its publications. Only a post in an approved or publishing
    state is touched: the approval workflow owns the others."""
    refresh_post_statuses(session, [post])
    return post.status


def refresh_post_statuses(session: Session, posts: list[Post]) -> None:
    """:func:`refresh_post_status` for several posts."""
    refresh_statuses_of(session, [p.id for p in posts])


def refresh_statuses_of(session: Session, post_ids: list[str]) -> None:
    """Derive the statuses of the posts ``post_ids`` from their publications: one query reads
    the posts, one their publications, one update per status that changes (posts loaded in the
    session see the change)."""
    if not post_ids:
        return
    session.flush()
    statuses = dict(session.execute(select(Post.id, Post.status).where(among(session, Post.id, set(post_ids)),
                                                                       Post.status.in_(DERIVED_STATES))).all())
    if not statuses:
        return
    states: dict[str, list[str]] = {post_id: [] for post_id in statuses}
    for post_id, state in session.execute(select(Publication.post_id, Publication.state)
                                          .where(among(session, Publication.post_id, statuses))):
        states[post_id].append(state)
    changes: dict[str, list[str]] = {}
    for post_id, status in statuses.items():
        derived = derived_status(states[post_id]) or "approved"
        if derived != status:
            changes.setdefault(derived, []).append(post_id)
    for derived, ids in sorted(changes.items()):
        session.execute(update(Post).where(among(session, Post.id, ids)).values(status=derived)
                        .execution_options(synchronize_session=False))
        for post_id in ids:  # posts loaded in this session see their new status
            loaded = session.identity_map.get(identity_key(Post, post_id))
            if loaded is not None:
                set_committed_value(loaded, "status", derived)
                session.expire(loaded, ["updated_at"])


# ----------------------------------------------------------------------------- helpers
#: post statuses that publishing derives (and so may change again)
DERIVED_STATES = PUBLISHABLE_STATES | {"failed"}


def gate(session: Session, post: Post, content: dict[str, Any] | None = None) -> None:
    """:func:`require_publishable`, with its details renamed so that they cannot clash with
    the problem document's own members (the gate names the post's status ``status``). A post
    whose publications all failed is still approved: "failed" is a publishing outcome, so its
    approval is judged as for an approved post."""
    try:
        if post.status == "failed":
            status, post.status = post.status, "approved"
            try:
                require_publishable(session, post, content)
            finally:
                post.status = status
            return
        require_publishable(session, post, content)
    except Conflict as exc:
        extra = {("post_status" if k == "status" else k): v for k, v in exc.extra.items()}
        raise Conflict(exc.detail, **extra) from exc


def zone_of_unit(session: Session, unit: OrgUnit) -> str:
    for unit_id in reversed(unit.ancestor_ids):
        u = session.get(OrgUnit, unit_id)
        if u is not None and u.time_zone:
            return u.time_zone
    tenant = session.get(Tenant, unit.tenant_id)
    return tenant.default_time_zone if tenant else "UTC"


def zone_of_account(session: Session, account: SocialAccount) -> str:
    if account.time_zone:
        return account.time_zone
    unit = session.get(OrgUnit, account.org_unit_id)
    return zone_of_unit(session, unit) if unit else "UTC"


def connector_for(session: Session, account: SocialAccount) -> NetworkConnector | None:
    return network_connector(session, account.tenant_id, account.network)


def network_connector(session: Session, tenant_id: str, network: str) -> NetworkConnector | None:
    """The connector of ``network`` as the tenant configured it; None when not enabled there."""
    found = current().plugins.for_tenant(session, tenant_id).instance("herald_network_connectors", network)
    return found  # type: ignore[return-value]


def _lock_post(session: Session, post: Post) -> Post:
    session.execute(select(Post.id).where(Post.id == post.id).with_for_update())
    session.refresh(post)
    return post


def _target_accounts(session: Session, post: Post, content: dict[str, Any],
                     account_ids: list[str] | None) -> list[SocialAccount]:
    targets = list(content["targets"])
    if account_ids:
        unknown = [a for a in account_ids if a not in targets]
        if unknown:
            raise ValidationFailed("Only the post's targets can be scheduled.",
                                   {"account_ids": [f"{a!r} is not a target of this post." for a in unknown]})
        targets = [a for a in targets if a in account_ids]
    errors: dict[str, list[str]] = {}
    accounts = []
    for account_id in targets:
        acct = session.get(SocialAccount, account_id)
        if acct is None or acct.tenant_id != post.tenant_id:
            errors.setdefault("targets", []).append(f"The account {account_id!r} no longer exists.")
        elif acct.archived_at is not None:
            errors.setdefault("targets", []).append(f"The account {acct.handle!r} is archived.")
        elif connector_for(session, acct) is None:
            errors.setdefault("targets", []).append(f"The {acct.network!r} connector is not enabled for this tenant.")
        else:
            accounts.append(acct)
    if errors:
        raise ValidationFailed("The post cannot be scheduled on some of its accounts.", errors)
    return accounts


def next_free_slot(session: Session, account: SocialAccount, after: datetime) -> tuple[datetime, str]:
    """The account's first posting slot after ``after`` with nothing planned on it."""
    slots = [(s.weekday, s.local_time) for s in session.scalars(
        select(PostingSlot).where(PostingSlot.account_id == account.id)).all()]
    tz = zone_of_account(session, account)
    if not slots:
        raise ValidationFailed("The account has no posting slots.",
                               {"slot": [f"Define posting slots for {account.handle!r} first."]})
    taken = set(session.scalars(select(Publication.scheduled_at).where(
        Publication.account_id == account.id, Publication.state.in_(ACTIVE_STATES),
        Publication.scheduled_at > after)).all())
    for instant in timing.slot_instants(slots, tz, after):
        if instant not in taken:
            return instant, tz
    raise ValidationFailed("No free posting slot in the next four weeks.",
                           {"slot": [f"Every slot of {account.handle!r} in the next four weeks is taken."]})


def _when(session: Session, post: Post, accounts: list[SocialAccount], when: dict[str, Any]
          ) -> dict[str, tuple[datetime, str, str]]:
    """account id → (instant, local wall-clock ISO, zone) from the request's time fields."""
    now = utcnow()
    out: dict[str, tuple[datetime, str, str]] = {}
    if when.get("slot") == "next":
        for acct in accounts:
            instant, tz = next_free_slot(session, acct, now)
            out[acct.id] = (instant, timing.local_iso(instant, tz), tz)
        return out
    unit = session.get(OrgUnit, post.org_unit_id)
    tz = when.get("time_zone") or (zone_of_unit(session, unit) if unit else "UTC")
    timing.zone(tz)
    if when.get("local_time") is not None:
        local: datetime = when["local_time"]
        instant = timing.to_instant(local, tz, when.get("fold"))
        local_text = local.isoformat(timespec="minutes")
    elif when.get("at") is not None:
        instant = when["at"]
        if instant.tzinfo is None:
            raise ValidationFailed("The time has no offset.", {"at": ["Give an offset (Z or +09:00), or use "
                                                                      "local_time with time_zone."]})
        local_text = timing.local_iso(instant, tz)
    else:
        raise ValidationFailed("Say when.", {"local_time": ["Give local_time and time_zone, at, or slot 'next'."]})
    if instant <= now:
        raise ValidationFailed("The time is in the past.",
                               {"local_time" if when.get("local_time") else "at":
                                [f"{local_text} {tz} has already passed; use publish now instead."]})
    return {a.id: (instant, local_text, tz) for a in accounts}


def _upsert(session: Session, actor: Actor | None, post: Post, accounts: list[SocialAccount],
            content: dict[str, Any], times: dict[str, tuple[datetime, str, str]]) -> list[Publication]:
    """One publication per account: the variant :func:`choose_variant` gives it. An account on
    which the post is already published gets nothing more (publishing again, even in another
    language, would duplicate it); a failed publication of another variant on the account is
    superseded (cancelled), so the post's status follows only what is planned now."""
    existing: dict[str, list[Publication]] = {}
    for p in session.scalars(select(Publication).where(Publication.post_id == post.id)).all():
        existing.setdefault(p.account_id, []).append(p)
    out = []
    for acct in accounts:
        instant, local_text, tz = times[acct.id]
        choice = choose_variant(content, acct)
        if choice is None:
            continue
        mine = existing.get(acct.id, [])
        if any(p.state == "published" for p in mine):
            continue  # already out there; publishing again would duplicate it
        key = variant_key(choice.variant)
        pub = next((p for p in mine if p.variant_key == key), None)
        for stale in mine:
            if stale is not pub and stale.state in ("failed", "needs_attention"):
                stale.state, stale.due_at = "cancelled", None
        if pub is None:
            pub = Publication(tenant_id=post.tenant_id, post_id=post.id, account_id=acct.id, network=acct.network,
                              variant_key=key, language=choice.language,
                              created_by=actor.user_id if actor else None)
            session.add(pub)
        pub.state, pub.scheduled_at, pub.local_time, pub.time_zone = "scheduled", instant, local_text, tz
        pub.due_at, pub.transient_failures = instant, 0
        pub.lease_token = pub.lease_owner = pub.lease_expires_at = None
        pub.last_error = pub.last_error_code = None
        out.append(pub)
    if not out:
        raise Conflict("Nothing to schedule: this post is already published on these accounts.")
    session.flush()
    return out


def active_publications(session: Session, post: Post) -> list[Publication]:
    """What of the post is planned or going out now (scheduled, due, publishing…)."""
    return list(session.scalars(select(Publication).where(
        Publication.post_id == post.id, Publication.state.in_(ACTIVE_STATES))).all())


def _summary(pubs: list[Publication]) -> list[dict[str, Any]]:
    return [{"id": p.id, "account_id": p.account_id, "variant": p.variant_key, "scheduled_at": p.scheduled_at,
             "local_time": p.local_time, "time_zone": p.time_zone} for p in pubs]


# ----------------------------------------------------------------------------- scheduling
def schedule(session: Session, actor: Actor, tenant_id: str, post_id: str, when: dict[str, Any],
             account_ids: list[str] | None = None) -> list[Publication]:
    post = _lock_post(session, get_post(session, actor, tenant_id, post_id, "posts.schedule"))
    gate(session, post)
    if active_publications(session, post):
        raise Conflict("The post is already scheduled; reschedule or unschedule it.")
    content = version(session, post, post.current_version).content
    accounts = _target_accounts(session, post, content, account_ids)
    pubs = _upsert(session, actor, post, accounts, content, _when(session, post, accounts, when))
    refresh_post_status(session, post)
    audit.record(session, actor, "post.scheduled", "post", post.id, tenant_id=tenant_id,
                 after={"version": post.current_version, "publications": _summary(pubs)})
    return pubs


def reschedule(session: Session, actor: Actor, tenant_id: str, post_id: str, when: dict[str, Any]
               ) -> list[Publication]:
    post = _lock_post(session, get_post(session, actor, tenant_id, post_id, "posts.schedule"))
    gate(session, post)
    pubs = [p for p in active_publications(session, post) if p.state == "scheduled"]
    if not pubs:
        raise Conflict("Nothing of this post is waiting to be published; schedule it first.")
    accounts = [session.get(SocialAccount, p.account_id) for p in pubs]
    times = _when(session, post, [a for a in {a.id: a for a in accounts if a}.values()], when)
    before = _summary(pubs)
    for p in pubs:
        p.scheduled_at, p.local_time, p.time_zone = times[p.account_id]
        p.due_at = p.scheduled_at
    session.flush()
    audit.record(session, actor, "post.rescheduled", "post", post.id, tenant_id=tenant_id,
                 before={"publications": before}, after={"publications": _summary(pubs)})
    return pubs


def unschedule(session: Session, actor: Actor, tenant_id: str, post_id: str) -> list[Publication]:
    post = _lock_post(session, get_post(session, actor, tenant_id, post_id, "posts.schedule"))
    pubs = [p for p in active_publications(session, post) if p.state == "scheduled"]
    if not pubs:
        raise Conflict("Nothing of this post is waiting to be published.")
    for p in pubs:
        p.state, p.due_at = "cancelled", None
    refresh_post_status(session, post)
    audit.record(session, actor, "post.unscheduled", "post", post.id, tenant_id=tenant_id,
                 before={"publications": _summary(pubs)}, after={"status": post.status})
    return pubs


def cancel_for_edit(session: Session, actor: Actor, post: Post) -> list[Publication]:
    """An edit invalidated the post's approval: what was waiting to go out is cancelled (the
    new version is scheduled again once it is approved), and that is audited."""
    pubs = [p for p in active_publications(session, post) if p.state == "scheduled"]
    for p in pubs:
        p.state, p.due_at = "cancelled", None
    if pubs:
        session.flush()
        audit.record(session, actor, "post.unscheduled", "post", post.id, tenant_id=post.tenant_id,
                     before={"publications": _summary(pubs)},
                     after={"reason": "The post was edited after approval; its new version needs approval."})
    return pubs


def publish_now(session: Session, actor: Actor, tenant_id: str, post_id: str,
                account_ids: list[str] | None = None) -> list[Publication]:
    """Publish at once: what is scheduled becomes due now; without a schedule, every target."""
    post = _lock_post(session, get_post(session, actor, tenant_id, post_id, "posts.publish"))
    gate(session, post)
    now = utcnow()
    pubs = [p for p in active_publications(session, post) if p.state == "scheduled"
            and (not account_ids or p.account_id in account_ids)]
    if pubs:
        for p in pubs:
            p.due_at = now
    else:
        if any(p.state == "publishing" for p in active_publications(session, post)):
            raise Conflict("The post is being published right now.")
        content = version(session, post, post.current_version).content
        accounts = _target_accounts(session, post, content, account_ids)
        times = {}
        for acct in accounts:
            tz = zone_of_account(session, acct)
            times[acct.id] = (now, timing.local_iso(now, tz), tz)
        pubs = _upsert(session, actor, post, accounts, content, times)
    refresh_post_status(session, post)
    audit.record(session, actor, "post.publish_requested", "post", post.id, tenant_id=tenant_id,
                 after={"version": post.current_version, "publications": _summary(pubs)})
    return pubs


# ----------------------------------------------------------------------------- one publication
def get_publication(session: Session, actor: Actor, tenant_id: str, publication_id: str,
                    permission: str = "posts.view") -> tuple[Publication, Post]:
    pub = session.get(Publication, publication_id)
    if pub is None or pub.tenant_id != tenant_id:
        raise NotFound(f"No publication {publication_id!r} in this tenant.")
    try:
        post = get_post(session, actor, tenant_id, pub.post_id, permission)
    except NotFound as exc:
        raise NotFound(f"No publication {publication_id!r} in this tenant.") from exc
    return pub, post


def list_publications(session: Session, actor: Actor, tenant_id: str, post_id: str) -> list[Publication]:
    post = get_post(session, actor, tenant_id, post_id)
    return list(session.scalars(select(Publication).where(Publication.post_id == post.id)
                                .order_by(Publication.created_at, Publication.id)).all())


def retry(session: Session, actor: Actor, tenant_id: str, publication_id: str,
          assume_not_published: bool = False) -> Publication:
    pub, post = get_publication(session, actor, tenant_id, publication_id, "posts.publish")
    _lock_post(session, post)
    session.refresh(pub)
    gate(session, post)
    if pub.state not in ("failed", "needs_attention"):
        raise Conflict(f"Only a failed publication or one that needs attention can be retried; this one is "
                       f"{pub.state.replace('_', ' ')}.", state=pub.state)
    acct = session.get(SocialAccount, pub.account_id)
    if acct is not None and acct.connection_state == "reconnect_needed":
        raise Conflict("The account needs reconnecting before anything can be published on it.")
    if pub.uncertain_since is not None:
        connector = connector_for(session, acct) if acct else None
        can_look = bool(connector and connector.capabilities.supports_lookup)
        if not can_look and not assume_not_published:
            raise Conflict("An earlier attempt may have published this post and the network cannot be asked. "
                           "Check the account; if the post is not there, retry with assume_not_published.",
                           uncertain_since=pub.uncertain_since.isoformat())
        if assume_not_published:
            pub.uncertain_since = None
    before = audit.snapshot(pub, PUB_FIELDS)
    pub.state, pub.due_at, pub.transient_failures = "scheduled", utcnow(), 0
    pub.lease_token = pub.lease_owner = pub.lease_expires_at = None
    refresh_post_status(session, post)
    audit.record(session, actor, "publication.retried", "publication", pub.id, tenant_id=tenant_id,
                 before=before, after={**audit.snapshot(pub, PUB_FIELDS), "assume_not_published": assume_not_published},
                 context={"post_id": post.id})
    return pub


def cancel(session: Session, actor: Actor, tenant_id: str, publication_id: str) -> Publication:
    pub, post = get_publication(session, actor, tenant_id, publication_id, "posts.schedule")
    _lock_post(session, post)
    session.refresh(pub)
    if pub.state not in ("scheduled", "failed", "needs_attention"):
        hint = " Unpublish it instead." if pub.state == "published" else ""
        raise Conflict(f"A {pub.state.replace('_', ' ')} publication cannot be cancelled.{hint}", state=pub.state)
    before = audit.snapshot(pub, PUB_FIELDS)
    pub.state, pub.due_at = "cancelled", None
    refresh_post_status(session, post)
    audit.record(session, actor, "publication.cancelled", "publication", pub.id, tenant_id=tenant_id,
                 before=before, after=audit.snapshot(pub, PUB_FIELDS), context={"post_id": post.id})
    return pub


def unpublish(session: Session, actor: Actor, tenant_id: str, publication_id: str) -> Publication:
    """Delete the published post from the network (where the connector can). The network is
    called outside any transaction: the session's reads are ended first (nothing was written)."""
    from herald.publishing.tokens import connected_account

    pub, post = get_publication(session, actor, tenant_id, publication_id, "posts.publish")
    if pub.state != "published" or not pub.remote_id:
        raise Conflict(f"Only a published publication can be unpublished; this one is "
                       f"{pub.state.replace('_', ' ')}.", state=pub.state)
    acct = session.get(SocialAccount, pub.account_id)
    connector = connector_for(session, acct) if acct else None
    if acct is None or connector is None:
        raise Conflict("The account's connector is not enabled for this tenant.")
    if not connector.capabilities.supports_delete:
        raise Conflict(f"{connector.display_name or acct.network} does not let Herald delete posts; delete it on "
                       "the network itself.")
    account, remote_id = connected_account(session, acct), pub.remote_id
    session.rollback()
    try:
        connector.delete(account, remote_id)
    except NotSupported as exc:
        raise Conflict(str(exc)) from exc
    except NetworkError as exc:
        raise network_refusal(exc, "deleting the post") from exc
    pub, post = get_publication(session, actor, tenant_id, publication_id, "posts.publish")
    _lock_post(session, post)
    session.refresh(pub)
    before = audit.snapshot(pub, PUB_FIELDS)
    pub.state = "deleted"
    refresh_post_status(session, post)
    audit.record(session, actor, "publication.unpublished", "publication", pub.id, tenant_id=tenant_id,
                 before=before, after=audit.snapshot(pub, PUB_FIELDS),
                 context={"post_id": post.id, "remote_id": remote_id})
    return pub


def set_slots(session: Session, actor: Actor, tenant_id: str, account: SocialAccount,
              slots: list[dict[str, Any]]) -> list[PostingSlot]:
    require(session, actor, "accounts.manage", account)
    before = [{"weekday": s.weekday, "time": s.local_time} for s in session.scalars(
        select(PostingSlot).where(PostingSlot.account_id == account.id)).all()]
    for s in session.scalars(select(PostingSlot).where(PostingSlot.account_id == account.id)).all():
        session.delete(s)
    session.flush()
    unique = sorted({(s["weekday"], s["time"]) for s in slots})
    rows = [PostingSlot(tenant_id=tenant_id, account_id=account.id, weekday=w, local_time=t) for w, t in unique]
    session.add_all(rows)
    session.flush()
    audit.record(session, actor, "social_account.slots_changed", "social_account", account.id, tenant_id=tenant_id,
                 before={"slots": before}, after={"slots": [{"weekday": w, "time": t} for w, t in unique]})
    return rows


def bulk_schedule(session: Session, actor: Actor, tenant_id: str, post_ids: list[str], when: dict[str, Any]
                  ) -> list[dict[str, Any]]:
    """Schedule several posts at once; each passes the gate on its own, and one refusal does
    not undo the others (each post in its own savepoint)."""
    in_tenant(session, actor, tenant_id)
    results = []
    for post_id in dict.fromkeys(post_ids):
        try:
            with session.begin_nested():
                schedule(session, actor, tenant_id, post_id, when)
            results.append({"post_id": post_id, "ok": True, "status": session.get(Post, post_id).status,
                            "problem": None})
        except HeraldError as exc:
            results.append({"post_id": post_id, "ok": False, "status": None,
                            "problem": {"title": exc.title, "status": exc.status, "detail": exc.detail,
                                        **({"errors": exc.errors} if isinstance(exc, ValidationFailed) else {})}})
    return results
