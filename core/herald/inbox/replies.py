"""Answering from Herald: the reply lease, the network's checks, and sending exactly once.

**Collision.** Opening a conversation to answer takes its reply lease (``replying_user_id`` until
``replying_until``): others see "… is replying", and a second person's reply is refused unless
they take over explicitly, which is audited.

**Checks.** Before a reply is accepted the account's connector checks it against the network's
rules (length as the network counts it, direct-message support, the Instagram 24-hour window):
a refused reply changes nothing.

**Exactly once.** A reply is a row that moves queued → sending → sent (or failed). A worker claims
it with a conditional update (one winner) and a lease; a send that may or may not have reached
the network (a timeout) is looked up (``find_reply``) before any new attempt, so a reply is
never sent twice."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from herald import audit
from herald.authz.actor import Actor
from herald.clock import utcnow
from herald.errors import Conflict, NotFound, ValidationFailed
from herald.events.bus import emit
from herald.ids import new_id
from herald.inbox import governance, sla, timeline
from herald.inbox.access import require_on
from herald.inbox.models import Conversation, InboxItem, InboxReply
from herald.networks.connector import Mention, NetworkConnector, ReplyRequest, ReplyResult
from herald.networks.errors import (
    AuthExpired,
    AuthRevoked,
    NetworkError,
    NotSupported,
    PermanentError,
    RateLimited,
    TransientError,
    UncertainOutcome,
)
from herald.people.models import User
from herald.publishing.planning import network_connector
from herald.publishing.tokens import connected_account
from herald.publishing.tokens import refresh as refresh_tokens
from herald.queue.after_commit import after_commit
from herald.queue.base import Job
from herald.runtime import current
from herald.tenancy.models import SocialAccount

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
SEND_LEASE = timedelta(seconds=60)
MAX_TRANSIENT = 5
MAX_TEXT = 20_000
CANCELLABLE = ("queued", "awaiting_approval", "changes_requested")


# ----------------------------------------------------------------------------- the reply lease
def _holder(session: Session, conv: Conversation, now: datetime) -> str | None:
    if conv.replying_user_id and conv.replying_until and conv.replying_until > now:
        return conv.replying_user_id
    return None


def _name(session: Session, user_id: str) -> str:
    user = session.get(User, user_id)
    return (user.display_name or user.email) if user else user_id


def take_lease(session: Session, actor: Actor, conv: Conversation, *, take_over: bool = False) -> datetime:
    """Start (or extend) answering ``conv``; refused while someone else holds the lease, unless
    ``take_over``. Returns when the lease ends."""
    require_on(session, actor, "inbox.reply", conv)
    now = utcnow()
    holder = _holder(session, conv, now)
    if holder and holder != actor.user_id:
        if not take_over:
            raise Conflict(f"{_name(session, holder)} is replying to this conversation; take over to answer "
                           "instead.", replying_user_id=holder, replying_until=conv.replying_until.isoformat()
                           if conv.replying_until else None)
        timeline.record(session, actor, conv, "lease", "conversation.reply_taken_over",
                        before={"replying_user_id": holder}, after={"replying_user_id": actor.user_id})
    conv.replying_user_id = actor.user_id
    conv.replying_until = now + LEASE
    return conv.replying_until


def release_lease(session: Session, actor: Actor, conv: Conversation) -> None:
    require_on(session, actor, "inbox.reply", conv)
    if conv.replying_user_id == actor.user_id:
        conv.replying_user_id = None
        conv.replying_until = None


def lease_info(session: Session, conv: Conversation) -> dict[str, object] | None:
    holder = _holder(session, conv, utcnow())
    if holder is None:
        return None
    return {"user_id": holder, "name": _name(session, holder),
            "until": conv.replying_until.isoformat() if conv.replying_until else None}


# ----------------------------------------------------------------------------- composing
def reply_request(session: Session, conv: Conversation, reply: InboxReply) -> ReplyRequest:
    last_inbound = conv.last_inbound_at
    thread_id = None
    recipient = None
    if conv.kind == "dm":
        thread_id = conv.thread_key.removeprefix("dm:") if conv.thread_key.startswith("dm:") else None
        item = session.execute(select(InboxItem).where(InboxItem.conversation_id == conv.id,
                                                       InboxItem.direction == "inbound")
                               .order_by(InboxItem.created_at.desc()).limit(1)).scalar_one_or_none()
        if item is not None:
            thread_id = item.thread_id or thread_id
            from herald.inbox.models import InboxAuthor

            author = session.get(InboxAuthor, item.author_id) if item.author_id else None
            recipient = author.remote_id if author else None
    root = conv.thread_key.removeprefix("post:") if conv.thread_key.startswith("post:") else None
    if reply.in_reply_to:
        # the post the answered item sits under, as the network said (a mention in a comment)
        target_root = session.execute(select(InboxItem.root_id).where(
            InboxItem.conversation_id == conv.id, InboxItem.remote_id == reply.in_reply_to)).scalar()
        root = target_root or root
    return ReplyRequest(reply_id=reply.id, kind=reply.kind, text=reply.text, in_reply_to=reply.in_reply_to,
                        thread_id=thread_id, recipient_id=recipient, root_id=root, last_inbound_at=last_inbound,
                        private=reply.private, lookup_hints=dict(reply.lookup_hints or {}))


def _default_target(session: Session, conv: Conversation) -> str | None:
    """What a public reply answers by default: the newest inbound item still on the network."""
    return session.execute(select(InboxItem.remote_id).where(
        InboxItem.conversation_id == conv.id, InboxItem.direction == "inbound", InboxItem.deleted_at.is_(None))
        .order_by(InboxItem.created_at.desc()).limit(1)).scalar()


def connector_of(session: Session, conv: Conversation) -> NetworkConnector:
    found = network_connector(session, conv.tenant_id, conv.network)
    if found is None:
        raise ValidationFailed(f"The {conv.network!r} network is not enabled for this tenant; Herald cannot "
                               "reply there.", {"kind": [f"{conv.network} is not enabled"]})
    return found


def check(session: Session, conv: Conversation, *, text: str, in_reply_to: str | None = None,
          private: bool = False, now: datetime | None = None) -> tuple[ReplyRequest, list[dict[str, str]]]:
    """The request a reply would make and every problem the network's rules find in it."""
    kind = "dm" if conv.kind == "dm" or private else ("comment" if conv.kind == "comment" else "mention")
    target = in_reply_to or (None if conv.kind == "dm" else _default_target(session, conv))
    draft = InboxReply(id=new_id("rpl"), tenant_id=conv.tenant_id, conversation_id=conv.id,
                       account_id=conv.account_id, kind=kind, text=text, in_reply_to=target, private=private,
                       author_user_id="", lookup_hints={})
    request = reply_request(session, conv, draft)
    problems = [{"field": p.field, "code": p.code, "message": p.message}
                for p in connector_of(session, conv).validate_reply(request, now or utcnow())]
    if kind != "dm" and not target:
        problems.append({"field": "in_reply_to", "code": "nothing_to_answer",
                         "message": "Every message of this conversation was deleted on the network."})
    return request, problems


def limits(session: Session, conv: Conversation, now: datetime | None = None) -> dict[str, object]:
    """What a reply box checks live: the kind of answer, its length limit as the network counts it,
    and when the direct-message window closes (``available`` false, with a reason, when the
    conversation cannot be answered at all)."""
    try:
        request, _problems = check(session, conv, text="")
        connector = connector_of(session, conv)
    except ValidationFailed as exc:
        return {"available": False, "reason": exc.detail}
    caps = connector.capabilities
    limit = (caps.max_dm_length if request.kind == "dm" else caps.max_reply_length) or caps.max_text_length
    closes = connector.reply_window_closes_at(request)
    return {"available": True, "kind": request.kind, "max_length": limit, "window_closes_at": closes,
            "window_closed": bool(closes and closes <= (now or utcnow()))}


def create(session: Session, actor: Actor, conv: Conversation, *, text: str, in_reply_to: str | None = None,
           private: bool = False, take_over: bool = False) -> InboxReply:
    """Accept a reply: checked, leased, then queued (or sent for approval when governed)."""
    require_on(session, actor, "inbox.reply", conv)
    if len(text) > MAX_TEXT:
        raise ValidationFailed("The reply is too long.", {"text": [f"At most {MAX_TEXT} characters."]})
    if conv.status == "spam":
        raise Conflict("This conversation is marked as spam; unmark it before answering.")
    if in_reply_to is not None:
        known = session.execute(select(InboxItem.id).where(InboxItem.conversation_id == conv.id,
                                                           InboxItem.remote_id == in_reply_to)).scalar()
        if known is None:
            raise ValidationFailed("The item to answer is not in this conversation.",
                                   {"in_reply_to": [f"No item {in_reply_to!r} in this conversation."]})
    take_lease(session, actor, conv, take_over=take_over)
    request, problems = check(session, conv, text=text, in_reply_to=in_reply_to, private=private)
    if problems:
        errors: dict[str, list[str]] = {}
        for p in problems:
            errors.setdefault(p["field"], []).append(p["message"])
        raise ValidationFailed("The network would refuse this reply: " + " ".join(p["message"] for p in problems),
                               errors)
    reply = InboxReply(id=request.reply_id, tenant_id=conv.tenant_id, conversation_id=conv.id,
                       account_id=conv.account_id, kind=request.kind, text=text, in_reply_to=request.in_reply_to,
                       private=private, author_user_id=actor.user_id, state="queued", due_at=utcnow(),
                       lookup_hints={}, attempt_count=0)
    session.add(reply)
    session.flush()
    conv.replying_user_id = None
    conv.replying_until = None
    reason = governance.approval_reason(session, conv)
    if reason is not None:
        reply.state, reply.due_at = "awaiting_approval", None
    timeline.record(session, actor, conv, "reply", "inbox_reply.created",
                    after={"reply_id": reply.id, "state": reply.state, "kind": reply.kind, "text": text[:500]})
    if reason is not None:
        governance.submit(session, actor, conv, reply, reason)
    if reply.state == "queued":
        queue_send(session, reply)
    return reply


def queue_send(session: Session, reply: InboxReply) -> None:
    after_commit(session, Job("herald.inbox.replies.send", (reply.id,),
                              job_id=f"reply-{reply.id}-{reply.attempt_count}"))


def cancel(session: Session, actor: Actor, conv: Conversation, reply: InboxReply) -> InboxReply:
    require_on(session, actor, "inbox.reply", conv)
    if reply.state not in CANCELLABLE:
        raise Conflict(f"The reply is {reply.state}; only a queued or unapproved reply can be cancelled.")
    changed = session.execute(update(InboxReply).where(InboxReply.id == reply.id,
                                                       InboxReply.state.in_(CANCELLABLE))
                              .values(state="cancelled", due_at=None)).rowcount
    if not changed:
        raise Conflict("The reply is being sent and can no longer be cancelled.")
    session.refresh(reply)
    governance.withdraw(session, reply.approval_post_id)
    timeline.record(session, actor, conv, "reply", "inbox_reply.cancelled", after={"reply_id": reply.id,
                                                                                    "state": "cancelled"})
    return reply


# ----------------------------------------------------------------------------- sending
def _claim(reply_id: str) -> tuple[str, bool] | None:
    """Take the reply for one attempt: (lease token, whether an earlier attempt may have sent it)."""
    now = utcnow()
    token = new_id("lease")
    with current().db.transaction() as session:
        row = session.get(InboxReply, reply_id)
        if row is None:
            return None
        uncertain = row.state == "sending" or row.uncertain_since is not None
        claimed = session.execute(update(InboxReply).where(
            InboxReply.id == reply_id,
            or_(InboxReply.state == "queued",
                (InboxReply.state == "sending") & (InboxReply.lease_expires_at < now)))
            .values(state="sending", lease_token=token, lease_expires_at=now + SEND_LEASE,
                    attempt_count=InboxReply.attempt_count + 1,
                    uncertain_since=InboxReply.uncertain_since if not uncertain else (row.uncertain_since or now))
        ).rowcount
    return (token, uncertain) if claimed else None


def send(reply_id: str) -> str:
    """One attempt at sending the reply (a queued job). Returns the state it left it in."""
    claim = _claim(reply_id)
    if claim is None:
        return "skipped"
    token, uncertain = claim
    rt = current()
    with rt.db.transaction() as session:
        reply = session.get(InboxReply, reply_id)
        conv = session.get(Conversation, reply.conversation_id) if reply else None
        account = session.get(SocialAccount, reply.account_id) if reply else None
        if reply is None or conv is None or account is None:
            return "skipped"
        connector = network_connector(session, conv.tenant_id, conv.network)
        request = reply_request(session, conv, reply)
        connected = connected_account(session, account)
        created_at = reply.created_at
    if connector is None:
        return _finish_failed(reply_id, token, f"The {conv.network!r} network is not enabled for this tenant.")
    try:
        result: ReplyResult | None = None
        if uncertain:
            try:
                result = connector.find_reply(connected, request, created_at - timedelta(seconds=5))
            except NotSupported:
                return _finish_failed(reply_id, token, "An earlier attempt may have been sent and "
                                      f"{connector.display_name} cannot tell; check the network before "
                                      "answering again.", state="failed")
        if result is None:
            result = connector.send_reply(connected, request)
    except AuthExpired:
        with rt.db.transaction() as session:
            acct = session.get(SocialAccount, account.id)
            outcome = refresh_tokens(session, connector, acct) if acct else "revoked"
        if outcome == "ok":
            return _requeue(reply_id, token, utcnow(), "The access token had expired; refreshed.")
        return _finish_failed(reply_id, token, "The network no longer accepts Herald's access to this account; "
                              "reconnect it.")
    except UncertainOutcome as exc:
        return _uncertain(reply_id, token, exc)
    except RateLimited as exc:
        return _requeue(reply_id, token, exc.reset_at or utcnow() + timedelta(minutes=1), exc.message)
    except TransientError as exc:
        return _transient(reply_id, token, exc)
    except (PermanentError, AuthRevoked) as exc:
        return _finish_failed(reply_id, token, exc.message)
    except NetworkError as exc:
        return _finish_failed(reply_id, token, exc.message)
    return _finish_sent(reply_id, token, result)


def _owned(session: Session, reply_id: str, token: str) -> InboxReply | None:
    reply = session.execute(select(InboxReply).where(InboxReply.id == reply_id, InboxReply.lease_token == token)
                            .with_for_update()).scalar_one_or_none()
    return reply if reply is not None and reply.state == "sending" else None


def _finish_sent(reply_id: str, token: str, result: ReplyResult) -> str:
    from herald.inbox.ingest import ingest

    with current().db.transaction() as session:
        reply = _owned(session, reply_id, token)
        if reply is None:
            return "lost-lease"
        now = utcnow()
        reply.state = "sent"
        reply.remote_id = str(result.remote_id)[:200]
        reply.remote_url = result.url
        reply.sent_at = now
        reply.lease_token = None
        reply.lease_expires_at = None
        reply.due_at = None
        reply.error = None
        conv = session.get(Conversation, reply.conversation_id)
        account = session.get(SocialAccount, reply.account_id)
        assert conv is not None and account is not None
        echo = Mention(remote_id=reply.remote_id, text=reply.text, author_id=account.external_id or account.id,
                       author_handle=account.handle, created_at=now, in_reply_to=reply.in_reply_to,
                       kind=conv.kind if conv.kind in ("dm", "comment") else "mention",
                       thread_id=result.thread_id or None, direction="outbound", url=result.url,
                       root_id=conv.thread_key.removeprefix("post:") if conv.kind == "comment" else None)
        stored = ingest(session, account, [_into_thread(conv, echo)], source="herald", now=now)
        for item_id in stored.stored:
            item = session.get(InboxItem, item_id)
            if item is not None:
                item.reply_id = reply.id
        sla.responded(session, conv, now)
        timeline.add(session, conv, "reply", actor_id=reply.author_user_id, at=now, reply_id=reply.id,
                     state="sent", remote_id=reply.remote_id)
        audit.record(session, None, "inbox_reply.sent", "inbox_reply", reply.id, tenant_id=reply.tenant_id,
                     after={"remote_id": reply.remote_id, "conversation_id": conv.id})
        emit(session, reply.tenant_id, "reply.sent", {
            "reply_id": reply.id, "conversation_id": conv.id, "account_id": reply.account_id, "kind": reply.kind,
            "remote_id": reply.remote_id, "url": reply.remote_url, "by": reply.author_user_id})
    return "sent"


def _into_thread(conv: Conversation, echo: Mention) -> Mention:
    """The echo of a sent reply, keyed so that it lands in the conversation it answers."""
    from dataclasses import replace

    if conv.kind == "dm":
        return replace(echo, thread_id=conv.thread_key.removeprefix("dm:"))
    if conv.thread_key.startswith("thread:"):
        return replace(echo, thread_id=conv.thread_key.removeprefix("thread:"))
    return echo


def _requeue(reply_id: str, token: str, due: datetime, why: str) -> str:
    with current().db.transaction() as session:
        reply = _owned(session, reply_id, token)
        if reply is None:
            return "lost-lease"
        reply.state = "queued"
        reply.due_at = due
        reply.lease_token = None
        reply.lease_expires_at = None
        reply.error = why
    return "queued"


def _transient(reply_id: str, token: str, exc: TransientError) -> str:
    with current().db.transaction() as session:
        reply = _owned(session, reply_id, token)
        if reply is None:
            return "lost-lease"
        attempts = reply.attempt_count
    if attempts >= MAX_TRANSIENT:
        return _finish_failed(reply_id, token, f"{exc.message} (gave up after {attempts} attempts)")
    wait = exc.retry_after or min(600.0, 5.0 * 2 ** attempts)
    return _requeue(reply_id, token, utcnow() + timedelta(seconds=wait), exc.message)


def _uncertain(reply_id: str, token: str, exc: UncertainOutcome) -> str:
    with current().db.transaction() as session:
        reply = _owned(session, reply_id, token)
        if reply is None:
            return "lost-lease"
        reply.uncertain_since = reply.uncertain_since or utcnow()
        reply.lookup_hints = {**(reply.lookup_hints or {}), **dict(exc.hints or {})}
        reply.error = exc.message
        # stays "sending": the lease runs out and the next claim looks the reply up first
        reply.lease_expires_at = utcnow()
        reply.due_at = utcnow() + timedelta(seconds=10)
    return "uncertain"


def _finish_failed(reply_id: str, token: str, why: str, state: str = "failed") -> str:
    with current().db.transaction() as session:
        reply = _owned(session, reply_id, token)
        if reply is None:
            return "lost-lease"
        reply.state = state
        reply.error = why
        reply.lease_token = None
        reply.lease_expires_at = None
        reply.due_at = None
        conv = session.get(Conversation, reply.conversation_id)
        if conv is not None:
            timeline.add(session, conv, "reply", actor_id=reply.author_user_id, reply_id=reply.id, state=state,
                         error=why)
            from herald.inbox.notify import notify_people

            notify_people(session, conv, [reply.author_user_id], "inbox_reply.failed",
                          "Your reply could not be sent", why)
        audit.record(session, None, "inbox_reply.failed", "inbox_reply", reply.id, tenant_id=reply.tenant_id,
                     after={"error": why})
    return state


def due_for_sending(session: Session, now: datetime, limit: int = 200) -> list[str]:
    """Replies a sweep should queue again: due queued ones, and sending ones whose lease ran out."""
    return list(session.execute(select(InboxReply.id).where(or_(
        (InboxReply.state == "queued") & (InboxReply.due_at <= now),
        (InboxReply.state == "sending") & (InboxReply.lease_expires_at < now)))
        .order_by(InboxReply.due_at).limit(limit)).scalars())


def get(session: Session, conv: Conversation, reply_id: str) -> InboxReply:
    reply = session.get(InboxReply, reply_id)
    if reply is None or reply.conversation_id != conv.id:
        raise NotFound(f"No reply {reply_id!r} in this conversation.")
    return reply
