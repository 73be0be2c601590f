"""Governed replies: a reply that needs approval goes through the approval engine like a post.

A tenant says which replies need approval (:class:`InboxSettings`): on chosen accounts, on
accounts with chosen labels (e.g. ``regulated``), or in conversations with chosen tags. Such a
reply is held (``awaiting_approval``) and carried by a post of purpose ``inbox_reply`` — its
content is the reply's text on the conversation's account, tagged ``inbox_reply`` and with the
conversation's tags — submitted to the same workflows, workflow rules (a rule can route replies
with ``tags_any: ["inbox_reply"]`` or ``account_labels_any``), deadlines and separation of duties
as any post: the agent who wrote it cannot approve it. The carrier post is never scheduled or
published itself (the publishing gate refuses it).

The engine's outcome reaches the inbox as events (``post.approved``, ``post.rejected``,
``post.changes_requested``) through the outbox: approval queues the reply with the approved
version's text, and the inbox sends it exactly once, as any reply; rejection ends it; sent back,
it waits for a revised reply (or for the carrier post to be edited and approved). Each step is on
the conversation's timeline and in the audit trail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from herald import audit
from herald.approvals import engine
from herald.authz.actor import Actor
from herald.clock import utcnow
from herald.content.models import Post, PostVersion
from herald.inbox import timeline
from herald.inbox.models import Conversation, InboxReply, InboxSettings
from herald.inbox.teams import require_admin
from herald.tenancy.models import SocialAccount

REPLY_TAG = "inbox_reply"
#: reply states an approval outcome may still move
HELD = ("awaiting_approval", "changes_requested")
SETTING_FIELDS = ("approval_accounts", "approval_account_labels", "approval_tags")


# ----------------------------------------------------------------------------- settings
def settings_of(session: Session, tenant_id: str) -> InboxSettings:
    """The tenant's inbox settings (defaults when never set: no reply needs approval)."""
    found = session.get(InboxSettings, tenant_id)
    return found or InboxSettings(tenant_id=tenant_id, approval_accounts=[], approval_account_labels=[],
                                  approval_tags=[])


def update_settings(session: Session, actor: Actor, tenant_id: str, body: dict[str, Any]) -> InboxSettings:
    require_admin(session, actor, tenant_id)
    accounts = body.get("approval_accounts")
    if accounts:
        known = set(session.scalars(select(SocialAccount.id).where(SocialAccount.tenant_id == tenant_id,
                                                                    SocialAccount.id.in_(accounts))))
        unknown = sorted(set(accounts) - known)
        if unknown:
            from herald.errors import ValidationFailed

            raise ValidationFailed("Unknown social account.",
                                   {"approval_accounts": [f"No social account {a!r} in this tenant." for a in unknown]})
    row = session.get(InboxSettings, tenant_id)
    before = _dump(row) if row else None
    if row is None:
        row = InboxSettings(tenant_id=tenant_id, approval_accounts=[], approval_account_labels=[], approval_tags=[])
        session.add(row)
    for name in SETTING_FIELDS:
        if name in body:
            setattr(row, name, sorted(set(body[name])))
    session.flush()
    audit.record(session, actor, "inbox_settings.updated", "tenant", tenant_id, tenant_id=tenant_id,
                 before=before, after=_dump(row))
    return row


def _dump(row: InboxSettings) -> dict[str, list[str]]:
    return {name: list(getattr(row, name) or []) for name in SETTING_FIELDS}


def approval_reason(session: Session, conv: Conversation) -> str | None:
    """Why a reply in ``conv`` needs approval (a sentence), or None when it does not."""
    policy = session.get(InboxSettings, conv.tenant_id)
    if policy is None:
        return None
    if conv.account_id in (policy.approval_accounts or []):
        return "replies on this account need approval"
    account = session.get(SocialAccount, conv.account_id)
    labels = sorted(set(policy.approval_account_labels or []) & set(account.labels or [])) if account else []
    if labels:
        return f"replies on accounts labelled {', '.join(labels)} need approval"
    tags = sorted(set(policy.approval_tags or []) & set(conv.tags or []))
    if tags:
        return f"replies in conversations tagged {', '.join(tags)} need approval"
    return None


# ----------------------------------------------------------------------------- into approval
def submit(session: Session, actor: Actor, conv: Conversation, reply: InboxReply, reason: str) -> Post:
    """Hold ``reply`` and send it through the approval engine on a carrier post."""
    content = {"targets": [conv.account_id], "variants": [{"text": reply.text}],
               "tags": sorted({REPLY_TAG, *(conv.tags or [])})}
    account = session.get(SocialAccount, conv.account_id)
    assert account is not None
    post = Post(tenant_id=conv.tenant_id, org_unit_id=account.org_unit_id, author_id=actor.user_id, current_version=1,
                purpose="inbox_reply", campaign=f"Reply in conversation {conv.id}")
    session.add(post)
    session.flush()
    session.add(PostVersion(post_id=post.id, number=1, author_id=actor.user_id, content=content, changes=[]))
    session.flush()
    audit.record(session, actor, "post.created", "post", post.id, tenant_id=conv.tenant_id,
                 after={"version": 1, "org_unit_id": account.org_unit_id, "purpose": post.purpose,
                        "reply_id": reply.id, "conversation_id": conv.id})
    reply.state = "awaiting_approval"
    reply.due_at = None
    reply.approval_post_id = post.id
    session.flush()
    run = engine.start_review(session, actor, post)
    timeline.record(session, actor, conv, "reply", "inbox_reply.approval_requested",
                    after={"reply_id": reply.id, "post_id": post.id, "workflow": run.workflow_name,
                           "because": reason, "state": reply.state})
    if run.status == "approved":  # every step was automatic and passed: the caller queues it
        approved(session, post.id)
    elif run.status in ("rejected", "changes_requested"):
        returned(session, post.id, "post.changes_requested", "An automatic check stopped the reply.")
    return post


# ----------------------------------------------------------------------------- the outcome
def _held_reply(session: Session, post_id: str) -> tuple[InboxReply, Conversation] | None:
    reply = session.execute(select(InboxReply).where(InboxReply.approval_post_id == post_id)).scalar_one_or_none()
    if reply is None or reply.state not in HELD:
        return None
    conv = session.get(Conversation, reply.conversation_id)
    return (reply, conv) if conv is not None else None


def approved(session: Session, post_id: str) -> InboxReply | None:
    """The carrier post was approved: the reply moves to ``queued`` with the approved version's
    text (once); the caller queues its sending. None when there was nothing to move."""
    held = _held_reply(session, post_id)
    post = session.get(Post, post_id)
    if held is None or post is None or post.approved_version is None:
        return None
    reply, conv = held
    content = session.execute(select(PostVersion.content).where(
        PostVersion.post_id == post_id, PostVersion.number == post.approved_version)).scalar_one()
    text = ((content.get("variants") or [{}])[0].get("text") or reply.text)
    moved = session.execute(update(InboxReply).where(InboxReply.id == reply.id, InboxReply.state.in_(HELD))
                            .values(state="queued", text=text, due_at=utcnow(), error=None)).rowcount
    if not moved:
        return None
    session.refresh(reply)
    timeline.record(session, None, conv, "reply", "inbox_reply.approved",
                    after={"reply_id": reply.id, "post_id": post_id, "version": post.approved_version,
                           "state": "queued", "text": text[:500]})
    return reply


def returned(session: Session, post_id: str, outcome: str, comment: str) -> InboxReply | None:
    """The carrier post was rejected (the reply ends) or sent back (it waits for a revision)."""
    held = _held_reply(session, post_id)
    if held is None:
        return None
    reply, conv = held
    state = "rejected" if outcome == "post.rejected" else "changes_requested"
    moved = session.execute(update(InboxReply).where(InboxReply.id == reply.id, InboxReply.state.in_(HELD))
                            .values(state=state, error=comment[:2000] or None)).rowcount
    if not moved:
        return None
    session.refresh(reply)
    timeline.record(session, None, conv, "reply", f"inbox_reply.{state}",
                    after={"reply_id": reply.id, "post_id": post_id, "state": state, "comment": comment[:500]})
    return reply


def withdraw(session: Session, post_id: str | None) -> None:
    """A held reply was cancelled: its carrier post leaves review (it is kept, for the record)."""
    post = session.get(Post, post_id) if post_id else None
    if post is None or post.status not in ("in_review", "approved", "changes_requested"):
        return
    run = engine.active_run(session, post)
    if run is not None:
        run.status, run.finished_at = "superseded", utcnow()
    post.status, post.approved_version = "rejected", None
    session.flush()
    engine.record_on_post(session, None, post, "post.withdrawn", version=post.current_version,
                          reason="the inbox reply it carries was cancelled")
