"""The sandbox network's engagement: what customers write to a sandbox account and what the
account answers, read page by page the way a real network's API is read.

Cursors. Every change to an account's engagement (a new item, an edit, a deletion) takes the
next number of the account's change log (``seq``). A read returns the changes after the cursor,
oldest first, at most :data:`PAGE_SIZE`, and the cursor it returns is the ``seq`` of the last
one (zero-padded, so cursors also sort as text). Mentions and comments are read apart from
direct messages, each with its own cursor over the same log.

Edits and deletions (the scheme Instagram's messaging uses): an edited item comes again with
its own ``remote_id``, the new text and ``edit_of`` = its own ``remote_id``; a deleted item
comes again with ``deleted=True`` and no text. Both happen in place, so the table holds each
item once, as it is now.

Budget: each kind of read may be made :data:`READ_LIMIT` times per :data:`READ_WINDOW` per
account (X's 180 per 15 minutes); the next read is refused with :class:`RateLimited` until the
window ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from herald.builtin.network_sandbox_models import SandboxAccountState, SandboxEngagement, SandboxPost
from herald.plugins import (
    AuthorProfile,
    ConnectedAccount,
    Mention,
    PermanentError,
    RateBudget,
    RateLimited,
    ReplyRequest,
    ReplyResult,
)

NAME = "network_sandbox"
PAGE_SIZE = 100
READ_LIMIT = 180
READ_WINDOW = timedelta(minutes=15)
#: a direct message may answer only this long after the customer's last message (Instagram's rule)
DM_WINDOW = timedelta(hours=24)
MAX_REPLY_LENGTH = 500
MAX_DM_LENGTH = 1000
PUBLIC_KINDS = ("mention", "comment")
KINDS = (*PUBLIC_KINDS, "dm")
_CURSOR_DIGITS = 12


def account_key(account: ConnectedAccount) -> str:
    """The account's id on the sandbox network (as posts are filed: the network's id when the
    account was connected, else Herald's id, as the demo's accounts are)."""
    return account.remote_id or account.id


def dm_thread_id(customer_remote_id: str) -> str:
    """The conversation of a customer with an account (one per pair; ids are per account)."""
    return f"sbxt_{customer_remote_id}"


def customer_id(handle: str) -> str:
    """A customer's network id from their handle: the same handle is the same person."""
    return f"sbxu_{handle.strip().lstrip('@').lower()}"


def format_cursor(seq: int) -> str:
    return f"{seq:0{_CURSOR_DIGITS}d}"


def parse_cursor(cursor: str) -> int:
    if not cursor.isdigit():
        raise PermanentError(f"The sandbox does not know the cursor {cursor!r}.", code="bad_cursor", status=400)
    return int(cursor)


def item_url(tenant_id: str, remote_id: str) -> str:
    return f"/console/x/{NAME}/{tenant_id}/#{remote_id}"


# ----------------------------------------------------------------------------- the change log
def lock_state(session: Session, tenant_id: str, account_remote_id: str) -> SandboxAccountState:
    """The account's bookkeeping row, locked for the rest of the transaction (created on first use)."""
    stmt = (select(SandboxAccountState)
            .where(SandboxAccountState.tenant_id == tenant_id,
                   SandboxAccountState.account_remote_id == account_remote_id)
            .with_for_update())
    state = session.scalars(stmt).first()
    if state is None:
        try:
            with session.begin_nested():
                session.add(SandboxAccountState(tenant_id=tenant_id, account_remote_id=account_remote_id,
                                                last_seq=0, mention_reads=0, dm_reads=0))
        except IntegrityError:  # another transaction made it first; its row is ours to lock now
            pass
        state = session.scalars(stmt).one()
    return state


def _next_seq(session: Session, tenant_id: str, account_remote_id: str) -> int:
    state = lock_state(session, tenant_id, account_remote_id)
    state.last_seq += 1
    session.flush()
    return state.last_seq


def add_engagement(session: Session, tenant_id: str, account_remote_id: str, *, kind: str, direction: str,
                   author: AuthorProfile, text: str, created_at: datetime, language: str | None = None,
                   thread_id: str | None = None, in_reply_to: str | None = None, root_id: str | None = None,
                   marker: str | None = None) -> SandboxEngagement:
    """Store one item; a mention without a thread starts its own."""
    if kind not in KINDS:
        raise PermanentError(f"The sandbox has no {kind!r} items.", code="unsupported_kind", status=400)
    seq = _next_seq(session, tenant_id, account_remote_id)
    remote_id = f"sbxe_{format_cursor(seq)}"
    row = SandboxEngagement(
        tenant_id=tenant_id, account_remote_id=account_remote_id, seq=seq, kind=kind, direction=direction,
        remote_id=remote_id, thread_id=thread_id or remote_id, in_reply_to=in_reply_to, root_id=root_id,
        author_remote_id=author.remote_id, author_handle=author.handle, author_display_name=author.display_name,
        author_followers=author.followers, author_verified=author.verified, author_language=author.language,
        text=text, language=language, created_at=created_at, marker=marker)
    session.add(row)
    session.flush()
    return row


def add_inbound(session: Session, tenant_id: str, account_remote_id: str, *, kind: str, author: AuthorProfile,
                text: str, created_at: datetime, language: str | None = None,
                in_reply_to: str | None = None) -> SandboxEngagement:
    """A customer writes to the account: a mention, a comment under the account's post (or
    answering a comment, ``in_reply_to``) or a direct message in their conversation with it."""
    thread_id = root_id = None
    if kind == "dm":
        thread_id = dm_thread_id(author.remote_id)
    elif kind == "comment":
        if not in_reply_to:
            raise PermanentError("A comment sits under a post: name it.", code="no_post", status=400)
        parent = find_item(session, tenant_id, account_remote_id, in_reply_to)
        if parent is not None:
            thread_id, root_id = parent.thread_id, parent.root_id
        else:
            post = session.get(SandboxPost, in_reply_to)
            if post is None or post.tenant_id != tenant_id or post.account_remote_id != account_remote_id:
                raise PermanentError("The account has no such post.", code="not_found", status=404)
            thread_id = root_id = post.id
    return add_engagement(session, tenant_id, account_remote_id, kind=kind, direction="inbound", author=author,
                          text=text, created_at=created_at, language=language, thread_id=thread_id,
                          in_reply_to=in_reply_to, root_id=root_id)


def find_item(session: Session, tenant_id: str, account_remote_id: str, remote_id: str) -> SandboxEngagement | None:
    return session.scalars(select(SandboxEngagement).where(
        SandboxEngagement.tenant_id == tenant_id, SandboxEngagement.account_remote_id == account_remote_id,
        SandboxEngagement.remote_id == remote_id)).first()


def edit_engagement(session: Session, row: SandboxEngagement, text: str, now: datetime) -> SandboxEngagement:
    """The author changes the text; the item moves to the end of the change log."""
    if row.deleted_at is not None:
        raise PermanentError("A deleted item cannot be edited.", code="deleted", status=400)
    row.seq = _next_seq(session, row.tenant_id, row.account_remote_id)
    row.text, row.edited_at = text, now
    session.flush()
    return row


def delete_engagement(session: Session, row: SandboxEngagement, now: datetime) -> SandboxEngagement:
    """The author deletes the item; it stays as a tombstone at the end of the change log."""
    if row.deleted_at is None:
        row.seq = _next_seq(session, row.tenant_id, row.account_remote_id)
        row.deleted_at = now
        session.flush()
    return row


# ----------------------------------------------------------------------------- reading
def count_read(session: Session, tenant_id: str, account_remote_id: str, read: str, now: datetime) -> RateBudget:
    """Count one read (``"mentions"`` or ``"dms"``) against the account's budget; refuse it when
    the window's reads are used up."""
    state = lock_state(session, tenant_id, account_remote_id)
    if state.reads_window_start is None or now >= state.reads_window_start + READ_WINDOW:
        state.reads_window_start, state.mention_reads, state.dm_reads = now, 0, 0
    reset_at = state.reads_window_start + READ_WINDOW
    used = state.mention_reads if read == "mentions" else state.dm_reads
    if used >= READ_LIMIT:
        raise RateLimited(f"The sandbox allows {READ_LIMIT} reads of {read} per 15 minutes.", reset_at=reset_at,
                          status=429)
    used += 1
    if read == "mentions":
        state.mention_reads = used
    else:
        state.dm_reads = used
    session.flush()
    return RateBudget(limit=READ_LIMIT, remaining=READ_LIMIT - used, reset_at=reset_at)


def read_changes(session: Session, tenant_id: str, account_remote_id: str, kinds: Iterable[str],
                 since: str | None, limit: int = PAGE_SIZE) -> tuple[list[SandboxEngagement], str | None]:
    """The changes of ``kinds`` after the cursor ``since`` (None: the latest ``limit``), oldest
    first, and the cursor to read on from (None when there is nothing new after ``since``)."""
    state = lock_state(session, tenant_id, account_remote_id)  # writers are done: no gap can fill in later
    stmt = select(SandboxEngagement).where(SandboxEngagement.tenant_id == tenant_id,
                                           SandboxEngagement.account_remote_id == account_remote_id,
                                           SandboxEngagement.kind.in_(list(kinds)))
    if since is None:
        rows = list(reversed(session.scalars(stmt.order_by(SandboxEngagement.seq.desc()).limit(limit)).all()))
        # even with nothing to read, hand out a position, so the next read starts from here
        return rows, format_cursor(rows[-1].seq if rows else state.last_seq)
    after = parse_cursor(since)
    rows = list(session.scalars(stmt.where(SandboxEngagement.seq > after)
                                .order_by(SandboxEngagement.seq).limit(limit)).all())
    return rows, format_cursor(rows[-1].seq) if rows else None


def as_mention(row: SandboxEngagement) -> Mention:
    deleted = row.deleted_at is not None
    return Mention(
        remote_id=row.remote_id, text="" if deleted else row.text, author_id=row.author_remote_id,
        author_handle=row.author_handle, created_at=row.created_at, in_reply_to=row.in_reply_to, kind=row.kind,
        raw={"seq": row.seq, "edited_at": row.edited_at.isoformat() if row.edited_at else None,
             "deleted_at": row.deleted_at.isoformat() if deleted and row.deleted_at else None},
        author=AuthorProfile(remote_id=row.author_remote_id, handle=row.author_handle,
                             display_name=row.author_display_name, followers=row.author_followers,
                             verified=row.author_verified, language=row.author_language),
        thread_id=row.thread_id, root_id=row.root_id, direction=row.direction, language=row.language,
        url=item_url(row.tenant_id, row.remote_id),
        edit_of=row.remote_id if row.edited_at is not None and not deleted else None, deleted=deleted)


# ----------------------------------------------------------------------------- replying
def store_reply(session: Session, tenant_id: str, account: ConnectedAccount, request: ReplyRequest,
                now: datetime) -> SandboxEngagement:
    """What the sandbox does with a reply the account sends: refuse it as the network would, or
    store it as the account's outbound item, in the conversation it answers."""
    key = account_key(account)
    me = AuthorProfile(remote_id=key, handle=account.handle, display_name=account.handle)
    if request.kind not in KINDS:
        raise PermanentError(f"The sandbox cannot send a {request.kind!r}.", code="unsupported_kind", status=400)
    limit = MAX_DM_LENGTH if request.kind == "dm" else MAX_REPLY_LENGTH
    if not request.text.strip():
        raise PermanentError("The sandbox refuses an empty reply.", code="empty", status=400)
    if len(request.text) > limit:
        raise PermanentError(f"The sandbox allows {limit} characters here.", code="too_long", status=400)
    if request.kind == "dm":
        _customer, thread_id = _dm_recipient(session, tenant_id, key, request)
        if not request.private:
            last = session.scalar(select(func.max(SandboxEngagement.created_at)).where(
                SandboxEngagement.tenant_id == tenant_id, SandboxEngagement.account_remote_id == key,
                SandboxEngagement.thread_id == thread_id, SandboxEngagement.direction == "inbound"))
            if last is None or now >= last + DM_WINDOW:
                raise PermanentError("The sandbox sends a direct message only within 24 hours of the customer's "
                                     "last message.", code="window_closed", status=400)
        return add_engagement(session, tenant_id, key, kind="dm", direction="outbound", author=me,
                              text=request.text, created_at=now, thread_id=thread_id, marker=request.reply_id,
                              in_reply_to=request.in_reply_to if request.private else None)
    if not request.in_reply_to:
        raise PermanentError("A public reply answers a post or a comment: name it.", code="no_parent", status=400)
    parent = find_item(session, tenant_id, key, request.in_reply_to)
    if parent is not None:
        if parent.deleted_at is not None:
            raise PermanentError("The item this answers was deleted.", code="deleted", status=404)
        if parent.kind == "dm":
            raise PermanentError("A direct message is answered with a direct message.", code="wrong_kind",
                                 status=400)
        thread_id, root_id = parent.thread_id, parent.root_id
    else:
        post = session.get(SandboxPost, request.in_reply_to)
        if post is None or post.tenant_id != tenant_id or post.account_remote_id != key or post.deleted_at:
            raise PermanentError("The sandbox has no such post or comment.", code="not_found", status=404)
        thread_id = root_id = post.id
    return add_engagement(session, tenant_id, key, kind=request.kind, direction="outbound", author=me,
                          text=request.text, created_at=now, thread_id=thread_id, in_reply_to=request.in_reply_to,
                          root_id=root_id, marker=request.reply_id)


def _dm_recipient(session: Session, tenant_id: str, key: str, request: ReplyRequest) -> tuple[str, str]:
    """(customer id, conversation id) a direct message goes to."""
    if request.private and request.in_reply_to:
        comment = find_item(session, tenant_id, key, request.in_reply_to)
        if comment is None or comment.kind == "dm" or comment.direction != "inbound":
            raise PermanentError("The sandbox has no such comment to answer privately.", code="not_found",
                                 status=404)
        return comment.author_remote_id, dm_thread_id(comment.author_remote_id)
    if request.thread_id:
        known = session.scalars(select(SandboxEngagement.author_remote_id).where(
            SandboxEngagement.tenant_id == tenant_id, SandboxEngagement.account_remote_id == key,
            SandboxEngagement.thread_id == request.thread_id, SandboxEngagement.kind == "dm",
            SandboxEngagement.direction == "inbound")).first()
        if known is None:
            raise PermanentError("The sandbox has no such conversation.", code="not_found", status=404)
        return known, request.thread_id
    if request.recipient_id:
        return request.recipient_id, dm_thread_id(request.recipient_id)
    raise PermanentError("A direct message needs a conversation or a recipient.", code="no_recipient", status=400)


def find_reply(session: Session, tenant_id: str, account: ConnectedAccount, reply_id: str,
               not_before: datetime) -> ReplyResult | None:
    row = session.scalars(select(SandboxEngagement).where(
        SandboxEngagement.tenant_id == tenant_id, SandboxEngagement.account_remote_id == account_key(account),
        SandboxEngagement.marker == reply_id, SandboxEngagement.created_at >= not_before,
        SandboxEngagement.deleted_at.is_(None)).order_by(SandboxEngagement.seq)).first()
    return reply_result(row) if row is not None else None


def reply_result(row: SandboxEngagement) -> ReplyResult:
    return ReplyResult(remote_id=row.remote_id, url=item_url(row.tenant_id, row.remote_id), thread_id=row.thread_id)
