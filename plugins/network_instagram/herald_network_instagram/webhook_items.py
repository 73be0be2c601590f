"""Recorded webhook events (see :mod:`~herald_network_instagram.webhook_events`) as inbox items,
identical in ``remote_id``, ``kind`` and ``thread_id`` to what polling returns for the same
item, since the inbox stores an item once per (account, ``remote_id``):

- ``instagram.comments`` / ``instagram.live_comments`` → a comment
  (:func:`~herald_network_instagram.engagement_items.comment_item`, as ``fetch_mentions``);
- ``instagram.mentions`` (``{media_id[, comment_id]}``) → the mention, read with
  ``read_mention`` (the delivery carries no text);
- ``instagram.messages`` → a direct message. The delivery names the person but not the
  conversation, so the conversation (``thread_id``, as ``fetch_direct_messages`` gives it) and
  the person's username are looked up; an echo is outbound; ``message_edit`` gives
  ``edit_of`` = the message's own ``mid``; ``is_deleted`` gives ``deleted=True``.

An event that is not for ``account``, or lacks the ids an item needs, yields no items.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from herald.plugins import AuthorProfile, ConnectedAccount, Mention, NetworkError, PermanentError, TransientError
from herald_network_instagram.engagement_items import comment_item
from herald_network_instagram.messaging import attachments, conversation_with, other_participant, read_conversation
from herald_network_instagram.payload_values import NUMERIC_ID_RE, as_dict, as_id, as_text, parse_time, path_id
from herald_network_instagram.webhook_events import MESSAGES, message_of, messaging_account

if TYPE_CHECKING:
    from herald_network_instagram.connector import InstagramConnector

PREFIX = "instagram."
COMMENT_FIELDS = ("comments", "live_comments")
ENGAGEMENT_FIELDS = (*COMMENT_FIELDS, "mentions", MESSAGES)
#: how soon to look again when Meta does not list a conversation a message was delivered for yet
CONVERSATION_RETRY_S = 60.0


def webhook_account(event_type: str, data: Any) -> str | None:
    """The account a recorded event is for (None: not an engagement event)."""
    if not isinstance(event_type, str) or not event_type.startswith(PREFIX) or not isinstance(data, dict):
        return None
    field = event_type.removeprefix(PREFIX)
    if field not in ENGAGEMENT_FIELDS:
        return None
    recorded = as_id(data.get("account_remote_id"))
    if recorded:
        return recorded
    if field == MESSAGES:
        return messaging_account(as_dict(data.get("value")))
    return as_id(data.get("entry_id"))


def items_from_webhook(conn: InstagramConnector, account: ConnectedAccount, event_type: str,
                       data: Any) -> list[Mention]:
    if webhook_account(event_type, data) != account.remote_id:
        return []
    field = event_type.removeprefix(PREFIX)
    value = as_dict(data.get("value"))
    if field in COMMENT_FIELDS:
        media_id = path_id(as_dict(value.get("media")).get("id"))
        item = comment_item(account, value, media_id, created_at=parse_time(data.get("time")))
        return [item] if item is not None else []
    if field == "mentions":
        return _mention(conn, account, value)
    return _message(conn, account, value)


def _mention(conn: InstagramConnector, account: ConnectedAccount, value: dict[str, Any]) -> list[Mention]:
    media_id, comment_id = as_id(value.get("media_id")), as_id(value.get("comment_id"))
    if media_id is None or not NUMERIC_ID_RE.fullmatch(media_id) or (
            comment_id is not None and not NUMERIC_ID_RE.fullmatch(comment_id)):
        return []
    try:
        return [conn.read_mention(account, media_id, comment_id)]
    except PermanentError as exc:
        if getattr(exc, "needs_attention", False):
            raise
        return []  # the media or comment is gone (or never mentioned the account)


def _message(conn: InstagramConnector, account: ConnectedAccount, item: dict[str, Any]) -> list[Mention]:
    found = message_of(item)
    sender_id = as_id(as_dict(item.get("sender")).get("id"))
    recipient_id = as_id(as_dict(item.get("recipient")).get("id"))
    if found is None or sender_id is None:
        return []
    kind, message = found
    mid = str(as_id(message.get("mid")))
    outbound = message.get("is_echo") is True or sender_id == account.remote_id
    person = recipient_id if outbound else sender_id
    if path_id(person) is None:
        return []
    token = conn._token(account)
    thread_id = conversation_with(conn, account, token, str(person))
    if thread_id is None:
        raise TransientError("Instagram does not list the conversation of this message yet.",
                             retry_after=CONVERSATION_RETRY_S, code="conversation_not_listed")
    handle = account.handle if outbound else _username(conn, account, token, thread_id, sender_id)
    return [Mention(
        remote_id=mid, text=as_text(message.get("text")), author_id=sender_id, author_handle=handle,
        created_at=parse_time(item.get("timestamp")), kind="dm", raw=item,
        author=AuthorProfile(remote_id=sender_id, handle=handle), thread_id=thread_id,
        direction="outbound" if outbound else "inbound", media=attachments(message.get("attachments")),
        edit_of=mid if kind == "message_edit" else None, deleted=message.get("is_deleted") is True)]


def _username(conn: InstagramConnector, account: ConnectedAccount, token: str, thread_id: str,
              sender_id: str) -> str:
    """The person's username from the conversation's participants (the delivery has only their
    id); a nicety — the item is stored without it if Meta will not say."""
    try:
        view = read_conversation(conn, token, thread_id)
    except NetworkError:
        return ""
    other = other_participant(account, view.participants)
    return as_text(other.get("username")) if as_id(other.get("id")) == sender_id else ""
