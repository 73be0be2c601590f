"""Posts: create, save versions (one editor at a time, no lost updates), version history.

Every save is a new immutable version with a field-level diff; a save names the version it was
based on and is refused when another save came first. Editing needs the post's lease: whoever
saves takes it if it is free, and a second editor gets a conflict naming the holder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from herald import audit
from herald.authz import Actor, can, require
from herald.authz.check import in_tenant
from herald.clock import utcnow
from herald.content.diff import diff
from herald.content.models import Post, PostVersion
from herald.content.variant_choice import override_problems
from herald.errors import Conflict, NotFound, ValidationFailed
from herald.events.bus import emit
from herald.library.usage import media_problems
from herald.networks.connector import NetworkConnector, VariantDraft
from herald.people.models import User
from herald.runtime import current
from herald.tenancy.models import OrgUnit, SocialAccount
from herald.tenancy.service import get_unit
from herald.timing import to_instant

LEASE_TTL = timedelta(minutes=15)


def get_post(session: Session, actor: Actor, tenant_id: str, post_id: str, permission: str = "posts.view") -> Post:
    in_tenant(session, actor, tenant_id)
    post = session.get(Post, post_id)
    if post is None or post.tenant_id != tenant_id or not can(session, actor, "posts.view", post):
        raise NotFound(f"No post {post_id!r} in this tenant.")
    if permission != "posts.view":
        require(session, actor, permission, post)
    return post


def version(session: Session, post: Post, number: int) -> PostVersion:
    found = session.execute(
        select(PostVersion).where(PostVersion.post_id == post.id, PostVersion.number == number)
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"The post has no version {number}.")
    return found


def current_contents(session: Session, posts: list[Post]) -> dict[str, dict[str, Any]]:
    """Each post's current content by post id, in one statement whatever their number."""
    if not posts:
        return {}
    rows = session.execute(select(PostVersion.post_id, PostVersion.content).join(Post, and_(
        Post.id == PostVersion.post_id, Post.current_version == PostVersion.number)).where(
        Post.id.in_([p.id for p in posts])))
    return {post_id: content for post_id, content in rows}


# ----------------------------------------------------------------------------- validation
def requested_instant(asked: dict[str, Any]) -> datetime:
    """The UTC instant of a content's ``requested_time``; :class:`ValidationFailed` for a
    wall-clock time the clocks skip, or one that happens twice without ``fold``."""
    return to_instant(datetime.fromisoformat(asked["local_time"]), asked["time_zone"], asked.get("fold"))


def requested_time_problems(content: dict[str, Any], previous: dict[str, Any] | None = None) -> dict[str, list[str]]:
    """A requested time that has already passed, unless the previous version asked for the same
    (restoring or editing an old post does not have to move a time nobody changed)."""
    asked = content.get("requested_time")
    if not asked or (previous is not None and previous.get("requested_time") == asked):
        return {}
    try:
        instant = requested_instant(asked)
    except ValidationFailed as exc:
        return {f"requested_time.{field}": list(messages) for field, messages in exc.errors.items()}
    if instant > utcnow():
        return {}
    local = datetime.fromisoformat(asked["local_time"])
    return {"requested_time.local_time": [
        f"{local.isoformat(sep=' ', timespec='minutes')} ({asked['time_zone']}) has already passed; "
        "choose a later time, or leave it empty and schedule the post once it is approved."]}


def validate_content(session: Session, actor: Actor, tenant_id: str, unit: OrgUnit, content: dict[str, Any],
                     previous: dict[str, Any] | None = None) -> None:
    """Every problem at once: targets outside the unit's subtree or invisible, networks without
    a variant, library assets the unit may not use, each connector's own rules for each variant
    it would publish, and a requested time that has passed (``previous``: the content this
    replaces)."""
    errors: dict[str, list[str]] = media_problems(session, tenant_id, unit, content)
    errors.update(requested_time_problems(content, previous))
    accounts: list[SocialAccount] = []
    for i, account_id in enumerate(content["targets"]):
        acct = session.get(SocialAccount, account_id)
        if acct is None or acct.tenant_id != tenant_id or not can(session, actor, "accounts.view", acct):
            errors.setdefault(f"targets[{i}]", []).append(f"No social account {account_id!r} here.")
            continue
        acct_unit = session.get(OrgUnit, acct.org_unit_id)
        if acct_unit is None or not acct_unit.path.startswith(unit.path):
            errors.setdefault(f"targets[{i}]", []).append(
                "The account belongs to a unit outside this post's unit and its descendants.")
        elif acct.archived_at is not None:
            errors.setdefault(f"targets[{i}]", []).append("The account is archived.")
        else:
            accounts.append(acct)
    hooks = current().plugins.for_tenant(session, tenant_id)
    connectors: dict[str, NetworkConnector] = {}
    for net in sorted({a.network for a in accounts}):
        conn = hooks.instance("herald_network_connectors", net)
        if conn is None:
            errors.setdefault("targets", []).append(f"The {net!r} connector is not enabled for this tenant.")
            continue
        connectors[net] = conn  # type: ignore[assignment]
        if not any(v.get("network") in (net, None) for v in content["variants"]):
            errors.setdefault("variants", []).append(f"No variant for {conn.display_name} (network {net!r}).")
    for i, variant in enumerate(content["variants"]):
        nets = [variant["network"]] if variant.get("network") else list(connectors)
        for net in nets:
            conn = connectors.get(net)
            if conn is None:
                continue
            draft = VariantDraft(text=variant.get("text", ""), media=variant.get("media", []),
                                 language=variant.get("language"), thread=list(variant.get("thread") or []),
                                 reply_to=variant.get("reply_to"), quote_of=variant.get("quote_of"),
                                 link=variant.get("link"), options=dict(variant.get("options") or {}))
            for problem in conn.validate(draft):
                errors.setdefault(f"variants[{i}].{problem.field}", []).append(problem.message)
    for field, problems in override_problems(content, accounts).items():
        errors.setdefault(field, []).extend(problems)
    if errors:
        raise ValidationFailed("The post has problems; each is listed under its field.", errors)


# ----------------------------------------------------------------------------- leases
def _holder_label(session: Session, user_id: str) -> str:
    user = session.get(User, user_id)
    return f"{user.display_name} <{user.email}>" if user else user_id


def _lease_free_for(post: Post, actor: Actor) -> bool:
    held = post.lease_holder_id and post.lease_expires_at and post.lease_expires_at > utcnow()
    return not held or post.lease_holder_id == actor.user_id


def take_lease(session: Session, actor: Actor, post: Post) -> Post:
    if not _lease_free_for(post, actor):
        raise Conflict(
            f"{_holder_label(session, post.lease_holder_id or '')} is editing this post until "
            f"{post.lease_expires_at.isoformat() if post.lease_expires_at else '?'}.",
            lease_holder_id=post.lease_holder_id,
        )
    post.lease_holder_id = actor.user_id
    post.lease_expires_at = utcnow() + LEASE_TTL
    session.flush()
    return post


def release_lease(session: Session, actor: Actor, post: Post) -> Post:
    if post.lease_holder_id == actor.user_id:
        post.lease_holder_id = None
        post.lease_expires_at = None
        session.flush()
    return post


def break_lease(session: Session, actor: Actor, tenant_id: str, post_id: str) -> Post:
    """A manager (``posts.approve``) takes the lease away from its holder; audited."""
    post = get_post(session, actor, tenant_id, post_id, "posts.approve")
    holder = post.lease_holder_id
    post.lease_holder_id = None
    post.lease_expires_at = None
    session.flush()
    audit.record(session, actor, "post.lease_broken", "post", post.id, tenant_id=tenant_id,
                 before={"lease_holder_id": holder}, after={"lease_holder_id": None})
    return post


# ----------------------------------------------------------------------------- saving
def create_post(session: Session, actor: Actor, tenant_id: str, *, org_unit_id: str, content: dict[str, Any],
                campaign: str | None = None) -> Post:
    unit = get_unit(session, actor, tenant_id, org_unit_id, "posts.create")
    if unit.archived_at is not None:
        raise Conflict("The unit is archived.")
    validate_content(session, actor, tenant_id, unit, content)
    post = Post(tenant_id=tenant_id, org_unit_id=unit.id, campaign=campaign, author_id=actor.user_id,
                current_version=1)
    session.add(post)
    session.flush()
    changes = diff(None, content)
    session.add(PostVersion(post_id=post.id, number=1, author_id=actor.user_id, content=content, changes=changes))
    session.flush()
    audit.record(session, actor, "post.created", "post", post.id, tenant_id=tenant_id,
                 after={"version": 1, "org_unit_id": unit.id, "campaign": campaign, "content": content})
    emit(session, tenant_id, "post.created", {"id": post.id, "org_unit_id": unit.id})
    return post


#: ``save_version(campaign=KEEP)``: the post stays in its campaign
KEEP: Any = object()
#: a post in one of these states can no longer be edited (it is going out, out, or rejected)
LOCKED = ("publishing", "published", "partially_published", "rejected")


def refuse_locked_edit(post: Post) -> None:
    if post.status in LOCKED:
        raise Conflict(f"The post is {post.status.replace('_', ' ')} and can no longer be edited.",
                       post_status=post.status)


@dataclass(frozen=True)
class Saved:
    """What :func:`save_version` did: the post, the version the save was based on, and whether
    the content changed (a new version) or the post moved to another campaign."""

    post: Post
    base_version: int
    new_version: bool
    moved: bool

    @property
    def changed(self) -> bool:
        return self.new_version or self.moved


def save_version(session: Session, actor: Actor, tenant_id: str, post_id: str, *, base_version: int,
                 content: dict[str, Any], restored_from: int | None = None, campaign: str | None = KEEP) -> Saved:
    """Save ``content`` as the next version (nothing when it is unchanged) and, when given, move
    the post to ``campaign`` (None: no campaign). Only the content's own rules: what an edit
    does to the post's review and schedule is :func:`herald.editing.posts.save_post`'s."""
    post = get_post(session, actor, tenant_id, post_id, "posts.edit")
    # Lock the post row so two concurrent saves on the same base cannot both win.
    session.execute(select(Post.id).where(Post.id == post.id).with_for_update())
    session.refresh(post)
    refuse_locked_edit(post)
    take_lease(session, actor, post)
    if base_version != post.current_version:
        raise Conflict(
            f"This edit is based on version {base_version}, but version {post.current_version} was saved "
            "since; reload and apply your change again.", current_version=post.current_version)
    unit = session.get(OrgUnit, post.org_unit_id)
    assert unit is not None
    previous = version(session, post, post.current_version)
    validate_content(session, actor, tenant_id, unit, content, previous.content)
    changes = diff(previous.content, content)
    moved = campaign is not KEEP and campaign != post.campaign
    if moved:
        audit.record(session, actor, "post.campaign_changed", "post", post.id, tenant_id=tenant_id,
                     before={"campaign": post.campaign}, after={"campaign": campaign})
        post.campaign = campaign
    if not changes:
        session.flush()
        return Saved(post, base_version, False, moved)
    number = post.current_version + 1
    session.add(PostVersion(post_id=post.id, number=number, author_id=actor.user_id, content=content,
                            changes=changes, restored_from=restored_from))
    post.current_version = number
    session.flush()
    audit.record(session, actor, "post.restored" if restored_from else "post.edited", "post", post.id,
                 tenant_id=tenant_id, before={"version": number - 1},
                 after={"version": number, "changes": changes, "restored_from": restored_from})
    return Saved(post, base_version, True, moved)
