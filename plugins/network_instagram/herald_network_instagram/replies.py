"""Answers from the account: public replies to comments and mentions, direct messages, private
replies to comments — checked before sending, sent once, looked up after an uncertain outcome.

- ``kind="comment"``, ``in_reply_to`` = a top-level comment → ``POST /{comment-id}/replies``
  (``message``);
- ``kind="mention"``, ``root_id`` = the media, ``in_reply_to`` = the comment (or the media) →
  ``POST /{ig-user-id}/mentions`` (``media_id``, ``message``[, ``comment_id``]);
- ``kind="dm"``, ``recipient_id`` = the person's IGSID (or ``thread_id`` = the conversation) →
  ``POST /{ig-user-id}/messages`` with ``recipient={"id"}``;
- ``kind="dm"``, ``private=True``, ``in_reply_to`` = a comment → ``POST /{ig-user-id}/messages``
  with ``recipient={"comment_id"}`` (a private reply).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from herald.plugins import (
    ConnectedAccount,
    MediaFile,
    NetworkError,
    PermanentError,
    Problem,
    ReplyRequest,
    ReplyResult,
    UncertainOutcome,
)
from herald_network_instagram.engagement_items import is_account
from herald_network_instagram.graph import GraphError
from herald_network_instagram.messaging import (
    conversation_with,
    other_participant,
    read_conversation,
)
from herald_network_instagram.payload_values import NUMERIC_ID_RE, as_dict, as_id, as_text, parse_time, path_id

if TYPE_CHECKING:
    from herald_network_instagram.connector import InstagramConnector

KINDS = ("comment", "mention", "dm")
DM_MAX_BYTES = 1000
PRIVATE_REPLY_WINDOW = timedelta(days=7)
WINDOW_CLOSED = (10, 2534022)
#: Messenger's subcode for the same refusal; the contract marks Instagram's as unconfirmed
MESSENGER_WINDOW_CLOSED = (10, 2018278)
PRIVATE_REPLY_SENT = (10, 2534025)
NO_SUCH_USER = (100, 2534014)
#: the remote id of a private reply Instagram says was already sent, whose own id it does not tell
ALREADY_SENT_PREFIX = "private_reply_to:"
#: look-ups accept answers this much older than ``not_before``, for clock skew with Meta
CLOCK_SKEW = timedelta(minutes=2)
ATTACHMENT_TYPES = {"image": "image", "gif": "image", "video": "video", "document": "file"}
RECIPIENT_HINT = "instagram_recipient_id"
THREAD_HINT = "instagram_thread_id"
COMMENT_FIELDS = "id,text,timestamp,username,from,parent_id"


class MessagingWindowClosed(PermanentError):
    """Instagram refused a direct message outside the 24-hour standard messaging window: only a
    new message from the person reopens it, so retrying cannot help."""


# ----------------------------------------------------------------------------- before sending
def private_window_closes_at(request: ReplyRequest) -> datetime | None:
    """A private reply is allowed for 7 days after the comment (``last_inbound_at`` is the
    comment's time for a private reply)."""
    if request.kind != "dm" or not request.private or request.last_inbound_at is None:
        return None
    return request.last_inbound_at + PRIVATE_REPLY_WINDOW


def reply_problems(request: ReplyRequest, now: datetime, problems: list[Problem]) -> list[Problem]:
    """Instagram's rules over the generic checks in ``problems``: direct messages counted in
    UTF-8 bytes, the ids each kind needs, what media each kind takes, the private-reply window."""
    if request.kind not in KINDS:
        return [Problem("kind", "unsupported", f"Instagram does not send replies of kind {request.kind!r}.")]
    if any(p.code == "unsupported" and p.field == "kind" for p in problems):
        return problems
    if request.kind == "dm":
        problems = [p for p in problems if p.code != "too_long"]  # counted in bytes instead
        size = len(request.text.encode("utf-8"))
        if size > DM_MAX_BYTES:
            problems.append(Problem("text", "too_long", f"Instagram allows {DM_MAX_BYTES} bytes (UTF-8) in a "
                                    f"direct message; this text has {size} bytes ({len(request.text)} characters)."))
        problems.extend(_dm_problems(request, now))
    else:
        problems.extend(_public_problems(request))
    return problems


def _dm_problems(request: ReplyRequest, now: datetime) -> list[Problem]:
    out: list[Problem] = []
    if request.private:
        if not _numeric(request.in_reply_to):
            out.append(Problem("in_reply_to", "missing", "A private reply names the comment it answers "
                               "(its numeric id)."))
        if request.media:
            out.append(Problem("media", "unsupported", "A private reply to a comment carries text only."))
        closes = private_window_closes_at(request)
        if closes is not None and now >= closes:
            out.append(Problem("kind", "window_closed", "Instagram allows a private reply only until "
                               f"{closes.isoformat()} (7 days after the comment)."))
        return out
    if path_id(request.recipient_id) is None and path_id(request.thread_id) is None:
        out.append(Problem("recipient_id", "missing", "A direct message needs the person's Instagram-scoped id "
                           "or the conversation it belongs to."))
    if len(request.media) > 1:
        out.append(Problem("media", "too_many", "An Instagram message carries one attachment; send the others "
                           "as messages of their own."))
    elif request.media and request.text.strip():
        out.append(Problem("media", "text_and_media", "An Instagram message carries text or one attachment, "
                           "not both; send the attachment as a message of its own."))
    for i, item in enumerate(request.media[:1]):
        if item.kind not in ATTACHMENT_TYPES:
            out.append(Problem(f"media[{i}]", "unsupported_kind", f"Instagram does not send {item.kind!r} "
                               "attachments."))
        if not item.url:
            out.append(Problem(f"media[{i}]", "no_url", "Instagram fetches attachments itself; the media "
                               "item needs a public URL."))
    return out


def _public_problems(request: ReplyRequest) -> list[Problem]:
    out: list[Problem] = []
    if request.media:
        out.append(Problem("media", "unsupported", "Instagram replies to comments and mentions carry text only."))
    if request.kind == "comment":
        if not _numeric(request.in_reply_to):
            out.append(Problem("in_reply_to", "missing", "A reply names the comment it answers (its numeric id)."))
        elif request.root_id and request.in_reply_to == request.root_id:
            out.append(Problem("in_reply_to", "unsupported", "Instagram's API answers comments, not posts: "
                               "reply to one of the post's comments."))
    elif not _numeric(request.root_id) and not _numeric(request.in_reply_to):
        out.append(Problem("root_id", "missing", "A reply to a mention names the media (and the comment) "
                           "that mentioned the account."))
    return out


def _numeric(value: str | None) -> bool:
    return isinstance(value, str) and NUMERIC_ID_RE.fullmatch(value) is not None


# ----------------------------------------------------------------------------- sending
def send_reply(conn: InstagramConnector, account: ConnectedAccount, request: ReplyRequest) -> ReplyResult:
    problems = conn.validate_reply(request, conn.now())
    if problems:
        cls = MessagingWindowClosed if any(p.code == "window_closed" for p in problems) else PermanentError
        raise cls(" ".join(p.message for p in problems), code=problems[0].code)
    token = conn._token(account)
    if request.kind == "comment":
        body = _post(conn, f"{request.in_reply_to}/replies", token, {"message": request.text}, request)
        return ReplyResult(remote_id=_id(body, "id"), thread_id=request.root_id)
    if request.kind == "mention":
        media_id = request.root_id if _numeric(request.root_id) else request.in_reply_to
        comment_id = request.in_reply_to if request.in_reply_to and request.in_reply_to != media_id else None
        body = _post(conn, f"{account.remote_id}/mentions", token,
                     {"media_id": media_id, "message": request.text, "comment_id": comment_id}, request)
        return ReplyResult(remote_id=_id(body, "id"), thread_id=media_id)
    return _send_message(conn, account, token, request)


def _send_message(conn: InstagramConnector, account: ConnectedAccount, token: str,
                  request: ReplyRequest) -> ReplyResult:
    thread_id = path_id(request.thread_id)
    if request.private:
        recipient: dict[str, str] = {"comment_id": str(request.in_reply_to)}
    else:
        person = path_id(request.recipient_id) or _recipient_of(conn, account, token, str(thread_id))
        recipient = {"id": person}
    message: dict[str, Any] = ({"attachment": _attachment(request.media[0])} if request.media
                               else {"text": request.text})
    hints = {RECIPIENT_HINT: recipient.get("id"), THREAD_HINT: thread_id}
    try:
        body = conn.graph.post(f"{account.remote_id}/messages", token, {"recipient": recipient, "message": message})
    except GraphError as err:
        if request.private and err.subcode == PRIVATE_REPLY_SENT[1]:
            # the contract: "treat as sent" — one private reply per comment, and it went out
            return ReplyResult(remote_id=f"{ALREADY_SENT_PREFIX}{request.in_reply_to}")
        raise _send_error(conn, err, request, hints) from err
    message_id = _id(body, "message_id", hints)
    if thread_id is None:
        person_id = as_id(body.get("recipient_id")) or recipient.get("id")
        thread_id = _thread_of(conn, account, token, person_id)
    return ReplyResult(remote_id=message_id, thread_id=thread_id)


def _attachment(item: MediaFile) -> dict[str, Any]:
    return {"type": ATTACHMENT_TYPES.get(item.kind, "file"), "payload": {"url": item.url}}


def _recipient_of(conn: InstagramConnector, account: ConnectedAccount, token: str, thread_id: str) -> str:
    view = read_conversation(conn, token, thread_id)
    person = path_id(other_participant(account, view.participants).get("id"))
    if person is None:
        raise PermanentError("Instagram did not name the person in this conversation; the message cannot be "
                             "addressed.", code="no_recipient")
    return person


def _thread_of(conn: InstagramConnector, account: ConnectedAccount, token: str, person_id: str | None) -> str | None:
    """The conversation a message landed in, for the inbox to file the answer; a nicety — the
    message is out whatever this look-up answers."""
    if path_id(person_id) is None:
        return None
    try:
        return conversation_with(conn, account, token, str(person_id))
    except NetworkError:
        return None


def _post(conn: InstagramConnector, path: str, token: str, params: dict[str, Any],
          request: ReplyRequest) -> dict[str, Any]:
    try:
        return conn.graph.post(path, token, params)
    except GraphError as err:
        raise _send_error(conn, err, request, {}) from err


def _send_error(conn: InstagramConnector, err: GraphError, request: ReplyRequest,
                hints: dict[str, Any]) -> NetworkError:
    if request.kind == "dm" and _window_closed(err):
        return MessagingWindowClosed(
            "The 24-hour window closed: Instagram accepts a direct message only within 24 hours of the person's "
            f"last message, and only a new message from them reopens it. (Instagram: {err.message})",
            code=err.label, status=err.status)
    # by subcode only: codes 10 and 100 alone mean other things (a permission, a parameter)
    if err.subcode == NO_SUCH_USER[1]:
        return PermanentError(f"Instagram knows no one to message by this id: {err.message}",
                              code=err.label, status=err.status)
    mapped = conn._fail(err, uncertain=True)
    if isinstance(mapped, UncertainOutcome):
        what = "message" if request.kind == "dm" else "reply"
        return UncertainOutcome(f"Instagram may have sent the {what}: {err.message}", code=mapped.code,
                                status=mapped.status, hints={k: v for k, v in hints.items() if v})
    return mapped


def _window_closed(err: GraphError) -> bool:
    """Meta's "outside of allowed window" refusal. Code 10 alone also means a missing
    permission, so without one of the subcodes only Meta's wording tells the two apart."""
    if err.subcode is not None:
        return err.subcode in (WINDOW_CLOSED[1], MESSENGER_WINDOW_CLOSED[1])
    return err.code == WINDOW_CLOSED[0] and "allowed window" in err.message.lower()


def _id(body: dict[str, Any], key: str, hints: dict[str, Any] | None = None) -> str:
    value = as_id(body.get(key))
    if value is None:
        # a success without the id: the answer went out (or may have), so never resend blindly
        raise UncertainOutcome("Instagram accepted the answer without saying its id.", code="no_reply_id",
                               hints={k: v for k, v in (hints or {}).items() if v})
    return value


# ----------------------------------------------------------------------------- after an uncertain outcome
def find_reply(conn: InstagramConnector, account: ConnectedAccount, request: ReplyRequest,
               not_before: datetime) -> ReplyResult | None:
    earliest = not_before - CLOCK_SKEW
    token = conn._token(account)
    if request.kind == "dm" and request.private:
        # Instagram takes one private reply per comment and answers a second with 2534025,
        # which send_reply treats as sent: resending cannot duplicate it
        return None
    if request.kind == "dm":
        return _find_message(conn, account, token, request, earliest)
    if request.kind == "comment":
        return _find_comment_reply(conn, account, token, request, earliest)
    raise UncertainOutcome("Instagram offers no way to list the comments on media the account does not own; "
                           "check the mention's post before answering again.", code="mention_reply_unknown")


def _find_message(conn: InstagramConnector, account: ConnectedAccount, token: str, request: ReplyRequest,
                  earliest: datetime) -> ReplyResult | None:
    hints = request.lookup_hints
    thread_id = path_id(request.thread_id) or path_id(hints.get(THREAD_HINT))
    if thread_id is None:
        person = path_id(request.recipient_id) or path_id(hints.get(RECIPIENT_HINT))
        if person is None:
            raise UncertainOutcome("Neither the conversation nor the person is known; Instagram cannot tell "
                                   "whether the message went out.", code="dm_unknown")
        thread_id = conversation_with(conn, account, token, person)
        if thread_id is None:
            return None  # no conversation with the person at all: nothing was sent to them
    view = read_conversation(conn, token, thread_id)
    readable = view.readable
    for entry in readable:
        created = parse_time(entry.get("created_time"))
        if created is not None and created < earliest:
            break  # newest first: the rest is older than the attempt
        try:
            detail = conn.graph.get(str(entry["id"]), token, {"fields": "id,created_time,from,message,attachments"})
        except GraphError as err:
            raise conn._fail(err) from err
        sender = as_dict(detail.get("from"))
        if not is_account(account, as_id(sender.get("id")), as_text(sender.get("username"))):
            continue
        if as_text(detail.get("message")) == request.text and (not request.media or detail.get("attachments")):
            return ReplyResult(remote_id=as_id(detail.get("id")) or str(entry["id"]), thread_id=thread_id)
    oldest = parse_time(readable[-1].get("created_time")) if readable else None
    if view.beyond_readable and (oldest is None or oldest >= earliest):
        raise UncertainOutcome("More messages followed the attempt than Instagram lets Herald read; it cannot "
                               "tell whether the message went out.", code="dm_beyond_readable")
    return None


def _find_comment_reply(conn: InstagramConnector, account: ConnectedAccount, token: str, request: ReplyRequest,
                        earliest: datetime) -> ReplyResult | None:
    media_id = path_id(request.root_id)
    if media_id is None:
        raise UncertainOutcome("Without the post the comment sits under, Instagram cannot tell whether the "
                               "reply went out.", code="reply_unknown")
    for comment in conn._paged(f"{media_id}/comments", token, {"fields": COMMENT_FIELDS}):
        sender = as_dict(comment.get("from"))
        mine = is_account(account, as_id(sender.get("id")),
                          as_text(comment.get("username")) or as_text(sender.get("username")))
        created = parse_time(comment.get("timestamp"))
        if (mine and as_id(comment.get("parent_id")) == request.in_reply_to
                and as_text(comment.get("text")) == request.text and (created is None or created >= earliest)
                and as_id(comment.get("id"))):
            return ReplyResult(remote_id=str(as_id(comment.get("id"))), thread_id=media_id)
    return None
