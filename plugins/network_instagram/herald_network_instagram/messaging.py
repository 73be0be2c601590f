"""Reading Instagram direct messages: conversations, their messages, and message details.

Identity of a direct message in the inbox (the same whether polled or delivered by webhook):
``remote_id`` = the message id (the webhook's ``mid``), ``kind="dm"``, ``thread_id`` = the
conversation id, ``direction="outbound"`` for messages ``from`` the account itself.

Polling reads ``GET /{ig-user-id}/conversations?platform=instagram`` (newest first) down to the
cursor, then ``GET /{conversation-id}?fields=messages,participants`` and the details of each new
message. Meta lets only the **20 most recent messages** of a conversation be read in detail: if
more than 20 arrive in one conversation between two polls, the older ones cannot be read by
polling at all (the webhook delivers every message, which is why it is the primary path). Such a
gap is marked on the oldest message read: ``raw["instagram_older_unread"] = True``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from herald.plugins import AuthorProfile, ConnectedAccount, Mention, MentionPage, PermanentError
from herald_network_instagram.dm_cursor import DmCursor
from herald_network_instagram.engagement_items import is_account
from herald_network_instagram.graph import GraphError
from herald_network_instagram.payload_values import (
    as_dict,
    as_id,
    as_text,
    data_list,
    parse_time,
    path_id,
)
from herald_network_instagram.read_budget import budget_from_usage

if TYPE_CHECKING:
    from herald_network_instagram.connector import InstagramConnector

CONVERSATION_FIELDS = "messages,participants"
MESSAGE_FIELDS = "id,created_time,from,to,message,attachments{image_data,video_data,file_url}"
#: only this many of a conversation's most recent messages can be read in detail
READABLE_MESSAGES = 20
GAP_FLAG = "instagram_older_unread"
ATTACHMENT_KINDS = {"image": "image", "video": "video", "audio": "file", "file": "file",
                    "share": "post", "ig_reel": "post", "reel": "post", "story_mention": "post", "ig_post": "post"}


def fetch_direct_messages(conn: InstagramConnector, account: ConnectedAccount, since: str | None) -> MentionPage:
    """Direct messages newer than the cursor ``since`` (see :mod:`~herald_network_instagram.dm_cursor`);
    without one, the 20 most recent messages of the ``recent_conversations_limit`` most recently
    active conversations. Oldest first."""
    token = conn._token(account)
    cursor = DmCursor.decode(since)
    conn.graph.forget_thread_usage()  # the budget is this poll's own latest answer
    floor = cursor.floor
    first_poll_limit = None if floor is not None else int(conn.conf["recent_conversations_limit"])
    found: list[tuple[Mention, datetime]] = []
    for n, conversation in enumerate(conversations(conn, account, token)):
        if first_poll_limit is not None and n >= first_poll_limit:
            break
        conversation_id = path_id(conversation.get("id"))
        if conversation_id is None:
            continue
        updated = parse_time(conversation.get("updated_time"))
        if floor is not None and updated is not None and updated < floor:
            break  # newest first: no conversation further down has anything newer
        found.extend(_new_messages(conn, account, token, conversation_id, cursor))
    found.sort(key=lambda pair: pair[1])
    returned = {m.remote_id: at for m, at in found}
    advanced = cursor.advanced(returned)
    return MentionPage(items=[m for m, _ in found], cursor=advanced.encode() if returned else None,
                       budget=budget_from_usage(conn.graph.thread_usage(), conn.now()))


def conversations(conn: InstagramConnector, account: ConnectedAccount, token: str,
                  user_id: str | None = None) -> Iterator[dict[str, Any]]:
    params = {"platform": "instagram", "user_id": user_id}
    return conn._paged(f"{account.remote_id}/conversations", token, params)


def conversation_with(conn: InstagramConnector, account: ConnectedAccount, token: str, user_id: str) -> str | None:
    """The id of the account's conversation with the Instagram-scoped user ``user_id``, or None
    when Meta lists none (the contract's ``user_id`` filter; one person, one conversation)."""
    for conversation in conversations(conn, account, token, user_id):
        conversation_id = path_id(conversation.get("id"))
        if conversation_id is not None:
            return conversation_id
    return None


@dataclass(frozen=True)
class ConversationView:
    #: message entries (``{"id", "created_time"}``), newest first
    entries: list[dict[str, Any]]
    participants: list[dict[str, Any]]
    #: Meta lists more messages than the readable 20 (or pages further)
    beyond_readable: bool

    @property
    def readable(self) -> list[dict[str, Any]]:
        return self.entries[:READABLE_MESSAGES]


def read_conversation(conn: InstagramConnector, token: str, conversation_id: str) -> ConversationView:
    body = conn._call("GET", conversation_id, token, {"fields": CONVERSATION_FIELDS})
    entries = [e for e in data_list(body.get("messages")) if path_id(e.get("id"))]
    # Meta lists newest first; sorting keeps "the 20 most recent" right if an answer is not
    entries.sort(key=_created_key, reverse=True)
    paging = as_dict(as_dict(body.get("messages")).get("paging"))
    more = len(entries) > READABLE_MESSAGES or bool(paging.get("next"))
    return ConversationView(entries, data_list(body.get("participants")), more)


def _created_key(entry: dict[str, Any]) -> float:
    at = parse_time(entry.get("created_time"))
    return at.timestamp() if at is not None else 0.0


def other_participant(account: ConnectedAccount, participants: list[dict[str, Any]]) -> dict[str, Any]:
    """The person the account talks to in a conversation ({} if Meta did not say)."""
    for person in participants:
        if not is_account(account, as_id(person.get("id")), as_text(person.get("username"))):
            return person
    return {}


def _new_messages(conn: InstagramConnector, account: ConnectedAccount, token: str, conversation_id: str,
                  cursor: DmCursor) -> list[tuple[Mention, datetime]]:
    view = read_conversation(conn, token, conversation_id)
    other = other_participant(account, view.participants)
    readable = view.readable
    fresh = [e for e in readable if cursor.is_new(str(e["id"]), parse_time(e.get("created_time")))]
    # every readable message is new and Meta lists more: the older new ones are beyond reach
    gap = cursor.floor is not None and bool(fresh) and len(fresh) == len(readable) and view.beyond_readable
    out: list[tuple[Mention, datetime]] = []
    for entry in fresh:
        detail = _detail(conn, token, str(entry["id"]))
        if detail is None:
            continue
        created = parse_time(detail.get("created_time")) or parse_time(entry.get("created_time")) or conn.now()
        extra = {GAP_FLAG: True} if gap and entry is fresh[-1] else {}
        item = message_item(account, {**detail, **extra}, conversation_id, other, fallback_id=str(entry["id"]))
        if item is not None:
            out.append((item, created))
    return out


def _detail(conn: InstagramConnector, token: str, message_id: str) -> dict[str, Any] | None:
    """A message's details; None when Meta refuses this one message for good (deleted, or not
    among the readable ones), so that one message does not stop the poll. Anything else (auth,
    throttling, outage) fails the poll, leaving the cursor where it was."""
    try:
        return conn.graph.get(message_id, token, {"fields": MESSAGE_FIELDS})
    except GraphError as err:
        mapped = conn._fail(err)
        if isinstance(mapped, PermanentError) and not getattr(mapped, "needs_attention", False):
            return None
        raise mapped from err


def message_item(account: ConnectedAccount, detail: dict[str, Any], conversation_id: str | None,
                 other: dict[str, Any], *, fallback_id: str | None = None) -> Mention | None:
    """A message's details (``GET /{message-id}``) as an inbox item."""
    remote_id = as_id(detail.get("id")) or fallback_id
    if remote_id is None:
        return None
    sender = as_dict(detail.get("from"))
    sender_id = as_id(sender.get("id")) or ""
    handle = as_text(sender.get("username"))
    if not handle and sender_id and sender_id == as_id(other.get("id")):
        handle = as_text(other.get("username"))
    outbound = is_account(account, sender_id, handle)
    if outbound and not handle:
        handle = account.handle
    return Mention(
        remote_id=remote_id, text=as_text(detail.get("message")), author_id=sender_id, author_handle=handle,
        created_at=parse_time(detail.get("created_time")), kind="dm", raw=detail,
        author=AuthorProfile(remote_id=sender_id, handle=handle) if sender_id else None,
        thread_id=conversation_id, direction="outbound" if outbound else "inbound",
        media=attachments(detail.get("attachments")))


def attachments(value: Any) -> list[dict[str, Any]]:
    """Attachments in either shape Meta uses (the shape is *unconfirmed* in the contract): the
    Graph API's ``{"data": [{"image_data": {"url"}}, {"video_data": …}, {"file_url": …}]}`` or
    the webhook's ``[{"type": "image", "payload": {"url": …}}]``. Items without an http(s) URL
    are left out."""
    out: list[dict[str, Any]] = []
    for item in data_list(value):
        kind, url = _attachment(item)
        if kind and isinstance(url, str) and url.startswith(("https://", "http://")):
            out.append({"kind": kind, "url": url})
    return out


def _attachment(item: dict[str, Any]) -> tuple[str | None, Any]:
    image, video = as_dict(item.get("image_data")), as_dict(item.get("video_data"))
    if image:
        return "image", image.get("url") or image.get("preview_url")
    if video:
        return "video", video.get("url") or video.get("preview_url")
    if item.get("file_url"):
        return "file", item.get("file_url")
    kind = ATTACHMENT_KINDS.get(as_text(item.get("type")))
    return kind, as_dict(item.get("payload")).get("url")
